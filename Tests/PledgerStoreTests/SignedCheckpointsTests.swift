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
            let service = CheckpointService(
                checkpoints: checkpoints, privateKey: privateKey, interval: .milliseconds(100), logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await checkpoints.list().count == 1, "nothing new to sign after the first")
                _ = try await store.append(
                    AppendRequest(stream: "s", expected: .exact(1), events: [try NewEvent(type: "T", data: .object(JSONObject()))]))
                try await Task.sleep(for: .milliseconds(600))
                #expect(try await checkpoints.list().count == 2)
                #expect(try await checkpoints.latestPosition() == 2)
                group.cancelAll()
            }
        }
    }
}
