import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("The process's states of streams")
struct StateCacheTests {
    /// The state `cache` holds for a fund, as a fund state, and its version.
    private static func held(_ id: FundId, in cache: StateCache) -> (FundState?, Int32?) {
        guard let entry = cache.get(.fund(id)) else { return (nil, nil) }
        var states = AggregateStates()
        states.restore(.fund(id), entry)
        return (states.funds[id], entry.version)
    }

    @Test(
        "the projector hands over the funds it reads on start and those the cache lacks: each the state a fold of its stream gives at its version"
    )
    func projectorHandsOverFunds() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 5, steps: 150)
            let ids = Array(memory.states.funds.keys)
            #expect(!ids.isEmpty)

            // While following (pages of 20: each fund handed over once, when first met), then on a
            // start at the head (every fund read back and handed over at the head).
            for pageSize in [20, 5000] {
                let cache = StateCache()
                try await Projector(store: store, pageSize: pageSize, streams: cache).catchUp()
                for id in ids {
                    let events = try await store.events(of: .fund(id))
                    let (state, version) = Self.held(id, in: cache)
                    let held = try #require(version, "fund \(id) not handed over, pages of \(pageSize)")
                    if pageSize == 5000 { #expect(Int(held) == events.count, "fund \(id)") }
                    var fresh = AggregateStates()
                    for recorded in events.prefix(Int(held)) { fresh.apply(recorded, to: .fund(id)) }
                    #expect(state == fresh.funds[id], "fund \(id) at version \(held), pages of \(pageSize)")
                }
            }
        }
    }

    @Test(
        "a first read up to a position gives the fold up to it and joins only a read up to the same position; one with none reads to the head"
    )
    func firstReads() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 9, steps: 150)
            let id = try #require(
                memory.states.funds.keys.max { memory.states.funds[$0]!.flows.count < memory.states.funds[$1]!.flows.count })
            let ref = StreamRef.fund(id)
            let events = try await store.events(of: ref)
            #expect(events.count > 4)
            let middle = events[events.count / 2].position
            let cache = StateCache()
            async let early = cache.firstRead(ref, through: middle, from: store)
            async let latest = cache.firstRead(ref, from: store)
            async let again = cache.firstRead(ref, through: middle, from: store)
            let (atMiddle, atHead, atMiddleAgain) = try await (early, latest, again)
            #expect(atMiddle.version == Int32(events.filter { $0.position <= middle }.count))
            #expect(atMiddleAgain.version == atMiddle.version)
            #expect(atHead.version == Int32(events.count))
            #expect(cache.get(ref)?.version == Int32(events.count), "the read further on is the one kept")
        }
    }

    @Test("a projector starting behind the head, with the cache holding its funds further on or not at all, writes what a replay gives")
    func projectorBehindTheCache() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 13, steps: 200)
            let head = try await store.head().position
            for holdsFunds in [true, false] {
                // Read models emptied, then a projector stopped part-way: the checkpoint is behind.
                try await store.withConnection("test") { connection in
                    for table in ["rm_loans", "rm_funds", "rm_growth", "rm_growth_months", "rm_exposure"] {
                        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: store.logger)
                    }
                    try await connection.query("UPDATE projection_checkpoints SET position = 0", logger: store.logger)
                }
                #expect(try await ProjectorTests.stopPartWay(store, head: head) < head)
                let cache = StateCache()
                if holdsFunds {
                    for id in memory.states.funds.keys {
                        var states = AggregateStates()
                        try await cache.load([.fund(id)], from: store, into: &states)
                    }
                }
                #expect(try await Projector(store: store, pageSize: 20, streams: cache).catchUp() == head)
                #expect(try await ProjectionReconciliation(store: store).run().differences.isEmpty, "cache held funds: \(holdsFunds)")
            }
        }
    }

    @Test(
        "streams read together — each from the cache, from its first event or from a version the caller holds, in pages shorter than a stream — give what a fold of each stream gives"
    )
    func streamsReadTogether() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await ProjectorTests.randomWorkload(store, seed: 21, steps: 150)
            let head = try await store.head().position
            var folded = AggregateStates()
            let refs = Array(
                try await store.load(streams: try await store.streams(changedAfter: 0, through: head).keys, through: head, into: &folded)
                    .values)
            #expect(refs.count > 10)
            // A few streams per query and one to three queries read ahead: every stream is folded
            // whole, once, whichever query is answered first.
            let names = refs.map(\.name)
            for (perQuery, ahead) in [(1, 2), (2, 2), (3, 1), (4, 3)] {
                var chunked = AggregateStates()
                _ = try await store.load(streams: names, through: head, asOf: nil, into: &chunked, perQuery: perQuery, ahead: ahead)
                for ref in refs { #expect(Self.same(ref, chunked, folded), "\(ref), \(perQuery) streams per query, \(ahead) ahead") }
            }
            var events: [[RecordedEvent]] = []
            for ref in refs { events.append(try await store.events(of: ref)) }
            #expect(events.contains { $0.count > 3 }, "no stream longer than a page")

            // From a version the caller holds: the first k events folded, the rest read in pages of
            // 1 (every stream's rest a whole number of pages) and of 3; one stream named twice.
            func held(_ index: Int) -> Int { index % 3 == 0 ? 0 : events[index].count / (index % 3 + 1) }
            func foldFirst(_ count: Int, of ref: StreamRef, into states: inout AggregateStates) {
                states.markLoaded(ref)
                for recorded in events[refs.firstIndex(of: ref)!].prefix(count) { states.apply(recorded, to: ref) }
            }
            for pageSize in [1, 3] {
                var partial = AggregateStates()
                var reads: [(ref: StreamRef, from: Int32)] = []
                for (index, ref) in refs.enumerated() {
                    foldFirst(held(index), of: ref, into: &partial)
                    reads.append((ref, Int32(held(index)) + 1))
                }
                reads.append(reads[1])
                try await store.load(reads, pageSize: pageSize, into: &partial)
                for ref in refs { #expect(Self.same(ref, partial, folded), "\(ref), read on from a held version, pages of \(pageSize)") }
            }

            // Through the cache: some streams cached at an earlier version, some at their last, the
            // rest not at all, and one that does not exist; then all of them at once.
            let cache = StateCache()
            for (index, ref) in refs.enumerated() where index % 3 != 0 {
                var earlier = AggregateStates()
                foldFirst(index % 3 == 1 ? held(index) : events[index].count, of: ref, into: &earlier)
                cache.put(ref, earlier.entry(ref))
            }
            let missing = StreamRef.loan(LoanKey(bank: try BankId("NOBANK"), contract: try ContractNo("NONE")))
            var expected = folded
            expected.markLoaded(missing)
            var all = AggregateStates()
            try await cache.load(refs + [missing, refs[0]], from: store, into: &all)
            for ref in refs + [missing] {
                #expect(Self.same(ref, all, expected), "\(ref), through the cache")
                #expect(cache.get(ref)?.version == expected.versions[ref], "\(ref) kept at its version")
            }
        }
    }

    /// The same version and state of `ref` in both.
    private static func same(_ ref: StreamRef, _ a: AggregateStates, _ b: AggregateStates) -> Bool {
        guard a.versions[ref] == b.versions[ref] else { return false }
        return switch ref {
        case .fund(let id): a.funds[id] == b.funds[id]
        case .bank(let id): a.banks[id] == b.banks[id]
        case .borrower(let uscc): a.borrowers[uscc] == b.borrowers[uscc]
        case .asset(let id): a.assets[id] == b.assets[id]
        case .loan(let key): a.loans[key] == b.loans[key]
        case .lpr: a.lpr == b.lpr
        case .scheme(let id): a.schemes[id] == b.schemes[id]
        case .subsidy(let id): a.subsidies[id] == b.subsidies[id]
        case .insurer(let id): a.insurers[id] == b.insurers[id]
        }
    }

    @Test("an offer or a put never replaces a state further on, and a full cache keeps the funds")
    func offersAndEviction() throws {
        let fund = try FundId("F1")
        let cache = StateCache(capacity: 3)
        func entry(version: Int32) -> AggregateStates.Entry {
            var at = AggregateStates()
            at.versions[.fund(fund)] = version
            return at.entry(.fund(fund))
        }
        cache.offer(.fund(fund), entry(version: 7))
        cache.offer(.fund(fund), entry(version: 5))
        #expect(cache.get(.fund(fund))?.version == 7)
        cache.offer(.fund(fund), entry(version: 9))
        #expect(cache.get(.fund(fund))?.version == 9)
        cache.put(.fund(fund), entry(version: 4))
        #expect(cache.get(.fund(fund))?.version == 9, "a caller that read earlier put its state after one further on")

        let loans = try (1...3).map { LoanKey(bank: try BankId("B1"), contract: try ContractNo("C\($0)")) }
        for key in loans { cache.put(.loan(key), AggregateStates().entry(.loan(key))) }
        #expect(cache.get(.fund(fund))?.version == 9, "a full cache dropped the fund")
        #expect(cache.get(.loan(loans[2])) != nil)
        #expect(cache.get(.loan(loans[0])) == nil)
    }
}
