import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Signed checkpoints kept by the server")
struct SignedCheckpointsTests {
    @Test("the service signs at start, and again only once the log has grown")
    func service() async throws {
        let (privateKey, _) = Checkpoint.generatePrivateKey()
        try await TestDatabase.withLedger { store, _ in
            let checkpoints = SignedCheckpoints(store: store)
            _ = try await store.append(
                AppendRequest(stream: "s", expected: .noStream, events: [try NewEvent(type: "T", data: .object(JSONObject()))]))
            let service = checkpoints.service(privateKey: privateKey, interval: .milliseconds(100), logger: TestDatabase.logger)
            /// Waits (a loaded machine may be slow to schedule the service) until `count` are kept.
            func waitFor(_ count: Int) async throws -> Int {
                let deadline = ContinuousClock.now + .seconds(30)
                var kept = try await checkpoints.list().count
                while kept < count && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                    kept = try await checkpoints.list().count
                }
                return kept
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                #expect(try await waitFor(1) == 1, "signed at start")
                try await Task.sleep(for: .milliseconds(500))  // several intervals
                #expect(try await checkpoints.list().count == 1, "nothing new to sign after the first")
                _ = try await store.append(
                    AppendRequest(stream: "s", expected: .exact(1), events: [try NewEvent(type: "T", data: .object(JSONObject()))]))
                #expect(try await waitFor(2) == 2, "the log grew: signed again")
                #expect(try await checkpoints.latestPosition() == 2)
                group.cancelAll()
            }
        }
    }
}
