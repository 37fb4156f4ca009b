import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// A hand-built ledger over 2021–2025 whose yearly totals were computed by hand:
///   2021  L1 1,000,000 + L2 1,000,000 = 2,000,000   (2 loans, 2 borrowers)
///   2022  L3 2,300,000                              (+15.00% → target met, exactly)
///   2023  L4 1,000,000 + L5 1,600,000 = 2,600,000   (+13.04%, not met)
///   2024  L6 3,120,000                              (+20.00%, met)
///   2025  L7 3,000,000 (+ L8 999,999.99 cancelled)  (−3.85%, rounded down, not met)
///   CAGR 2021→2025: 1.5^(1/4) − 1 = 10.66% (rounded down)
struct GrowthLedger {
    var ledger = InMemoryLedger()
    let fund = fundId("F")
    let b1 = bankId("B1"), b2 = bankId("B2")
    let x = validUscc("91211303MA0000001"), y = validUscc("91211302MA0000002"), z = validUscc("91210102MA0000003")

    init() throws {
        try ledger.run(
            .fund(
                fund,
                .establish(
                    id: fund, name: "Fund", region: try RegionCode("211303"), policy: examplePolicy, establishedOn: date("2021-01-01"))))
        // Enough money for the loans below at the policy's 10× leverage.
        try ledger.run(
            .fund(
                fund,
                .receiveContribution(
                    amount: yuan("2,000,000.00"), contributor: .district, receivedOn: date("2021-01-01"), reference: "seed")))
        for bank in [b1, b2] {
            try ledger.run(.bank(bank, .register(id: bank, name: "Bank \(bank)", licence: "L")))
            try ledger.run(.fund(fund, .joinBank(bank, agreement: "A", effectiveOn: date("2021-01-01"))))
        }
        for (borrower, industry, region) in [(x, "C3841", "211303"), (y, "I6510", "211302"), (z, "C3842", "210102")] {
            try ledger.run(
                .borrower(
                    borrower,
                    .register(
                        uscc: borrower, name: "Co", industry: try IndustryCode(industry), region: try RegionCode(region), techSme: true)))
        }
        let assets: [(String, AssetKind, String)] = [
            ("P1", .patent, "5,000,000.00"), ("T1", .trademark, "4,000,000.00"), ("P2", .patent, "5,000,000.00"),
            ("P3", .patent, "5,000,000.00"), ("P4", .patent, "3,000,000.00"), ("T2", .trademark, "1,000,000.00"),
            ("T3", .trademark, "6,000,000.00"),
            ("P5", .patent, "6,000,000.00"), ("P6", .patent, "6,000,000.00"),
        ]
        for (id, kind, value) in assets {
            try ledger.run(.asset(assetId(id), .register(id: assetId(id), kind: kind, registryNo: id, title: id, owner: x)))
            try ledger.run(
                .asset(
                    assetId(id),
                    .value(
                        id: valuationId("V"), appraiser: "A", method: .income, value: yuan(value), valuedOn: date("2021-01-01"),
                        reportRef: "R")))
        }
        try originate("L1", b1, x, "1,000,000.00", "2021-03-01", ["P1"])
        try originate("L2", b2, y, "1,000,000.00", "2021-07-01", ["T1"], enrolled: false)
        try revalue(["P2"], on: "2022-01-01")
        try originate("L3", b1, x, "2,300,000.00", "2022-05-10", ["P2"])
        try revalue(["P3", "P4", "T2"], on: "2022-12-01")
        try originate("L4", b1, y, "1,000,000.00", "2023-02-01", ["P3"])
        try originate("L5", b2, z, "1,600,000.00", "2023-08-01", ["P4", "T2"])
        try revalue(["T3"], on: "2024-01-01")
        try originate("L6", b2, x, "3,120,000.00", "2024-06-01", ["T3"])
        try revalue(["P5", "P6"], on: "2024-12-01")
        try originate("L7", b1, z, "3,000,000.00", "2025-01-10", ["P5"])
        try originate("L8", b1, y, "999,999.99", "2025-02-01", ["P6"])
        try ledger.run(.loan(loanKey("B1", "L8"), .cancel(on: date("2025-02-02"), reason: "entered in error")))
    }

    mutating func revalue(_ ids: [String], on day: String) throws {
        for id in ids {
            let value = ledger.asset(assetId(id)).valuations.values.first!.valueFen
            try ledger.run(
                .asset(
                    assetId(id),
                    .value(id: valuationId("V\(day)"), appraiser: "A", method: .income, value: value, valuedOn: date(day), reportRef: "R")))
        }
    }

    mutating func originate(
        _ contract: String, _ bank: BankId, _ borrower: Uscc, _ principal: String, _ on: String, _ assets: [String], enrolled: Bool = true
    ) throws {
        let key = LoanKey(bank: bank, contract: try ContractNo(contract))
        try ledger.run(
            .loan(
                key,
                .originate(
                    .init(
                        key: key, borrower: borrower, principal: yuan(principal), rate: Bp(400), originatedOn: date(on),
                        maturesOn: date(on).adding(months: 12),
                        collateral: assets.map { .init(asset: assetId($0), registrationNo: "R-\($0)") }, fund: enrolled ? fund : nil))))
    }

    func snapshots(asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil) -> [LoanSnapshot] {
        var fold = LedgerFold(asOf: asOf, knownAt: knownAt)
        for recorded in ledger.log where !fold.apply(recorded) { break }
        return fold.states.loanSnapshots
    }
}

