import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Hand-computed fund scenario (amounts in yuan):
///   contributions 3,000,000 province + 4,000,000 city + 3,000,000 district = 10,000,000
///   A  LCRCB/X  5,000,000 → repaid 1,800,000 → default 3,200,000 → paid 1,000,000 → recovery 500,000, 156,250 returned
///   B  B2/Y     2,000,000 active                 liability min(800,000, 1,000,000)              =   800,000
///   C  LCRCB/X  3,000,000 active                 min(1,200,000, 1,000,000), X's cap left 1,000,000 = 1,000,000
///   D  B2/Z     1,500,000 defaulted, claim 600,000 filed (pending, no liability counted)
///   E  LCRCB/Y    400,000 not enrolled (ignored)
///   balance 10,000,000 − 1,000,000 + 156,250 = 9,156,250
///   covered outstanding B + C + D = 6,500,000; contingent 1,800,000; pending 600,000
///   leverage 6,500,000 ÷ 9,156,250 = 0.7099 (7099 bp, up); adequacy 9,156,250 ÷ 2,400,000 = 3.8151 (38151 bp, down)
///   NPL 1,500,000 ÷ 6,500,000 = 23.08% (2308 bp, up) > 5% threshold → breached
@Suite("Fund exposure report")
struct ExposureReportTests {
    func scenario() throws -> ExampleDistrict {
        var d = try ExampleDistrict()
        let b2 = bankId("B2")
        let y = validUscc("91211302MA0000002")
        let z = validUscc("91210102MA0000003")
        try d.ledger.run(.bank(b2, .register(id: b2, name: "Bank Two", licence: "L2")))
        try d.ledger.run(.fund(d.fund, .joinBank(b2, agreement: "A2", effectiveOn: date("2023-03-01"))))
        for borrower in [y, z] {
            try d.ledger.run(
                .borrower(
                    borrower,
                    .register(
                        uscc: borrower, name: "Co", industry: try IndustryCode("C38"), region: try RegionCode("211303"), techSme: false)))
        }
        for (id, kind, value) in [
            ("T1", AssetKind.trademark, "4,000,000.00"), ("P2", .patent, "6,000,000.00"), ("P3", .patent, "3,000,000.00"),
            ("P4", .patent, "1,000,000.00"),
        ] {
            try d.ledger.run(.asset(assetId(id), .register(id: assetId(id), kind: kind, registryNo: id, title: id, owner: d.borrower)))
            try d.ledger.run(
                .asset(
                    assetId(id),
                    .value(
                        id: valuationId("V"), appraiser: "A", method: .market, value: yuan(value), valuedOn: date("2024-01-01"),
                        reportRef: "R")))
        }
        func originate(_ key: LoanKey, _ borrower: Uscc, _ principal: String, _ asset: String, enrolled: Bool = true) throws {
            try d.ledger.run(
                .loan(
                    key,
                    .originate(
                        .init(
                            key: key, borrower: borrower, principal: yuan(principal), rate: Bp(400), originatedOn: date("2024-03-01"),
                            maturesOn: date("2025-03-01"), collateral: [.init(asset: assetId(asset), registrationNo: "R")],
                            fund: enrolled ? d.fund : nil))))
        }
        let a = d.loan
        try d.ledger.run(d.origination())
        try originate(loanKey("B2", "B"), y, "2,000,000.00", "T1")
        try originate(loanKey("LCRCB", "C"), d.borrower, "3,000,000.00", "P2")
        try originate(loanKey("B2", "D"), z, "1,500,000.00", "P3")
        try originate(loanKey("LCRCB", "E"), y, "400,000.00", "P4", enrolled: false)
        try d.ledger.run(.loan(a, .repay(principal: yuan("1,800,000.00"), interest: .zero, paidOn: date("2024-09-01"))))
        try d.ledger.run(.loan(a, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)))
        try d.ledger.run(.loan(a, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-10-02"))))
        try d.ledger.run(.loan(a, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2024-10-03"))))
        try d.ledger.run(.loan(a, .payClaim(paidOn: date("2024-10-04"), paymentRef: "P")))
        try d.ledger.run(.loan(a, .receiveRecovery(amount: yuan("500,000.00"), receivedOn: date("2024-11-01"), source: "auction")))
        try d.ledger.run(.loan(a, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2024-11-10"), reference: "RET")))
        try d.ledger.run(
            .loan(loanKey("B2", "D"), .markDefaulted(on: date("2024-10-15"), missedDueOn: date("2024-07-07"), classification: .doubtful)))
        try d.ledger.run(.loan(loanKey("B2", "D"), .claimCompensation(amount: yuan("600,000.00"), claimedOn: date("2024-11-20"))))
        return d
    }

    func report(_ d: ExampleDistrict, asOf: String = "2024-12-31") throws -> ExposureReport {
        var fold = LedgerFold(asOf: date(asOf))
        for recorded in d.ledger.log { fold.apply(recorded) }
        return try ExposureReport.compute(fund: fold.states.funds[d.fund]!, loans: fold.states.loanSnapshots, asOf: date(asOf))
    }

    @Test("matches the hand computation to the fen")
    func handComputed() throws {
        let r = try report(try scenario())
        #expect(
            r.contributionsByContributor == [.province: yuan("3,000,000.00"), .city: yuan("4,000,000.00"), .district: yuan("3,000,000.00")])
        #expect(r.paidOutFen == yuan("1,000,000.00"))
        #expect(r.recoveriesReturnedFen == yuan("156,250.00"))
        #expect(r.balanceFen == yuan("9,156,250.00"))
        #expect(r.coveredLoans == 3)
        #expect(r.coveredOutstandingFen == yuan("6,500,000.00"))
        #expect(r.contingentLiabilityFen == yuan("1,800,000.00"))
        #expect(r.pendingClaimsFen == yuan("600,000.00"))
        #expect(r.pendingFiled == 1 && r.pendingApproved == 0)
        #expect(r.leverageBp == Bp(7099))
        #expect(r.maxLeverageBp == Bp(100_000) && !r.leverageBreached)
        #expect(r.coverageAdequacyBp == Bp(38151))
        #expect(r.nonPerformingFen == yuan("1,500,000.00"))
        #expect(r.nonPerformingRatioBp == Bp(2308))
        #expect(r.suspensionBreached)
        #expect(r.byBank.map(\.key) == ["B2", "LCRCB"])
        #expect(r.byBank.map(\.coveredOutstandingFen) == [yuan("3,500,000.00"), yuan("3,000,000.00")])
        #expect(r.byBank.map(\.contingentLiabilityFen) == [yuan("800,000.00"), yuan("1,000,000.00")])
        #expect(r.byBank.map(\.pendingClaimsFen) == [yuan("600,000.00"), .zero])
        #expect(r.topBorrowers.first?.key == "91512081MA62K0260E")
    }

    @Test("as of an earlier date, later money movements and defaults are not yet there")
    func asOfEarlier() throws {
        let r = try report(try scenario(), asOf: "2024-09-30")
        #expect(r.balanceFen == yuan("10,000,000.00"))
        // A (3,200,000 after repayment) + B + C + D, all performing.
        #expect(r.coveredOutstandingFen == yuan("9,700,000.00"))
        #expect(r.nonPerformingRatioBp == Bp(0))
        #expect(!r.suspensionBreached)
    }

    /// The fund stream's own figures (CoverBook): covered principal A + B + C + D = 11,500,000
    /// (principal, not outstanding); A's default (3,200,000 of 11,500,000 = 2783 bp, up) passed
    /// the 5% threshold and suspended the fund and LCRCB (3,200,000 of 8,000,000 = 4000 bp) in
    /// the same append; D's (1,500,000 of B2's 3,500,000 = 4286 bp) suspended B2. A was
    /// compensated and still counts: non-performing 3,200,000 + 1,500,000 = 4,700,000, ratio
    /// 4,700,000 ÷ 11,500,000 = 4087 bp (up). Headroom 9,156,250 × 10 − 11,500,000 = 80,062,500.
    @Test("the breach suspends the fund in the same append as the default, and the fund then enforces it")
    func suspension() throws {
        var d = try scenario()
        let defaultOfA = d.ledger.log.first { $0.event.type == "LoanDefaulted" && $0.stream == "loan-LCRCB-LC-2024-0001" }!
        let append = d.ledger.log.filter { $0.position >= defaultOfA.position && $0.position < defaultOfA.position + 4 }
        #expect(append.map(\.event.type) == ["LoanDefaulted", "CoverDefaulted", "FundSuspended", "BankEnrolmentSuspended"])
        guard case .fundSuspended(let suspended) = append[2].event else {
            Issue.record("no suspension")
            return
        }
        #expect(suspended.suspendedOn == date("2024-10-01"))
        #expect(
            suspended.reason
                == "automatic: the fund's non-performing ratio is 2783 bp (3,200,000.00 outstanding at default ÷ 11,500,000.00 covered principal), above the threshold of 500 bp, after loan LCRCB/LC-2024-0001 defaulted on 2024-10-01"
        )

        let r = try report(d, asOf: "2024-12-31")
        #expect(r.suspended && r.suspendedBanks == [bankId("B2"), bankId("LCRCB")])
        #expect(r.coveredPrincipalFen == yuan("11,500,000.00"))
        #expect(r.coverNonPerformingFen == yuan("4,700,000.00"))
        #expect(r.coverNplRatioBp == Bp(4087))
        #expect(r.enrolmentHeadroomFen == yuan("80,062,500.00"))
        // The exposure figures (outstanding, paid loans off cover) show only D: the cover figures do not let A's payout hide its default.
        #expect(r.nonPerformingFen == yuan("1,500,000.00"))
        let before = try report(d, asOf: "2024-09-30")
        #expect(
            !before.suspended && before.suspendedBanks.isEmpty && before.coverNonPerformingFen == .zero && before.coverNplRatioBp == Bp(0))

        let key = loanKey("LCRCB", "NEW")
        let asset = assetId("P9")
        try d.ledger.run(.asset(asset, .register(id: asset, kind: .patent, registryNo: "P9", title: "P9", owner: d.borrower)))
        try d.ledger.run(
            .asset(
                asset,
                .value(
                    id: valuationId("V"), appraiser: "A", method: .market, value: yuan("1,000,000.00"), valuedOn: date("2024-12-01"),
                    reportRef: "R")))
        let originate = LedgerCommand.loan(
            key,
            .originate(
                .init(
                    key: key, borrower: d.borrower, principal: yuan("100,000.00"), rate: Bp(400), originatedOn: date("2025-01-03"),
                    maturesOn: date("2025-06-03"), collateral: [.init(asset: asset, registrationNo: "R")], fund: d.fund)))
        #expect(throws: DomainError(.policyViolation, field: "fund_id", "fund LC-IPRC is suspended on 2025-01-03 and takes no new loans")) {
            try d.ledger.run(originate)
        }
        try d.ledger.run(.fund(d.fund, .resume(on: date("2025-01-02"), reason: "board decision: ratio accepted")))
        // The fund takes loans again; LCRCB is still suspended until resumed by itself.
        #expect(
            throws: DomainError(
                .policyViolation, field: "bank_id",
                "fund LC-IPRC has suspended new enrolments through bank LCRCB until an administrator resumes them")
        ) { try d.ledger.run(originate) }
        try d.ledger.run(.fund(d.fund, .resumeBank(bankId("LCRCB"), on: date("2025-01-02"), reason: "files reviewed")))
        try d.ledger.run(originate)
        #expect(try report(d, asOf: "2025-01-03").suspendedBanks == [bankId("B2")])
    }

