import PledgerApplication
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Synchronization
import Testing

@Suite("The demo district")
struct DemoDistrictTests {
    @Test("deterministic: the same seed decides the same history, event for event; another seed another")
    func deterministic() {
        let again = DemoDistrict(seed: 2023).generate()
        let other = DemoDistrict(seed: 7).generate()
        #expect(again.session.recorded.map(\.event) == DemoLedger.generated.session.recorded.map(\.event))
        #expect(again.session.recorded.map(\.event.id) == DemoLedger.generated.session.recorded.map(\.event.id))
        #expect(other.session.recorded.map(\.event) != again.session.recorded.map(\.event))
    }

    @Test("a district of about 100 loans and 1,000 events over 2022–2025, with defaults and claims paid; scale grows it")
    func size() {
        let (session, summary) = DemoLedger.generated
        #expect((80...130).contains(summary.loans), "\(summary.loans) loans")
        #expect((700...2_000).contains(session.recorded.count), "\(session.recorded.count) events")
        #expect(summary.defaults > 0 && summary.claimsPaid > 0 && summary.claimsPaid <= summary.defaults)
        #expect(summary.commands >= summary.loans)
        let loans = session.states.loanSnapshots
        #expect(loans.count == summary.loans)
        #expect(Set(loans.map { $0.originatedOn.year }) == [2022, 2023, 2024, 2025])
        #expect(session.states.funds[DemoDistrict.fund]?.exists == true)
        #expect(DemoDistrict(scale: 2).generate().summary.loans > summary.loans * 3 / 2)
    }

    @Test(
        "loaded into empty ledgers part by part (parts of 100 events and of 50,000): the events generate() decides, one head hash; a ledger with events is refused"
    )
    func load() async throws {
        let district = DemoLedger.district
        let generated = DemoLedger.generated.session.recorded
        let small = try await TestDatabase.withLedger { store, _ in
            var parts: [Int] = []
            let loaded = try await district.load(into: Ledger(log: store), partEvents: 100) { done, _ in parts.append(done) }
            #expect(parts.count > 10 && parts == parts.sorted(), "each part reported, in order: \(parts)")
            #expect(loaded.events == generated.count && loaded.summary.loans == DemoLedger.generated.summary.loans)
            let stored = try await store.read(after: 0, limit: 100_000)
            #expect(
                stored.map(\.envelope.eventId) == generated.map(\.event.id) && stored.map(\.position) == generated.map(\.event.position))
            return try await store.head()
        }
        let whole = try await DemoLedger.with { store in
            let head = try await store.head()
            await #expect(
                throws: ApplicationError.failure(
                    "the demo loads into an empty ledger, and this one has \(head.position) events; use a fresh database (deploy/local/pg wipe, then start)"
                )
            ) {
                try await district.load(into: Ledger(log: store))
            }
            #expect(try await store.head().position == head.position)
            return head
        }
        #expect(small.position == Int64(generated.count))
        #expect(small.hash == whole.hash && small.position == whole.position)
    }

    @Test("read models computed from the decided states are the log's (reconcile is clean); after another write, rebuilt from the log")
    func projectFromStates() async throws {
        let district = DemoLedger.district
        let loan = try #require(
            DemoLedger.generated.session.states.loans.values.filter { $0.status == .active }.min {
                $0.origination!.contractNo.value < $1.origination!.contractNo.value
            })
        for writeBetween in [false, true] {
            try await TestDatabase.withLedger { store, _ in
                let ledger = Ledger(log: store)
                let loaded = try await district.load(into: ledger)
                if writeBetween {
                    try await CommandHandler(store: store).handle(
                        .loan(
                            try #require(loan.origination).key,
                            .repay(
                                principal: try Money(parsing: "1.00"), interest: .zero, paidOn: try BusinessDate(parsing: "2025-12-30"))))
                }
                // A rebuild from the log starts by reading the funds' streams; one from the states
                // reads no log.
                let stages = Mutex<[Projector.RebuildStage]>([])
                let projected = try await district.project(
                    loaded.states, events: loaded.events, in: ledger, stage: { stage in stages.withLock { $0.append(stage) } })
                #expect(projected == Int64(loaded.events) + (writeBetween ? 1 : 0))
                #expect(stages.withLock { $0.first } == (writeBetween ? .funds : .rows))
                let (differences, checked, _) = try await ProjectionReconciliation(store: store).run()
                #expect(differences.isEmpty, "\(differences.prefix(5))")
                #expect(checked > 100)
            }
        }
    }

    @Test("appended in chunks of about 100 events, each encoded while the one before is written: the log one atomic append writes")
    func chunked() async throws {
        let session = DemoLedger.generated.session
        func load(chunk: Int?) async throws -> (head: LedgerHash, hashes: [LedgerHash], reported: [Int]) {
            try await TestDatabase.withLedger { store, _ in
                var appender = BatchAppender(store: store)
                if let chunk { appender.maxEventsPerAppend = chunk }
                var reported: [Int] = []
                try await appender.append(session.decided, atomic: chunk == nil, backfill: true) { done, _ in reported.append(done) }
                let stored = try await store.read(after: 0, limit: 100_000)
                return (try await store.head().hash, stored.map(\.hash), reported)
            }
        }
        let whole = try await load(chunk: nil)
        let chunked = try await load(chunk: 100)
        #expect(whole.hashes.count == session.recorded.count && whole.reported == [session.recorded.count])
        #expect(
            chunked.reported.count > 10 && chunked.reported == chunked.reported.sorted() && chunked.reported.last == session.recorded.count)
        #expect(chunked.hashes == whole.hashes && chunked.head == whole.head)
    }
}
