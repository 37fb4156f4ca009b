import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// Reports an administrator runs in a month, read from the streams they need rather than a
/// fold of the whole log: held equal, on the demo district, to that fold.
@Suite("Demo district: recoveries due and an insurer's policies from their own streams")
struct DemoReportsFromStreamsTests {
    // Between a recovery and its return to the fund (2023-12, 2024-10, 2025-09), and around them.
    static let dates = ["2023-06-30", "2023-12-20", "2024-10-31", "2025-09-10", "2026-12-31"]

    @Test("the recovery shares due, every fund's and each fund's, on past dates equal those of the fold of the whole log")
    func recoveriesDue() async throws {
        try await DemoLedger.with { store in
            // Every fund asks for its shares back within five days from mid-2023 (the demo's
            // funds keep the default 30): the days and the overdue flags come from the funds.
            let amended = try BusinessDate(parsing: "2023-07-01")
            for (id, fund) in try await store.replay().states.funds where fund.exists {
                guard var policy = fund.policy(on: amended) else { continue }
                policy.recoveryReturnDays = 5
                try await CommandHandler(store: store).handle(
                    .fund(id, .amendPolicy(policy, effectiveOn: amended, reason: "recovery shares back within five days")))
            }
            let service = ReportService(store: store)
            var (rows, overdue) = (0, 0)
            for text in Self.dates {
                let date = try BusinessDate(parsing: text)
                let whole = try await store.replay(asOf: date).states
                let funds = [nil] + whole.funds.filter(\.value.exists).keys.sorted().map(Optional.some)
                for fund in funds {
                    let expected = try RecoveriesDue.compute(whole, asOf: date, fund: fund)
                    #expect(
                        try await service.recoveriesDue(asOf: date, fund: fund) == expected, "\(fund?.value ?? "every fund") on \(date)")
                    if fund == nil { (rows, overdue) = (rows + expected.rows.count, overdue + expected.overdueCount) }
                }
            }
            #expect(rows >= 3, "the dates should find shares due: \(rows)")
            #expect(overdue >= 1 && overdue < rows, "the five days should make some shares overdue, not all: \(overdue) of \(rows)")
        }
    }

    @Test("each insurer's policies on past dates equal those of the fold of the whole log")
    func policies() async throws {
        try await DemoLedger.with { store in
            let service = ReportService(store: store)
            let insurers = try await store.replay().states.insurers.keys.sorted()
            try #require(!insurers.isEmpty)
            var compared = 0
            for text in Self.dates {
                let date = try BusinessDate(parsing: text)
                let whole = try await store.replay(asOf: date).states
                for insurer in insurers {
                    let expected = PolicyPosition.positions(whole.insurers[insurer] ?? InsurerBookState(), loans: whole.loans, asOf: date)
                    #expect(try await service.policies(of: insurer, asOf: date) == expected, "\(insurer) on \(date)")
                    compared += expected.count
                }
            }
            #expect(compared > 3, "the dates should find policies: \(compared)")
        }
    }
}
