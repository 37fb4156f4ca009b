import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// The demo district's current reports, read from the projector's sums, against the same
/// reports folded from the log: its dates all lie in the past, so a past view as of today
/// is the current state, computed loan by loan.
@Suite("Demo district: reports from the sums")
struct DemoReportSumsTests {
    @Test("growth and every fund's exposure (whole and each bank's slice) equal the fold of the log; reconcile is clean")
    func sumsEqualTheFold() async throws {
        try await DemoLedger.with { store in
            let service = ReportService(store: store)
            let today = BusinessDate(containing: .now())
            let window = try MonthWindow.years(2022, 2026)
            let banks = try await store.replay().states.banks.keys.sorted()
            #expect(banks.count > 2)
            for bank in [nil] + banks {
                for series in GrowthReport.Series.all {
                    let summed = try await service.growth(window: window, by: series.dimension, regionLevel: series.regionLevel, bank: bank)
                    let folded = try await service.growth(
                        window: window, by: series.dimension, regionLevel: series.regionLevel, knownAt: .now(), bank: bank)
                    #expect(summed.years == folded.years && summed.slices == folded.slices, "\(series) \(bank?.value ?? "all")")
                }
            }
            let funds = try await store.replay().states.funds.filter(\.value.exists).keys.sorted()
            #expect(funds.count >= 2)
            var borrowers = 0
            for fund in funds {
                for bank in [nil] + banks {
                    let summed = try await service.exposure(fund: fund, bank: bank)
                    let folded = try await service.exposure(fund: fund, asOf: today, bank: bank)
                    #expect(summed == folded, "\(fund) \(bank?.value ?? "all banks")")
                    borrowers += summed.topBorrowers.count
                }
            }
            #expect(borrowers > 10)

            // A repayment of all but 1.00 on an active loan of a scheme: the sums and the schemes' loans as the
            // service last read them both move with it.
            let states = try await store.replay().states
            let loan = try #require(
                states.loans.values.filter { $0.status == .active && $0.scheme != nil }
                    .min { $0.origination!.contractNo.value < $1.origination!.contractNo.value })
            let key = try #require(loan.origination).key
            let enrolment = try #require(loan.scheme)
            let scheme = try #require(states.schemes[enrolment.schemeId])
            let fund = try #require(scheme.funds.sorted().first)
            let before = try await service.exposure(fund: fund)
            try await CommandHandler(store: store).handle(
                .loan(
                    key,
                    .repay(
                        principal: try loan.outstanding - (try Money(parsing: "1.00")), interest: .zero,
                        paidOn: try BusinessDate(parsing: "2025-12-30"))))
            _ = try await Projector(store: store).catchUp()
            let after = try await service.exposure(fund: fund)
            #expect(after == (try await service.exposure(fund: fund, asOf: today)))
            #expect(
                after.coveredOutstandingFen.fen == before.coveredOutstandingFen.fen
                    - (loan.origination?.fundId == fund ? loan.outstanding.fen - 100 : 0))
            #expect(after.schemeShares != before.schemeShares)
            let (differences, _, _) = try await ProjectionReconciliation(store: store).run()
            #expect(differences.isEmpty, "\(differences.prefix(5))")
        }
    }
}