@Suite("Financing growth report")
struct GrowthReportTests {
    @Test("yearly totals, YoY, target and CAGR match the hand computation")
    func totals() throws {
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025)
        #expect(
            report.years.map(\.principalFen) == ["2,000,000.00", "2,300,000.00", "2,600,000.00", "3,120,000.00", "3,000,000.00"].map(yuan))
        #expect(report.years.map(\.loans) == [2, 1, 2, 1, 1])
        #expect(report.years.map(\.borrowers) == [2, 1, 2, 1, 1])
        #expect(report.years.map(\.principalGrowthBp) == [nil, Bp(1500), Bp(1304), Bp(2000), Bp(-385)])
        #expect(report.years.map(\.targetMet) == [nil, true, false, true, false])
        #expect(report.years.map(\.loanGrowthBp) == [nil, Bp(-5000), Bp(10_000), Bp(-5000), Bp(0)])
        #expect(report.cagrBp == Bp(1066))
        #expect(report.monthly.first == GrowthReport.Month(month: "2021-03", loans: 1, principalFen: yuan("1,000,000.00")))
        #expect(report.monthly.count == 7)
    }

    @Test("every slicing adds up to the totals, to the fen", arguments: GrowthReport.Dimension.allCases)
    func slicesSum(dimension: GrowthReport.Dimension) throws {
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025, by: dimension)
        for (index, year) in report.years.enumerated() {
            #expect(report.slices.reduce(0) { $0 + $1.years[index].principalFen.fen } == year.principalFen.fen, "\(dimension) \(year.year)")
        }
    }

    @Test("slices by kind split principal pro rata to the pledged valuations")
    func kinds() throws {
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2023, to: 2023, by: .kind)
        // L4 1,000,000 on a patent; L5 1,600,000 on a 3,000,000 patent + 1,000,000 trademark → 1,200,000 + 400,000.
        #expect(report.slices.map(\.value) == ["patent", "trademark"])
        #expect(report.slices.map { $0.years[0].principalFen } == [yuan("2,200,000.00"), yuan("400,000.00")])
        #expect(report.slices.map { $0.years[0].loans } == [2, 1])
    }

    @Test("remainders of the pro rata split go to the largest remainders, so shares sum exactly")
    func splitRemainders() {
        let collateral = [AssetKind.patent, .trademark, .copyright].map {
            Collateral(
                assetId: assetId($0.rawValue), kind: $0, valuationId: valuationId("V"), appraisedValueFen: yuan("1.00"), registrationNo: "R"
            )
        }
        let shares = LoanSnapshot.split(Money(fen: 10_000), collateral)
        #expect(shares.reduce(0) { $0 + $1.principalFen.fen } == 10_000)
        #expect(shares.map(\.principalFen.fen).sorted() == [3333, 3333, 3334])
        // The leftover fen goes to the first asset in collateral order.
        #expect(shares.first { $0.kind == .patent }?.principalFen.fen == 3334)
    }

    @Test("a cancelled loan is left out; cancelling another changes exactly its year")
    func cancellation() throws {
        var ledger = try GrowthLedger()
        let before = try GrowthReport.compute(ledger.snapshots(), from: 2021, to: 2025)
        try ledger.ledger.run(.loan(loanKey("B1", "L4"), .cancel(on: date("2023-03-01"), reason: "duplicate entry")))
        let after = try GrowthReport.compute(ledger.snapshots(), from: 2021, to: 2025)
        #expect(after.years[2].principalFen == yuan("1,600,000.00"))
        #expect(after.years[2].loans == 1)
        for index in [0, 1, 3, 4] { #expect(after.years[index].principalFen == before.years[index].principalFen) }
        #expect(after.years[3].principalGrowthBp == Bp(9500))  // 3,120,000 ÷ 1,600,000 − 1
    }

    @Test("bitemporal: events recorded after known_at are invisible; a 2024 loan recorded in 2025 counts for 2024 once known")
    func bitemporal() throws {
        var ledger = try GrowthLedger()
        let knownBefore = ledger.ledger.log.last!.recordedAt
        try ledger.revalue(["P6"], on: "2024-01-01")
        try ledger.originate("L9", ledger.b2, ledger.y, "500,000.00", "2024-06-15", ["P6"])
        let late = try GrowthReport.compute(ledger.snapshots(), from: 2024, to: 2024)
        #expect(late.years[0].principalFen == yuan("3,620,000.00"))
        let then = try GrowthReport.compute(ledger.snapshots(knownAt: knownBefore), from: 2024, to: 2024)
        #expect(then.years[0].principalFen == yuan("3,120,000.00"))
        // As of mid-2024 (business date), L6 (June 1) counts and L7 (2025) does not exist yet.
        let midYear = try GrowthReport.compute(ledger.snapshots(asOf: date("2024-06-10")), from: 2024, to: 2025)
        #expect(midYear.years.map(\.principalFen) == [yuan("3,120,000.00"), .zero])
    }

    @Test("principal summing above the maximum (hostile snapshots) throws limitExceeded instead of trapping; so do years running backwards")
    func hostileSnapshots() throws {
        let loan = try GrowthLedger().snapshots().first { $0.originatedOn.year == 2021 }!
        let hostile = try (1...1_100).map { n in
            var copy = loan
            copy.contractNo = try ContractNo("H-\(n)")
            copy.principalFen = Money.maximum
            return copy
        }
        for dimension in [nil, GrowthReport.Dimension.bank] {
            #expect {
                try GrowthReport.compute(hostile, from: 2021, to: 2022, by: dimension)
            } throws: { error in
                guard let error = error as? DomainError else { return false }
                return error.code == .limitExceeded && error.field == "principal_fen"
                    && error.message.contains("the principal lent in 2021") && error.message.contains("maximum of 90,071,992,547,409.91")
            }
        }
        #expect(throws: DomainError.self) { try GrowthReport.compute([loan], from: 2025, to: 2021) }
    }
}
