import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A bank's past view reads only the bank's streams, a fund's exposure only the fund's
/// (`ReportService.pastView`): held equal, on the demo district, to the fold of the whole log
/// they replace.
@Suite("Demo district: a bank's and a fund's past views from their own streams")
struct DemoPastViewTests {
    /// Where the views are cut: as of mid-2023; as of the end of 2024 as known two thirds of
    /// the way through the log; today as known then.
    static func cuts(_ store: EventStore) async throws -> [(asOf: BusinessDate, knownAt: RecordedTime?)] {
        let head = try await store.head().position
        let midway = try #require(try await store.read(after: head * 2 / 3, limit: 1).first).envelope.recordedAt
        return [
            (try BusinessDate(parsing: "2023-06-30"), nil), (try BusinessDate(parsing: "2024-12-31"), midway),
            (BusinessDate(containing: .now()), midway),
        ]
    }

    /// A fund's exposure (a bank's slice of it, with `bank`) computed from the fold of the
    /// whole log, `loans` being those of its loans the report counts.
    static func foldedExposure(
        _ fund: FundState, loans: [LoanSnapshot], in whole: AggregateStates, asOf date: BusinessDate, bank: BankId? = nil
    ) throws -> ExposureReport {
        var report = try ExposureReport.compute(fund: fund, loans: loans, asOf: date)
        if let bank { report.suspendedBanks = report.suspendedBanks.filter { $0 == bank } }
        try report.addSchemeShares(schemes: Array(whole.schemes.values), loans: whole.loans, bank: bank)
        return report
    }

    @Test("each bank's loans and exposure as of past dates and as known at a past time equal the fold of the whole log")
    func equalsTheFoldOfTheLog() async throws {
        try await DemoLedger.with { store in
            let service = ReportService(store: store)
            let everything = try await store.replay().states
            let banks = everything.banks.keys.sorted()
            let funds = everything.funds.filter(\.value.exists).keys.sorted()
            #expect(banks.count > 2 && funds.count >= 2)
            var compared = 0
            for (date, knownAt) in try await Self.cuts(store) {
                let whole = try await store.replay(asOf: date, knownAt: knownAt).states
                for bank in banks {
                    let expected = whole.loanSnapshots.filter { $0.bankId == bank }
                    let seen = try await service.loanSnapshots(asOf: date, knownAt: knownAt, bank: bank)
                    #expect(seen == expected, "\(bank) as of \(date) known at \(knownAt?.description ?? "now")")
                    compared += expected.count
                    for fund in funds {
                        guard let state = whole.funds[fund], state.exists, state.policy(on: date) != nil else { continue }
                        let report = try Self.foldedExposure(
                            state, loans: expected.filter { $0.fundId == fund }, in: whole, asOf: date, bank: bank)
                        #expect(
                            try await service.exposure(fund: fund, asOf: date, knownAt: knownAt, bank: bank) == report, "\(fund) \(bank)")
                    }
                }
            }
            #expect(compared > 100, "the cuts should leave loans to compare: \(compared)")
        }
    }

    @Test("each fund's whole exposure as of past dates and as known at a past time equals the fold of the whole log")
    func fundEqualsTheFoldOfTheLog() async throws {
        try await DemoLedger.withURL { store, url in
            let service = ReportService(store: store)
            let funds = try await store.replay().states.funds.filter(\.value.exists).keys.sorted()
            var (compared, shared) = (0, 0)
            for (date, knownAt) in try await Self.cuts(store) {
                let whole = try await store.replay(asOf: date, knownAt: knownAt).states
                for fund in funds {
                    guard let state = whole.funds[fund], state.exists, state.policy(on: date) != nil else { continue }
                    let loans = whole.loanSnapshots.filter { $0.fundId == fund }
                    let report = try Self.foldedExposure(state, loans: loans, in: whole, asOf: date)
                    #expect(
                        try await service.exposure(fund: fund, asOf: date, knownAt: knownAt) == report,
                        "\(fund) as of \(date) known at \(knownAt?.description ?? "now")")
                    compared += loans.count
                    // Loans a scheme naming the fund shares that the fund does not cover.
                    let covered = Set(loans.map { LoanKey(bank: $0.bankId, contract: $0.contractNo) })
                    shared +=
                        whole.schemes.values.filter { $0.funds.contains(fund) }.flatMap(\.loanOrder).filter { !covered.contains($0) }.count
                }
            }
            #expect(compared > 100, "the cuts should leave loans to compare: \(compared)")
            #expect(shared > 0, "a scheme should share loans its fund does not cover: \(shared)")

            // The read models behind (a projector stopped): the loans founded after a position
            // are not in rm_loans, and the view finds them among the events since.
            let behind = try await store.head().position * 4 / 5
            let removed = try await TestDatabase.asSuperuser(url) { connection in
                let rows = try await connection.query(
                    """
                    DELETE FROM rm_loans WHERE stream IN (SELECT stream FROM events WHERE version = 1 AND position > \(behind))
                    RETURNING fund_id
                    """, logger: TestDatabase.logger)
                var covered = 0
                for try await fund in rows.decode(String?.self) where fund != nil { covered += 1 }
                try await connection.query("UPDATE projection_checkpoints SET position = \(behind)", logger: TestDatabase.logger)
                return covered
            }
            #expect(removed > 0, "loans covered by a fund should be founded after position \(behind)")
            let today = BusinessDate(containing: .now())
            let whole = try await store.replay(asOf: today).states
            for fund in funds {
                guard let state = whole.funds[fund], state.policy(on: today) != nil else { continue }
                let report = try Self.foldedExposure(state, loans: whole.loanSnapshots.filter { $0.fundId == fund }, in: whole, asOf: today)
                #expect(try await service.exposure(fund: fund, asOf: today) == report, "\(fund), the read models behind")
            }
        }
    }
}
