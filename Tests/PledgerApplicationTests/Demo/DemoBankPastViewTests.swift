import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A bank's past view reads only the bank's streams (`ReportService.pastView`): held equal,
/// on the demo district, to the fold of the whole log it replaces.
@Suite("Demo district: a bank's past views from its own streams")
struct DemoBankPastViewTests {
    @Test("each bank's loans and exposure as of past dates and as known at a past time equal the fold of the whole log")
    func equalsTheFoldOfTheLog() async throws {
        try await DemoLedger.with { store in
            let service = ReportService(store: store)
            let head = try await store.head().position
            let midway = try #require(try await store.read(after: head * 2 / 3, limit: 1).first).envelope.recordedAt
            let everything = try await store.replay().states
            let banks = everything.banks.keys.sorted()
            let funds = everything.funds.filter(\.value.exists).keys.sorted()
            #expect(banks.count > 2 && funds.count >= 2)
            let cuts: [(BusinessDate?, RecordedTime?)] = [
                (try BusinessDate(parsing: "2023-06-30"), nil), (try BusinessDate(parsing: "2024-12-31"), midway), (nil, midway),
            ]
            var compared = 0
            for (asOf, knownAt) in cuts {
                let date = asOf ?? BusinessDate(containing: .now())
                let whole = try await store.replay(asOf: date, knownAt: knownAt).states
                for bank in banks {
                    let expected = whole.loanSnapshots.filter { $0.bankId == bank }
                    let seen = try await service.loanSnapshots(asOf: date, knownAt: knownAt, bank: bank)
                    #expect(seen == expected, "\(bank) as of \(date) known at \(knownAt?.description ?? "now")")
                    compared += expected.count
                    for fund in funds {
                        guard let state = whole.funds[fund], state.exists, state.policy(on: date) != nil else { continue }
                        let loans = expected.filter { $0.fundId == fund }
                        var report = try ExposureReport.compute(fund: state, loans: loans, asOf: date, topBorrowers: 10)
                        report.suspendedBanks = report.suspendedBanks.filter { $0 == bank }
                        try report.addSchemeShares(schemes: Array(whole.schemes.values), loans: whole.loans, bank: bank)
                        #expect(
                            try await service.exposure(fund: fund, asOf: date, knownAt: knownAt, bank: bank) == report, "\(fund) \(bank)")
                    }
                }
            }
            #expect(compared > 100, "the cuts should leave loans to compare: \(compared)")
        }
    }
}
