import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("An import's staging area: a chunk's streams as the log has them and the import staged them")
struct StagingAreaTests {
    @Test("each stream read whole: the log's events, then those staged after them, in version order; a stream nowhere is empty")
    func logThenStaged() async throws {
        try await TestDatabase.withLedger { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 3, steps: 80)
            var streams: [(ref: StreamRef, events: [RecordedEvent])] = []
            let refs = memory.states.funds.keys.map(StreamRef.fund) + memory.states.loans.keys.map(StreamRef.loan)
            for ref in refs.sorted(by: { $0.name < $1.name }) { streams.append((ref, try await store.events(of: ref))) }
            streams.sort { $0.events.count > $1.events.count }
            try #require(streams.count >= 2 && streams[1].events.count >= 2)
            let (restaged, untouched) = (streams[0], streams[1])
            let nowhere = StreamRef.fund(try FundId("NO-SUCH-FUND"))
            // Two more events of the longest stream, copies of its last, as a later chunk would stage them.
            let last = try #require(restaged.events.last)
            let staged = try (1...2).map { offset in
                try StagingArea.Staged(
                    restaged.ref,
                    RecordedEvent(
                        id: UUID(), stream: last.stream, version: last.version + Int32(offset), position: 0, recordedAt: last.recordedAt,
                        event: last.event))
            }

            try await StagingArea.with(store) { area in
                try await area.stage(staged, chunk: 0, from: 0)
                let loaded = try await area.load([restaged.ref, untouched.ref, nowhere, restaged.ref])
                #expect(Set(loaded.keys) == [restaged.ref, untouched.ref, nowhere])

                let read = try #require(loaded[restaged.ref])
                #expect(read.staged)
                #expect(read.events.map(\.version) == Array(1...last.version + 2))
                #expect(read.events.prefix(restaged.events.count).map(\.id) == restaged.events.map(\.id))
                #expect(read.events.suffix(2).map(\.id) == staged.map(\.id))
                #expect(read.events.suffix(2).map(\.event) == [last.event, last.event])

                let other = try #require(loaded[untouched.ref])
                #expect(!other.staged)
                #expect(other.events == untouched.events)

                #expect(loaded[nowhere]?.events.isEmpty == true)
                #expect(loaded[nowhere]?.staged == false)
            }
        }
    }

    @Test("the session it borrows goes back to the pool with the settings it had (the area turns JIT off for its reads)")
    func settingsRestored() async throws {
        // One connection: the area's and the one asked afterwards are the same session.
        try await TestDatabase.withLedger(maxConnections: 1) { store, _ in
            func jit(_ connection: PostgresConnection) async throws -> String {
                try await connection.allRows("SHOW jit", logger: store.logger).first!.decode(String.self)
            }
            let before = try await store.client.withConnection { try await jit($0) }
            #expect(before == "on", "the test needs a server whose default is jit = on")
            let during = try await StagingArea.with(store) { try await jit($0.connection) }
            #expect(during == "off")
            #expect(try await store.client.withConnection { try await jit($0) } == before)

            struct Stop: Error {}
            await #expect(throws: Stop.self) { try await StagingArea.with(store) { _ in throw Stop() } }
            #expect(try await store.client.withConnection { try await jit($0) } == before)

            // Its own clean-up failing (`DROP TABLE` of what is now a view) still puts JIT back.
            await #expect(throws: StoreError.self) {
                try await StagingArea.with(store) { area in
                    try await area.connection.query("DROP TABLE pledger_import_staged", logger: store.logger)
                    try await area.connection.query("CREATE TEMP VIEW pledger_import_staged AS SELECT 1 AS seq", logger: store.logger)
                }
            }
            #expect(try await store.client.withConnection { try await jit($0) } == before)
        }
    }
}
