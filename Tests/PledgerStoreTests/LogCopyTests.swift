import Foundation
import PledgerDomain
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("The log read with binary COPY: the events the pool reads, in pages of any size, cut as known at a time")
struct LogCopyTests {
    @Test(
        "pages of any size decode to the pool's events, UTF-8 and all; a knownAt cut is the events recorded by then; a range without events is refused"
    )
    func samePages() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            try await FundMonth.recordBankSide(store)
            let head = try await store.head().position
            let stored = try await store.read(after: 0, limit: Int(head) + 1)
            #expect(stored.count == Int(head) && head > 10)
            #expect(stored.contains { $0.envelope.data.utf8.contains { $0 >= 0x80 } }, "no event with text beyond ASCII to decode")
            let events = try stored.map { try RecordedEvent($0.envelope) }

            let copy = try await LogCopy.open(store)
            for size in [1, 3, 7, Int(head)] {
                var read: [RecordedEvent] = []
                for after in stride(from: Int64(0), to: head, by: size) {
                    read += try await copy.page(after: after, through: min(head, after + Int64(size)), knownAt: nil).events
                }
                #expect(read == events, "pages of \(size)")
            }
            // Positions the log lacks are a damaged log, not its end.
            await #expect(throws: StoreError.self) { try await copy.page(after: head, through: head + 10, knownAt: nil) }

            let cut = events[events.count / 2].recordedAt
            let known = try await copy.page(after: 0, through: head, knownAt: cut).events
            #expect(known == events.prefix { $0.recordedAt <= cut } && known.count >= events.count / 2 && known.count < events.count)
        }
    }

    @Test(
        "a replay through COPY, in one page (decoded on every core) or in pages of 37, folds to what the pool gives: whole, as of a date, as known at a time, to a position"
    )
    func sameFolds() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await ProjectorTests.randomWorkload(store, seed: 6, steps: 300)
            let head = try await store.head().position
            #expect(head >= 100, "a page of \(head) events is decoded on one core")
            let middle = try await store.read(after: head / 2, limit: 1)[0].envelope.recordedAt
            let questions: [(BusinessDate?, RecordedTime?, Int64?)] = [
                (nil, nil, nil), (try BusinessDate(parsing: "2024-06-30"), nil, nil), (nil, middle, nil), (nil, nil, head / 3),
            ]
            for (asOf, knownAt, toPosition) in questions {
                let pool = try await store.replay(asOf: asOf, knownAt: knownAt, toPosition: toPosition)
                let poolFunds = try await pool.states.allRows().funds
                for reading in [LogReading.copy, .copyInPages(37)] {
                    let copied = try await store.replay(asOf: asOf, knownAt: knownAt, toPosition: toPosition, reading: reading)
                    let question =
                        "\(reading) as of \(String(describing: asOf)), known at \(String(describing: knownAt)), to \(String(describing: toPosition))"
                    #expect(copied.lastPosition == pool.lastPosition && copied.lastPosition > 0, "\(question)")
                    #expect(copied.states.loanSnapshots == pool.states.loanSnapshots, "\(question)")
                    #expect(try await copied.states.allRows().funds == poolFunds && !poolFunds.isEmpty, "\(question)")
                }
            }
        }
    }

    @Test(
        "an infinite recorded_at, either way, written behind the application's back, is refused as a damaged log",
        arguments: ["infinity", "-infinity"])
    func infiniteTime(_ time: String) async throws {
        try await TestDatabase.withLedger { store, url in
            try await FundMonth.recordBankSide(store)
            let head = try await store.head().position
            try await TestDatabase.behindTheApplicationsBack(
                url, "UPDATE events SET recorded_at = '\(time)'::timestamptz WHERE position = 3")
            let copy = try await LogCopy.open(store)
            await #expect(throws: StoreError.self) { try await copy.page(after: 0, through: head, knownAt: nil) }
            #expect(try await copy.page(after: 3, through: head, knownAt: nil).events.count == Int(head) - 3)
        }
    }
}
