import Foundation
import PledgerDomain
import PledgerTestSupport
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

    @Test("the projector hands the funds it folds to the commands and reports: the states a fold of their streams gives")
    func projectorHandsOverFunds() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            let memory = try await ProjectorTests.randomWorkload(store, seed: 5, steps: 150)
            let ids = Array(memory.states.funds.keys)
            #expect(!ids.isEmpty)

            // While following (pages of 20), then on a start at the head (the funds read back).
            for pageSize in [20, 5000] {
                let cache = StateCache()
                try await Projector(store: store, pageSize: pageSize, streams: cache).catchUp()
                for id in ids {
                    var fresh = AggregateStates()
                    try await store.load(.fund(id), into: &fresh)
                    let (state, version) = Self.held(id, in: cache)
                    #expect(version == fresh.versions[.fund(id)], "fund \(id), pages of \(pageSize)")
                    #expect(state == fresh.funds[id], "fund \(id), pages of \(pageSize)")
                }
            }
        }
    }

    @Test("an offer never replaces a state further on, and a full cache keeps the funds")
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

        let loans = try (1...3).map { LoanKey(bank: try BankId("B1"), contract: try ContractNo("C\($0)")) }
        for key in loans { cache.put(.loan(key), AggregateStates().entry(.loan(key))) }
        #expect(cache.get(.fund(fund))?.version == 9, "a full cache dropped the fund")
        #expect(cache.get(.loan(loans[2])) != nil)
        #expect(cache.get(.loan(loans[0])) == nil)
    }
}
