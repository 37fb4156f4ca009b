import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import PledgerStore

@Suite("Projector and read models")
struct ProjectorTests {
    /// Runs the same random commands through Postgres and through the in-memory workflow:
    /// both must accept and refuse exactly the same ones.
    static func randomWorkload(_ store: EventStore, seed: UInt64, steps: Int) async throws -> InMemoryLedger {
        let handler = CommandHandler(store: store)
        var generator = CommandGenerator(seed: seed)
        var memory = InMemoryLedger()
        try await runSetup(of: generator, on: handler, beside: &memory)
        try await runCommands(steps, of: &generator, on: handler, beside: &memory)
        return memory
    }

    /// `generator`'s setup, handled against PostgreSQL and run on `memory` with the same ids.
    static func runSetup(of generator: CommandGenerator, on handler: CommandHandler, beside memory: inout InMemoryLedger) async throws {
        for command in generator.setup() {
            try memory.run(command, ids: try await handler.handle(command).append.eventIds)
        }
    }

    /// `steps` commands of `generator`, each handled against PostgreSQL and run on `memory`:
    /// both must accept or refuse it alike.
    static func runCommands(
        _ steps: Int, of generator: inout CommandGenerator, on handler: CommandHandler, beside memory: inout InMemoryLedger
    ) async throws {
        for _ in 0..<steps {
            let command = generator.next(memory)
            do {
                let outcome = try await handler.handle(command)
                do {
                    try memory.run(command, ids: outcome.append.eventIds)
                } catch {
                    Issue.record("Postgres accepted what the pure workflow refused (\(error)): \(command)")
                }
            } catch let error as DomainError {
                #expect(throws: DomainError.self, "Postgres refused (\(error)) what the pure workflow accepts: \(command)") {
                    try memory.run(command)
                }
            }
        }
    }

    @Test("after a random workload the read models equal a fresh replay, and reconcile is clean")
    func readModelsMatchReplay() async throws {
        try await TestDatabase.withLedger { store, _ in
            let memory = try await Self.randomWorkload(store, seed: 7, steps: 250)
            let projector = Projector(store: store, pageSize: 37)
            let position = try await projector.catchUp()
            #expect(position == Int64(memory.log.count))
            let (differences, checked, _) = try await ProjectionReconciliation(store: store).run()
            #expect(differences.isEmpty, "\(differences)")
            #expect(checked > 5)

            // The current-view report (read models) equals the report from folding the log.
            let service = ReportService(store: store)
            let stored = try await service.growth(from: 2023, to: 2027)
            let folded = try GrowthReport.compute(try await store.replay().states.loanSnapshots, from: 2023, to: 2027, asOf: stored.asOf)
            #expect(stored == folded)
            #expect(stored.years.reduce(0) { $0 + $1.loans } > 0)

            // Sliced every way, in a window of months cut mid-period, for all banks and for one.
            let loans = try await store.replay().states.loanSnapshots
            let window = try MonthWindow(parsing: "2023-08:2027-02")
            let cuts = [stored.asOf!, try BusinessDate(parsing: "2026-02-28"), try BusinessDate(parsing: "2025-03-17")]
            for bank in [nil] + Array(Set(loans.map(\.bankId))).sorted() {
                let mine = bank.map { bank in loans.filter { $0.bankId == bank } } ?? loans
                for series in GrowthReport.Series.all {
                    let current = try await service.growth(
                        window: window, by: series.dimension, regionLevel: series.regionLevel, bank: bank)
                    let expected = try GrowthReport.compute(
                        mine, window: window, asOf: current.asOf, by: series.dimension, regionLevel: series.regionLevel)
                    #expect(current == expected, "\(series) \(bank?.value ?? "all banks")")
                }
            }
            // A past `as_of` read from the sums equals the fold as of that day (the scheme slice,
            // whose enrolments are dated, is folded).
            for cut in cuts {
                let past = try await store.replay(asOf: cut).states.loanSnapshots
                for series in GrowthReport.Series.all {
                    let summed = try await service.growth(window: window, by: series.dimension, regionLevel: series.regionLevel, asOf: cut)
                    let folded = try GrowthReport.compute(
                        past, window: window, asOf: cut, by: series.dimension, regionLevel: series.regionLevel)
                    #expect(summed == folded, "\(series) as of \(cut)")
                }
            }
            // Each fund's exposure sums equal the borrowers' parts added up from the loans, for
            // every bank and for each bank's slice.
            let states = try await store.replay().states
            var compared = 0
            for (id, fund) in states.funds where fund.exists {
                let settled = try #require(fund.termsSettledOn)
                let enrolled = states.loanSnapshots.filter { $0.fundId == id }
                for bank in [nil] + Array(Set(enrolled.map(\.bankId))).sorted() {
                    let mine = bank.map { bank in enrolled.filter { $0.bankId == bank } } ?? enrolled
                    let parts = try Dictionary(grouping: mine, by: \.borrower).compactMap {
                        try ExposureReport.BorrowerPart.compute($0.key, loans: $0.value, fund: fund, asOf: settled)
                    }
                    let stored = try await store.withConnection("test") { connection in
                        try await ExposureTable.figures(
                            fund: id, scope: bank?.value ?? GrowthEntry.allBanks, top: 3, on: connection, logger: store.logger)
                    }
                    #expect(stored == (try ExposureReport.LoanFigures(parts, topBorrowers: 3)), "\(id) \(bank?.value ?? "all banks")")
                    compared += parts.count
                }
            }
            #expect(compared > 0)
            // A borrower whose part passes the ledger's maximum (loans the deciders now refuse)
            // is marked, not a batch that fails for ever.
            let sample = try #require(states.loanSnapshots.first { $0.fundId != nil && $0.status == .active })
            let sampleFund = try #require(sample.fundId)
            let fund = try #require(states.funds[sampleFund])
            var huge = [sample, sample]
            huge[1].contractNo = try ContractNo(sample.contractNo.value + "-X")
            for index in huge.indices { (huge[index].outstandingFen, huge[index].compensationPaidFen) = (Money.maximum, .zero) }
            let marked = try ExposureTable.rows(fund: fund, borrower: sample.borrower, loans: huge)
            #expect(marked.map(\.bank) == [ExposureTable.unsummable] && marked.first?.figures.enrolled == 1)
            // The cells the database sums for a past cut give the same report as the loans.
            for cut in cuts {
                let cells = try await store.withConnection("test") { connection in
                    try await GrowthTable.cells(
                        scope: GrowthEntry.allBanks, series: [.total, GrowthReport.Series(.kind)], window: window, asOf: cut,
                        on: connection, logger: store.logger)
                }
                #expect(
                    try GrowthReport.compute(cells: cells, window: window, asOf: cut, by: .kind)
                        == GrowthReport.compute(loans, window: window, asOf: cut, by: .kind), "cut at \(cut)")
            }
            // A sum moved by hand in each table is named by `reconcile projections`.
            try await store.withConnection("test") { connection in
                for table in ["rm_growth", "rm_growth_months", "rm_exposure"] {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "UPDATE \(table) SET loans = loans + 1 WHERE ctid = (SELECT min(ctid) FROM \(table))"),
                        logger: store.logger)
                }
            }
            let tampered = try await ProjectionReconciliation(store: store).run().differences
            #expect(Set(tampered.map(\.table)) == ["rm_growth", "rm_growth_months", "rm_exposure"], "\(tampered)")
        }
    }

    /// Runs a projector (pages of 20) until it passes half of `head` and stops it there, as a
    /// cancelled catch-up stops: between pages, each written with its checkpoint, so nothing is
    /// left in flight. Returns the checkpoint.
    static func stopPartWay(_ store: EventStore, head: Int64) async throws -> Int64 {
        let projector = Projector(store: store, pageSize: 20)
        let run = Task {
            try await projector.catchUp { cursor, _ in
                if cursor >= head / 2 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await #expect(throws: CancellationError.self) { try await run.value }
        return try await Projector.checkpoint(store)
    }

    @Test("a projector stopped part-way resumes without skipping or double counting; rebuild gives identical tables")
    func killAndRestart() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            let head = try await store.head().position
            let stopped = try await Self.stopPartWay(store, head: head)
            #expect(stopped < head, "the projector should have been stopped part-way")
            #expect(try await ProjectionReconciliation(store: store).run().differences.count >= 1)

            let second = Projector(store: store, pageSize: 20)
            #expect(try await second.catchUp() == head)
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)

            // A start at the head reads the funds' streams back, nothing else: no fold of the log.
            let third = Projector(store: store, pageSize: 20)
            #expect(try await third.catchUp() == head)
            let fundEvents = try await store.client.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT count(*) FROM events WHERE stream LIKE 'fund-%'", logger: TestDatabase.logger)
                for try await count in rows.decode(Int.self) { return count }
                return 0
            }
            #expect(third.eventsReadForState == fundEvents)
            #expect(fundEvents > 0 && fundEvents < Int(head), "fund events \(fundEvents) of \(head)")
            let before = try await Self.tables(store)
            #expect(before.contains { $0.hasPrefix("rm_exposure|") } && before.contains { $0.hasPrefix("rm_growth_months|") })
            // A rebuild a loan at a time: several groups of borrowers, the same tables.
            let stages = Mutex<[Projector.RebuildStage]>([])
            #expect(
                try await Projector(store: store, pageSize: 20).rebuild(
                    loansPerGroup: 1, stage: { stage in stages.withLock { $0.append(stage) } }) == head)
            // Each step is reported once, in the order it is done.
            let groups = stages.withLock { $0.count } - 4
            #expect(groups >= 2, "\(stages.withLock { $0 })")
            #expect(
                stages.withLock { $0 } == [.funds] + (1...max(1, groups)).map { .group($0, of: groups) } + [
                    .replacing, .storingFunds, .committing,
                ])
            #expect(try await Self.tables(store) == before)
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    @Test(
        "a loan whose state names another borrower than its founding event, or a borrower's stream named for another, written behind the application's back, makes the rebuild fold the whole log where a group would miss it: the rows are the whole fold's",
        arguments: ["originated again", "borrower renamed"])
    func misplacedLoan(_ tampering: String) async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            let before = try await store.head().position
            if tampering == "borrower renamed" {
                // Every borrower's stream named for another USCC: a loan's borrower's state is
                // then in another group than the loan.
                try await TestDatabase.behindTheApplicationsBack(
                    url, "UPDATE events SET stream = 'borrower-X' || substr(stream, 10) WHERE stream LIKE 'borrower-%'")
            } else {
                // The first loan originated again, to another registered borrower, as the log's next event.
                try await TestDatabase.behindTheApplicationsBack(
                    url,
                    """
                    INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
                    SELECT h.position + 1, first.stream, (SELECT max(version) + 1 FROM events WHERE stream = first.stream), gen_random_uuid(),
                           first.type, first.schema, replace(first.data, first.data::json->>'borrower', other.uscc), first.meta, now(), h.hash, h.hash
                    FROM ledger_head h,
                         (SELECT * FROM events WHERE type = 'LoanOriginated' ORDER BY position LIMIT 1) first,
                         LATERAL (SELECT data::json->>'uscc' AS uscc FROM events WHERE type = 'BorrowerRegistered'
                                  AND data::json->>'uscc' <> first.data::json->>'borrower' ORDER BY position LIMIT 1) other
                    """, "UPDATE ledger_head SET position = (SELECT max(position) FROM events)")
            }
            let head = try await store.head().position
            #expect(
                head == before + (tampering == "borrower renamed" ? 0 : 1),
                "no loan of another borrower to originate the first loan again to")
            let whole = try await store.replay(reading: .copy).states.loanSnapshots
            let stages = Mutex<[Projector.RebuildStage]>([])
            #expect(
                try await Projector(store: store).rebuild(loansPerGroup: 1, stage: { stage in stages.withLock { $0.append(stage) } })
                    == head)
            // A loan that names another borrower always lands outside that borrower's group. A
            // renamed borrower's stream lands in another bucket than its USCC's, which may lie in
            // the same group of buckets (the fold of that group is then right) or not.
            if tampering == "originated again" {
                #expect(stages.withLock { $0.contains(.rows) && $0.contains(.newRows) }, "\(stages.withLock { $0 })")
            }
            let stored = try await ReadModelWriter.loadLoans(store).map(\.snapshot).sorted { $0.key < $1.key }
            #expect(stored == whole.sorted { $0.key < $1.key } && stored.count >= 2)
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    @Test(
        "a borrower registered again in a stream named for another USCC that lies in an earlier bucket of the same group: the group is folded in log order, as the whole log is"
    )
    func registeredAgainInAnEarlierBucket() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            let head = try await store.head().position + 1
            // One group of every bucket (more loans to a group than the log holds, so many buckets
            // are made for an estimate of the log's loans); a second stream for a registered USCC
            // whose bucket comes before the USCC's own, so that bucket after bucket would apply it first.
            let loans = try await store.client.withConnection { connection in
                try await connection.allRows("SELECT count(*)::int FROM events WHERE type = 'LoanOriginated'", logger: TestDatabase.logger)
                    .map { try $0.decode(Int.self) }
            }
            let loansPerGroup = (loans.first ?? 0) + 1
            var groups = BorrowerGroups(buckets: BorrowerGroups.buckets(through: head, loansPerGroup: loansPerGroup))
            func bucket(_ stream: String) throws -> Int {
                try #require(try Array("{}".utf8).withUnsafeBufferPointer { try groups.bucket(ofStream: stream, version: 1, data: $0) })
            }
            let registered = try await store.client.withConnection { connection in
                // The borrowers of loans: their rows show the registration (techSme).
                try await connection.allRows(
                    "SELECT DISTINCT 'borrower-' || (data::json->>'borrower') FROM events WHERE type = 'LoanOriginated' ORDER BY 1",
                    logger: TestDatabase.logger
                ).map { try $0.decode(String.self) }
            }
            var chosen: (original: String, again: String)?
            for original in registered where chosen == nil {
                for mark in (0..<64).map({ "Z\($0)" }) where chosen == nil {
                    let again = "borrower-\(mark)" + original.dropFirst("borrower-".count)
                    if try bucket(again) < bucket(original) { chosen = (original, again) }
                }
            }
            let seen = try registered.map { ($0, try bucket($0)) }
            let (original, again) = try #require(chosen, "no stream name falls in an earlier bucket: \(seen), \(groups.buckets)")
            try await TestDatabase.behindTheApplicationsBack(
                url,
                """
                INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
                SELECT h.position + 1, '\(again)', 1, gen_random_uuid(), first.type, first.schema,
                       jsonb_set(first.data::jsonb, '{tech_sme}', to_jsonb(NOT (first.data::jsonb->>'tech_sme')::bool))::text,
                       first.meta, now(), h.hash, h.hash
                FROM ledger_head h, (SELECT * FROM events WHERE stream = '\(original)' AND version = 1) first
                """, "UPDATE ledger_head SET position = (SELECT max(position) FROM events)")
            #expect(try await store.head().position == head)
            let whole = try await store.replay(reading: .copy).states.loanSnapshots
            let uscc = String(original.dropFirst("borrower-".count))
            let techSme = try await store.client.withConnection { connection in
                try await connection.allRows(
                    "SELECT (data::json->>'tech_sme')::bool FROM events WHERE stream = \(again)", logger: TestDatabase.logger
                ).map { try $0.decode(Bool.self) }
            }
            let loansOfBorrower = whole.filter { $0.borrower.value == uscc }
            #expect(!loansOfBorrower.isEmpty && techSme.count == 1)
            #expect(loansOfBorrower.allSatisfy { [$0.techSme] == techSme }, "the whole fold applies the later registration")
            #expect(try await Projector(store: store).rebuild(loansPerGroup: loansPerGroup) == head)
            let stored = try await ReadModelWriter.loadLoans(store).map(\.snapshot).sorted { $0.key < $1.key }
            #expect(stored == whole.sorted { $0.key < $1.key })
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    @Test("a loan's event whose stream has no founding event before it makes the rebuild fold the whole log")
    func loanEventBeforeItsFounding() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            let before = try await store.head().position
            // A copy of a loan's later event, in a stream of its own that has no founding event.
            try await TestDatabase.behindTheApplicationsBack(
                url,
                """
                INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
                SELECT h.position + 1, 'loan-NOWHERE-1', 2, gen_random_uuid(), r.type, r.schema, r.data, r.meta, now(), h.hash, h.hash
                FROM ledger_head h, (SELECT * FROM events WHERE stream LIKE 'loan-%' AND version > 1 ORDER BY position LIMIT 1) r
                """, "UPDATE ledger_head SET position = (SELECT max(position) FROM events)")
            let head = try await store.head().position
            #expect(head == before + 1, "no loan's later event to copy")
            let stages = Mutex<[Projector.RebuildStage]>([])
            #expect(
                try await Projector(store: store).rebuild(loansPerGroup: 1, stage: { stage in stages.withLock { $0.append(stage) } })
                    == head)
            #expect(stages.withLock { $0.contains(.rows) }, "\(stages.withLock { $0 })")
            let whole = try await store.replay(reading: .copy).states.loanSnapshots
            let stored = try await ReadModelWriter.loadLoans(store).map(\.snapshot).sorted { $0.key < $1.key }
            #expect(stored == whole.sorted { $0.key < $1.key } && !stored.isEmpty)
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    @Test("the stored growth sums are found to hold the tally when they do, and not after a drift")
    func growthHoldsTally() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            #expect(try await Projector(store: store, pageSize: 50).catchUp() == store.head().position)
            let loans = try await ReadModelWriter.loadLoans(store)
            let tally = try await ReadModelWriter.tally(ReadModelWriter.byBorrower(loans))
            #expect(!tally.isEmpty)
            #expect(try await GrowthTable.hold(tally, readingBeside: store))
            #expect(try await !GrowthTable.hold(GrowthTally(), readingBeside: store))
            try await TestDatabase.behindTheApplicationsBack(
                url, "UPDATE rm_growth_months SET loans = loans + 1 WHERE ctid = (SELECT min(ctid) FROM rm_growth_months)")
            #expect(try await !GrowthTable.hold(tally, readingBeside: store))
        }
    }

    @Test("a rebuild makes tables that drifted every way equal to the fold again; tables that were right it leaves untouched")
    func rebuildByDifference() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await Self.randomWorkload(store, seed: 11, steps: 250)
            let head = try await store.head().position
            #expect(try await Projector(store: store, pageSize: 50).catchUp() == head)
            let right = try await Self.tables(store)
            let places = try await Self.rowPlaces(store)
            #expect(try await Projector(store: store).rebuild() == head)
            #expect(try await Self.rowPlaces(store) == places, "a row of right tables was written again")
            // The funds' states the projector stored at versions of its own the rebuild stored at
            // the head's; a rebuild of states stored as it would store them writes none.
            let states = try await Self.rowPlaces(store, tables: ["stream_states"])
            #expect(!states.isEmpty)
            #expect(try await Projector(store: store).rebuild() == head)
            #expect(try await Self.rowPlaces(store, tables: ["stream_states"]) == states, "a stored state was written again")

            let loans = try await store.client.withConnection { connection in
                let rows = try await connection.query("SELECT count(*) FROM rm_loans", logger: TestDatabase.logger)
                for try await count in rows.decode(Int.self) { return count }
                return 0
            }
            #expect(loans >= 2, "the workload made \(loans) loans")
            try await store.client.withConnection { connection in
                for drift in [
                    // The first loan: only its fund, NULL or not, differs (`<>` would not see it).
                    "UPDATE rm_loans SET fund_id = CASE WHEN fund_id IS NULL THEN 'LC-IPRC' END WHERE stream = (SELECT min(stream) FROM rm_loans)",
                    "UPDATE rm_loans SET fund_id = NULL, snapshot = snapshot || ' ' WHERE stream = (SELECT max(stream) FROM rm_loans)",
                    "DELETE FROM rm_loans WHERE stream = (SELECT stream FROM rm_loans ORDER BY stream OFFSET 1 LIMIT 1)",
                    "UPDATE rm_funds SET balance_fen = balance_fen + 1",
                    "INSERT INTO rm_funds VALUES ('ghost', 'ghost', 0, 0, 0, 0, false, 0)",
                    "DELETE FROM rm_growth WHERE ctid IN (SELECT ctid FROM rm_growth LIMIT 5)",
                    // Two rows of another scope with their own keys (two scopes may share the rest of a key).
                    "INSERT INTO rm_growth SELECT DISTINCT ON (series, month, day, value, previous_month) 'ghost', series, value, day, month, previous_month, loans, principal_fen FROM rm_growth LIMIT 2",
                    "UPDATE rm_growth_months SET loans = loans + 1 WHERE ctid IN (SELECT ctid FROM rm_growth_months LIMIT 4)",
                    "DELETE FROM rm_exposure WHERE ctid IN (SELECT ctid FROM rm_exposure LIMIT 3)",
                    "UPDATE rm_exposure SET capped_fen = capped_fen + 7 WHERE ctid IN (SELECT ctid FROM rm_exposure OFFSET 3 LIMIT 3)",
                ] {
                    try await connection.query(PostgresQuery(unsafeSQL: drift), logger: TestDatabase.logger)
                }
            }
            #expect(try await Self.tables(store) != right)
            #expect(try await ProjectionReconciliation(store: store).run().differences.count >= 1)
            let drifted = Set(try await Self.rowPlaces(store))
            #expect(try await Projector(store: store).rebuild() == head)
            #expect(try await Self.tables(store) == right)
            // Only the rows that drifted were written: every other row is where it was.
            let untouched = Set(places).intersection(drifted)
            let repaired = Set(try await Self.rowPlaces(store))
            #expect(!untouched.isEmpty && untouched.isSubset(of: repaired))
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    @Test("a follower projector picks up new events as they are appended")
    func followsLiveAppends() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let projector = Projector(store: store, pageSize: 50)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await projector.run() }
                _ = try await Self.randomWorkload(store, seed: 3, steps: 80)
                let head = try await store.head().position
                let deadline = ContinuousClock.now + .seconds(10)
                while projector.position < head && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                #expect(projector.position == head)
                group.cancelAll()
            }
            #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty)
        }
    }

    static func tables(_ store: EventStore) async throws -> [String] {
        try await store.client.withConnection { connection in
            var rows: [String] = []
            // Every column but `last_position` (which position wrote the row).
            let loans = try await connection.query(
                """
                SELECT concat_ws('|', stream, bank_id, contract_no, borrower, coalesce(fund_id, '-'), originated_on, status, principal_fen,
                                 outstanding_fen, snapshot)
                FROM rm_loans ORDER BY stream
                """, logger: TestDatabase.logger)
            for try await row in loans.decode(String.self) { rows.append(row) }
            let funds = try await connection.query(
                """
                SELECT concat_ws('|', fund_id, name, contributed_fen, paid_out_fen, returned_fen, balance_fen, suspended)
                FROM rm_funds ORDER BY fund_id
                """, logger: TestDatabase.logger)
            for try await row in funds.decode(String.self) { rows.append(row) }
            // The sums: every column (none records the position that wrote it).
            for table in ["rm_growth", "rm_growth_months", "rm_exposure"] {
                let sums = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT '\(table)|' || t::text FROM \(table) t ORDER BY 1"), logger: TestDatabase.logger)
                for try await row in sums.decode(String.self) { rows.append(row) }
            }
            return rows
        }
    }

    /// Where each row of the read models lies (a row written again moves).
    static func rowPlaces(
        _ store: EventStore, tables: [String] = ["rm_loans", "rm_funds", "rm_growth", "rm_growth_months", "rm_exposure"]
    ) async throws -> [String] {
        try await store.client.withConnection { connection in
            var places: [String] = []
            for table in tables {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT '\(table)|' || ctid::text FROM \(table) ORDER BY ctid"), logger: TestDatabase.logger)
                for try await place in rows.decode(String.self) { places.append(place) }
            }
            return places
        }
    }
}
