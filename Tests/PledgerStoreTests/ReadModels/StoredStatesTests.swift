import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("Funds' stored states")
struct StoredStatesTests {
    /// Each fund's stored state: its version, form and parts, and the state read from them.
    static func stored(_ store: EventStore) async throws -> [FundId: (version: Int32, form: String, parts: Int32, state: FundState?)] {
        let rows = try await store.withConnection("test") { connection in
            var found: [(String, Int32, String, Int32)] = []
            let rows = try await connection.query(
                "SELECT stream, version, form, parts FROM stream_states WHERE part = 0", logger: store.logger)
            for try await row in rows.decode((String, Int32, String, Int32).self) { found.append(row) }
            return found
        }
        var found: [FundId: (Int32, String, Int32, FundState?)] = [:]
        for (stream, version, form, parts) in rows {
            let id = try #require(StoredStates.fundId(stream))
            found[id] = (version, form, parts, try await StoredStates.read(id, through: .max, from: store)?.state)
        }
        return found
    }

    /// The fund folded from the first event of its stream, up to `version`.
    static func folded(_ id: FundId, to version: Int32? = nil, _ store: EventStore) async throws -> FundState? {
        var states = AggregateStates()
        for recorded in try await store.events(of: .fund(id)) where version.map({ recorded.version <= $0 }) ?? true {
            states.apply(recorded, to: .fund(id))
        }
        return states.funds[id]
    }

    @Test("the projector stores a fund's state each time its stream has gone far enough past it; a first read starts from it")
    func projectorStores() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 5, steps: 150)
            let every: Int32 = 7
            try await Projector(store: store, pageSize: 20, streams: StateCache(), storeFundsEvery: every).catchUp()
            let stored = try await Self.stored(store)
            #expect(!stored.isEmpty)
            for id in memory.states.funds.keys {
                let count = Int32(try await store.events(of: .fund(id)).count)
                guard let row = stored[id] else {
                    #expect(count < every, "fund \(id): \(count) events and no stored state")
                    continue
                }
                #expect(row.form == FundState.storedForm && row.version <= count && count - row.version < every + 20)
                #expect(try await row.state == Self.folded(id, to: row.version, store), "fund \(id) at \(row.version)")
                #expect(
                    row.parts == 1 + Int32((row.state?.cover.loans.count ?? 0) + FundState.storedLoansPerPart - 1)
                        / Int32(FundState.storedLoansPerPart))
                let read = try await StateCache().firstRead(.fund(id), from: store)
                var states = AggregateStates()
                states.restore(.fund(id), read)
                #expect(read.version == count)
                #expect(try await states.funds[id] == Self.folded(id, store), "fund \(id) read from its stored state")
            }
            let (differences, _, _) = try await ProjectionReconciliation(store: store).run()
            #expect(differences.isEmpty, "\(differences)")
        }
    }

    @Test(
        "a stored state is read while its form and its event's hash are the log's; changed behind the application's back, reconcile names it and a rebuild writes it again"
    )
    func readOnlyWhileItHolds() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 9, steps: 150)
            try await Projector(store: store).rebuild()
            let id = try #require(memory.states.funds.keys.sorted { $0.value < $1.value }.first)
            let stream = StreamRef.fund(id).name
            #expect(try await Self.stored(store)[id]?.version == Int32(try await store.events(of: .fund(id)).count))
            func named() async throws -> String? {
                var states = AggregateStates()
                states.restore(.fund(id), try await StateCache().firstRead(.fund(id), from: store))
                return states.funds[id]?.name
            }
            func reconciled() async throws -> [String] {
                try await ProjectionReconciliation(store: store).run().differences.filter { $0.table == "stream_states" }.map(\.problem)
            }
            let name = try await named()
            var changed = try #require(try await Self.stored(store)[id]?.state)
            changed.name = "renamed behind the application's back"
            let first = try changed.storedParts()[0]
            try await store.withConnection("test") { connection in
                try await connection.query(
                    "UPDATE stream_states SET state = \(first) WHERE stream = \(stream) AND part = 0",
                    logger: store.logger)
            }
            #expect(try await named() == changed.name, "the stored state is what a first read starts from")
            #expect(try await reconciled().first?.contains("fields: name") == true)

            for (change, problem) in [
                ("hash = '\\x00'::bytea", "another hash"), ("form = 'fund-state-0'", nil), ("version = 100000", "not in the log"),
                ("parts = parts + 1", "not one whole state"),
            ] {
                try await Projector(store: store).rebuild()
                try await store.withConnection("test") { connection in
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "UPDATE stream_states SET \(change) WHERE stream = '\(stream)'"), logger: store.logger)
                }
                #expect(try await named() == name, "\(change): not read")
                let problems = try await reconciled()
                #expect(problem.map { problem in problems.contains { $0.contains(problem) } } ?? problems.isEmpty, "\(change): \(problems)")
            }
            try await Projector(store: store).rebuild()
            #expect(try await reconciled().isEmpty)
            #expect(try await Self.stored(store)[id]?.form == FundState.storedForm)
        }
    }

    @Test("a rebuild writes no stored state that is as it would write it, and writes again one whose text alone was changed")
    func rebuildWritesOnlyWhatDiffers() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 13, steps: 150)
            try await Projector(store: store).rebuild()
            /// Each part's text, after where its row lies (`ctid`: a row written again lies elsewhere)
            /// with `places`.
            func texts(places: Bool = true) async throws -> [String] {
                try await store.withConnection("test") { connection in
                    var texts: [String] = []
                    let rows = try await connection.query(
                        PostgresQuery(
                            unsafeSQL:
                                "SELECT stream || ' ' || part || ' ' || \(places ? "ctid::text" : "''") || ' ' || state FROM stream_states ORDER BY stream, part"
                        ), logger: store.logger)
                    for try await text in rows.decode(String.self) { texts.append(text) }
                    return texts
                }
            }
            let written = try await texts()
            let right = try await texts(places: false)
            #expect(!written.isEmpty)
            try await Projector(store: store).rebuild()
            #expect(try await texts() == written, "a stored state that was right was written again")

            // Part 0's text changed, and nothing else: its form, version, parts and hash still hold.
            let id = try #require(memory.states.funds.keys.sorted { $0.value < $1.value }.first)
            var changed = try #require(try await Self.stored(store)[id]?.state)
            changed.name = "renamed behind the application's back"
            let first = try changed.storedParts()[0]
            try await store.withConnection("test") { connection in
                try await connection.query(
                    "UPDATE stream_states SET state = \(first) WHERE stream = \(StreamRef.fund(id).name) AND part = 0", logger: store.logger
                )
            }
            #expect(try await Self.stored(store)[id]?.state?.name == changed.name)
            try await Projector(store: store).rebuild()
            #expect(try await texts(places: false) == right, "the text the fold gives, written again")
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }
}