    @Test("a reversed repayment changes exactly the outstanding it should")
    func reversal() throws {
        var d = try scenario()
        let before = try report(d, asOf: "2025-01-31")
        let repaid = try d.ledger.run(
            .loan(loanKey("B2", "B"), .repay(principal: yuan("500,000.00"), interest: .zero, paidOn: date("2025-01-05"))))
        #expect(try report(d, asOf: "2025-01-31").coveredOutstandingFen == (try before.coveredOutstandingFen - yuan("500,000.00")))
        try d.ledger.run(.loan(loanKey("B2", "B"), .reverse(eventId: repaid[0].id, on: date("2025-01-20"), reason: "bounced")))
        let after = try report(d, asOf: "2025-01-31")
        #expect(after.coveredOutstandingFen == before.coveredOutstandingFen)
        #expect(after.contingentLiabilityFen == before.contingentLiabilityFen)
    }

    @Test("totals above the maximum (hostile snapshots) throw limitExceeded; a huge leverage is breached, not trapped on")
    func hostileSnapshots() throws {
        let d = try scenario()
        var fold = LedgerFold(asOf: date("2024-12-31"))
        for recorded in d.ledger.log { fold.apply(recorded) }
        var fund = fold.states.funds[d.fund]!
        let covered = fold.states.snapshot(of: loanKey("B2", "B"))!
        let hostile = try (1...1_100).map { n in
            var copy = covered
            copy.contractNo = try ContractNo("H-\(n)")
            copy.outstandingFen = Money.maximum
            return copy
        }
        #expect {
            try ExposureReport.compute(fund: fund, loans: hostile, asOf: date("2024-12-31"))
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .limitExceeded && error.field == "covered_outstanding_fen"
                && error.message.contains("maximum of 90,071,992,547,409.91")
        }
        // One fen in the fund against the largest loan: leverage has no Bp value, and is breached.
        fund.flows = [.init(on: date("2023-02-01"), amount: Money(fen: 1), source: nil, kind: .contribution)]
        let report = try ExposureReport.compute(fund: fund, loans: [hostile[0]], asOf: date("2024-12-31"))
        #expect(report.leverageBp == nil && report.leverageBreached)
    }
}
