import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Appends planned ahead: the next of a sequence planned while the one before is written")
struct PreparedAppendTests {
    static func part(_ stream: String, _ expected: ExpectedVersion, _ n: Int) throws -> StreamAppend {
        StreamAppend(stream: stream, expected: expected, events: try (0..<n).map { _ in try event("E") })
    }

    /// Three appends of a sequence, each passing the plan the one before returned.
    static func sequence(_ requests: [AppendRequest], to store: EventStore) async throws -> [AppendResult] {
        var results: [AppendResult] = []
        var prepared: PreparedAppend?
        for (index, request) in requests.enumerated() {
            let next = index + 1 < requests.count ? requests[index + 1] : nil
            let written = try await store.append(request, prepared: prepared, preparingNext: { next })
            results.append(written.result)
            prepared = written.next
            #expect((prepared == nil) == (next == nil))
        }
        return results
    }

    @Test("a sequence: every append after the first written as planned, gap-free and chained as one by one")
    func sequenceWrittenAsPlanned() async throws {
        let requests = [
            AppendRequest([try Self.part("shared", .noStream, 3), try Self.part("a", .noStream, 2)]),
            AppendRequest([try Self.part("shared", .exact(3), 1), try Self.part("b", .noStream, 4)]),
            AppendRequest([try Self.part("b", .exact(4), 2), try Self.part("shared", .exact(4), 1)]),
        ]
        try await TestDatabase.withLedger { store, _ in
            let results = try await Self.sequence(requests, to: store)
            #expect(results.map(\.firstPosition) == [1, 6, 11] && results.map(\.lastPosition) == [5, 10, 13])
            #expect(results[2].streamVersions == ["b": 6, "shared": 5])
            // The first on a head this store did not know (the locked way), the others as planned.
            #expect(store.statistics.plannedAhead == 2)
            #expect(try await store.read(stream: "shared").map(\.envelope.version) == [1, 2, 3, 4, 5])
            #expect(try await LedgerVerification(store: store).run().isIntact)
        }
    }

    @Test("another writer between two appends: the plan made ahead is dropped and the append planned on the real head")
    func anotherWriterBetween() async throws {
        try await TestDatabase.withLedger { first, url in
            try await LedgerRuntime.with(url, maxConnections: 2, logger: TestDatabase.logger) { ledger in
                let second = ledger.log
                let next = AppendRequest([try Self.part("shared", .exact(1), 1)])
                let written = try await first.append(
                    AppendRequest([try Self.part("shared", .noStream, 1)]), prepared: nil, preparingNext: { next })
                let planned = try #require(written.next)
                try await second.append(AppendRequest([try Self.part("elsewhere", .noStream, 2)]))
                let after = try await first.append(next, prepared: planned, preparingNext: { nil })
                #expect(after.result.firstPosition == 4 && after.result.streamVersions == ["shared": 2])
                #expect(first.statistics.plannedAhead == 0)
                #expect(try await LedgerVerification(store: first).run().isIntact)
            }
        }
    }

    @Test("a plan made for another request is not used; a next that would be refused is not planned, and is refused when written")
    func mismatchedAndRefused() async throws {
        try await TestDatabase.withLedger { store, _ in
            let planned = AppendRequest([try Self.part("s", .exact(1), 1)])
            let written = try await store.append(
                AppendRequest([try Self.part("s", .noStream, 1)]), prepared: nil, preparingNext: { planned })
            let plan = try #require(written.next)
            let other = AppendRequest([try Self.part("s", .exact(1), 2)])
            let instead = try await store.append(other, prepared: plan, preparingNext: { nil })
            #expect(instead.result.lastPosition == 3 && store.statistics.plannedAhead == 0)
            #expect(try await store.read(stream: "s").count == 3)

            // The same next with the version the log has is planned: only the refusal is not.
            let current = AppendRequest([try Self.part("s", .exact(3), 1)])
            let planning = try await store.append(
                AppendRequest([try Self.part("t", .noStream, 1)]), prepared: nil, preparingNext: { current })
            #expect(planning.next != nil)
            let stale = AppendRequest([try Self.part("s", .exact(1), 1)])
            let before = try await store.append(AppendRequest([try Self.part("u", .noStream, 1)]), prepared: nil, preparingNext: { stale })
            #expect(before.next == nil)
            await #expect(throws: AppendError.wrongExpectedVersion(stream: "s", expected: .exact(1), actual: 3)) {
                try await store.append(stale)
            }
            #expect(try await store.head().position == 5)
        }
    }
}
