import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Subscription")
struct SubscriptionTests {
    @Test("followers started before and during concurrent appends see every position once, in order")
    func followersSeeEverything() async throws {
        try await TestDatabase.withLedger(maxConnections: 8) { store, _ in
            let total = 3000
            try await withThrowingTaskGroup(of: [Int64].self) { group in
                // One follower from the start.
                group.addTask { try await Self.collect(store, after: 0, until: Int64(total)) }
                // Writers: 20 tasks, in small appends so that many transactions interleave.
                let writers = 20
                for writer in 0..<writers {
                    group.addTask {
                        for n in 0..<(total / writers / 3) {
                            try await store.append(
                                AppendRequest(
                                    stream: "w-\(writer)", expected: .any,
                                    events: [
                                        try event("E", [("n", .integer(Int64(n)))]), try event("E"), try event("E"),
                                    ]))
                        }
                        return []
                    }
                }
                // A second follower that joins while writes are under way.
                group.addTask {
                    try await Task.sleep(for: .milliseconds(150))
                    return try await Self.collect(store, after: 0, until: Int64(total))
                }
                var followersDone = 0
                for try await seen in group where !seen.isEmpty {
                    #expect(seen == Array(1...Int64(total)))
                    followersDone += 1
                }
                #expect(followersDone == 2)
            }
        }
    }

    static func collect(_ store: EventStore, after start: Int64, until last: Int64) async throws -> [Int64] {
        var seen: [Int64] = []
        do {
            try await store.follow(after: start, pageSize: 128) { page in
                seen += page.map(\.position)
                if (seen.last ?? 0) >= last { throw CancellationError() }
            }
        } catch is CancellationError {}
        return seen
    }
}
