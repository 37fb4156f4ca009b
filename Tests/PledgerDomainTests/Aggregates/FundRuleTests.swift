import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

extension ExampleDistrict {
    /// Registers an asset of the district's borrower, valued at `value` on `valuedOn`.
    @discardableResult
    mutating func valuedAsset(_ id: String, kind: AssetKind = .patent, value: String, valuedOn: String = "2024-01-15") throws -> AssetId {
        let asset = assetId(id)
        try ledger.run(.asset(asset, .register(id: asset, kind: kind, registryNo: id, title: id, owner: borrower)))
        try ledger.run(
            .asset(
                asset,
                .value(id: valuationId("V"), appraiser: "A", method: .market, value: yuan(value), valuedOn: date(valuedOn), reportRef: "R"))
        )
        return asset
    }

    /// An enrolment (origination with a fund, the district's unless said) pledging one asset.
    func enrolment(
        _ key: LoanKey, _ asset: AssetId, principal: String, on: String, months: Int = 12, rate: Int64 = 385,
        borrower: Uscc? = nil, fund: FundId? = nil
    ) -> LedgerCommand {
        .loan(
            key,
            .originate(
                .init(
                    key: key, borrower: borrower ?? self.borrower, principal: yuan(principal), rate: Bp(rate), originatedOn: date(on),
                    maturesOn: date(on).adding(months: months), collateral: [.init(asset: asset, registrationNo: "R-\(asset)")],
                    fund: fund ?? self.fund)))
    }

    /// Amends the district fund's policy: `examplePolicy` with `change` applied.
    mutating func amend(on: String, appliesTo: PolicyScope = .newEnrolments, _ change: (inout FundPolicy) -> Void) throws {
        var policy = examplePolicy
        change(&policy)
        try ledger.run(.fund(fund, .amendPolicy(policy, effectiveOn: date(on), reason: "review", appliesTo: appliesTo)))
    }

    /// Registers a bank and has it join the district fund.
    @discardableResult
    mutating func joinedBank(_ id: String) throws -> BankId {
        let bank = bankId(id)
        try ledger.run(.bank(bank, .register(id: bank, name: "Bank \(id)", licence: "L-\(id)")))
        try ledger.run(.fund(fund, .joinBank(bank, agreement: "A-\(id)", effectiveOn: date("2023-03-01"))))
        return bank
    }
}

/// The issue's rules, each with an accepted example and a refused one, every figure by hand.
@Suite("Fund rules")
struct FundRuleTests {

    func report(_ d: ExampleDistrict, asOf: String) throws -> ExposureReport {
        var fold = LedgerFold(asOf: date(asOf))
        for recorded in d.ledger.log { fold.apply(recorded) }
        return try ExposureReport.compute(fund: fold.states.funds[d.fund]!, loans: fold.states.loanSnapshots, asOf: date(asOf))
    }

    // MARK: 1. Amendments do not apply backwards

    /// Two loans of 5,000,000.00, defaulting with all of it outstanding:
    ///   L1 enrolled 2025-01-15 under coverage 40%, per-loan cap 1,000,000.00
    ///   amendment effective 2025-07-01: coverage 20%, per-loan cap 500,000.00
    ///   L2 enrolled 2025-08-01
    ///   new_enrolments → L1 min(40% × 5,000,000 = 2,000,000, 1,000,000) = 1,000,000.00
    ///                    L2 min(20% × 5,000,000 = 1,000,000,   500,000) =   500,000.00
    ///   all_loans      → L1 min(1,000,000, 500,000) = 500,000.00 from 2025-07-01; L2 500,000.00
    ///   exposure on 2025-08-31 (both performing): 1,000,000 + 500,000 = 1,500,000.00 (new_enrolments)
    ///                                              500,000 + 500,000 = 1,000,000.00 (all_loans)
    func amendmentScenario(_ scope: PolicyScope) throws -> (ExampleDistrict, LoanKey, LoanKey) {
        var d = try ExampleDistrict()
        let l1 = d.loan
        let l2 = loanKey("LCRCB", "LC-2025-0002")
        try d.ledger.run(d.enrolment(l1, d.patent, principal: "5,000,000.00", on: "2025-01-15"))
        try d.amend(on: "2025-07-01", appliesTo: scope) {
            $0.coverageBp = Bp(2000)
            $0.perLoanCapFen = yuan("500,000.00")
        }
        let trademark = try d.valuedAsset("TM-2", kind: .trademark, value: "10,000,000.00", valuedOn: "2025-07-15")
        try d.ledger.run(d.enrolment(l2, trademark, principal: "5,000,000.00", on: "2025-08-01"))
        try d.ledger.run(.loan(l1, .markDefaulted(on: date("2025-09-01"), missedDueOn: date("2025-06-01"), classification: .loss)))
        try d.ledger.run(.loan(l2, .markDefaulted(on: date("2025-12-01"), missedDueOn: date("2025-09-01"), classification: .loss)))
        return (d, l1, l2)
    }

    @Test("an amendment for new enrolments leaves an earlier loan on the terms it was enrolled on")
    func amendmentForNewEnrolments() throws {
        var (d, l1, l2) = try amendmentScenario(.newEnrolments)
        let fund = d.ledger.fund(d.fund)
        #expect(fund.terms(forLoanEnrolledOn: date("2025-01-15"), asOf: date("2025-12-15"))?.coverageBp == Bp(4000))
        #expect(fund.terms(forLoanEnrolledOn: date("2025-08-01"), asOf: date("2025-12-15"))?.perLoanCapFen == yuan("500,000.00"))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(l1, .claimCompensation(amount: yuan("1,000,000.01"), claimedOn: date("2025-12-15"))))
        }
        let first = try d.ledger.run(.loan(l1, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2025-12-15"))))
        guard case .compensationClaimed(let claim1) = first[0].event else {
            Issue.record("no claim")
            return
        }
        #expect(claim1.limitFen == yuan("1,000,000.00"))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(l2, .claimCompensation(amount: yuan("500,000.01"), claimedOn: date("2025-12-15"))))
        }
        let second = try d.ledger.run(.loan(l2, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2025-12-15"))))
        guard case .compensationClaimed(let claim2) = second[0].event else {
            Issue.record("no claim")
            return
        }
        #expect(claim2.limitFen == yuan("500,000.00"))
        // The fund's commitment is checked on the loan's terms too.
        let approved = try d.ledger.run(.loan(l1, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2025-12-20"))))
        #expect(approved.map(\.event.type) == ["CompensationApproved", "CompensationCommitted"])
        // Exposure before the defaults: each loan on its own terms.
        #expect(try report(d, asOf: "2025-08-31").contingentLiabilityFen == yuan("1,500,000.00"))
    }

    @Test("the same amendment for all loans cuts the earlier loan's limit too, from its effective date")
    func amendmentForAllLoans() throws {
        var (d, l1, l2) = try amendmentScenario(.allLoans)
        let fund = d.ledger.fund(d.fund)
        let loan1 = d.ledger.loan(l1)
        #expect(
            try Loan.claimLimit(loan: loan1.origination!, defaulted: loan1.defaulted!, fund: fund, asOf: date("2025-06-30")).amount
                == yuan("1,000,000.00"))
        #expect(
            try Loan.claimLimit(loan: loan1.origination!, defaulted: loan1.defaulted!, fund: fund, asOf: date("2025-07-01")).amount
                == yuan("500,000.00"))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(l1, .claimCompensation(amount: yuan("500,000.01"), claimedOn: date("2025-12-15"))))
        }
        try d.ledger.run(.loan(l1, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2025-12-15"))))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(l2, .claimCompensation(amount: yuan("500,000.01"), claimedOn: date("2025-12-15"))))
        }
        try d.ledger.run(.loan(l2, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2025-12-15"))))
        #expect(try report(d, asOf: "2025-08-31").contingentLiabilityFen == yuan("1,000,000.00"))
        // Before the amendment took effect, the report still used the old terms for L1.
        #expect(try report(d, asOf: "2025-06-30").contingentLiabilityFen == yuan("1,000,000.00"))
    }

    // MARK: 2. Leverage, bank quota, NPL suspension

    @Test("leverage: a fund holding 500,000.00 at 10× covers 5,000,000.00 and not a fen more")
    func leverage() throws {
        var d = try ExampleDistrict()
        let small = fundId("SMALL")
        try d.ledger.run(
            .fund(
                small,
                .establish(
                    id: small, name: "Small fund", region: try RegionCode("211303"), policy: examplePolicy,
                    establishedOn: date("2023-01-01"))))
        try d.ledger.run(
            .fund(
                small,
                .receiveContribution(amount: yuan("500,000.00"), contributor: .district, receivedOn: date("2023-02-01"), reference: "seed"))
        )
        try d.ledger.run(.fund(small, .joinBank(d.bank, agreement: "A", effectiveOn: date("2023-03-01"))))
        let trademark = try d.valuedAsset("TM-1", kind: .trademark, value: "100.00")
        // 6,000,000.00 at once is 12× the balance (its 60% pledge rate is within the policy).
        refused(
            .policyViolation, "principal_fen",
            "fund SMALL covers 0.00 of principal; 6,000,000.00 more would make 6,000,000.00, above 10× its balance of 500,000.00 on 2024-03-01 (5,000,000.00)"
        ) {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "6,000,000.00", on: "2024-03-01", fund: small))
        }
        let enrolled = try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", fund: small))
        #expect(enrolled.map(\.event.type) == ["LoanOriginated", "AssetPledged", "CoverGranted"])
        #expect(d.ledger.fund(small).cover.total.coveredPrincipal == yuan("5,000,000.00"))
        let next = loanKey("LCRCB", "LC-2024-0002")
        refused(
            .policyViolation, "principal_fen",
            "fund SMALL covers 5,000,000.00 of principal; 1.00 more would make 5,000,001.00, above 10× its balance of 500,000.00 on 2024-03-02 (5,000,000.00)"
        ) {
            try d.ledger.run(d.enrolment(next, trademark, principal: "1.00", on: "2024-03-02", fund: small))
        }
        // A top-up of 0.10 makes room for exactly 1.00 more.
        try d.ledger.run(
            .fund(
                small,
                .receiveContribution(amount: yuan("0.10"), contributor: .district, receivedOn: date("2024-03-02"), reference: "top-up")))
        try d.ledger.run(d.enrolment(next, trademark, principal: "1.00", on: "2024-03-02", fund: small))
        // Repayments leave the cover as it is; closing the loan releases it.
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("5,000,000.00"), interest: .zero, paidOn: date("2024-09-01"))))
        #expect(d.ledger.fund(small).cover.total.coveredPrincipal == yuan("5,000,001.00"))
        try d.ledger.run(.loan(d.loan, .close(on: date("2024-09-01"))))
        #expect(d.ledger.fund(small).cover.total.coveredPrincipal == yuan("1.00"))
    }

    @Test("bank quota: a bank's covered principal stays within bank_quota_fen; another bank has its own")
    func bankQuota() throws {
        var d = try ExampleDistrict()
        try d.amend(on: "2024-01-01") { $0.bankQuotaFen = yuan("6,000,000.00") }
        let b2 = try d.joinedBank("B2")
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "4,000,000.00")
        let t2 = try d.valuedAsset("T2", kind: .trademark, value: "4,000,000.00")
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01"))
        let second = loanKey("LCRCB", "L2")
        refused(
            .policyViolation, "principal_fen",
            "bank LCRCB has 5,000,000.00 of principal covered by fund LC-IPRC; 1,000,000.01 more would make 6,000,000.01, above the bank's quota of 6,000,000.00"
        ) {
            try d.ledger.run(d.enrolment(second, t1, principal: "1,000,000.01", on: "2024-03-02"))
        }
        try d.ledger.run(d.enrolment(second, t1, principal: "1,000,000.00", on: "2024-03-02"))
        try d.ledger.run(d.enrolment(LoanKey(bank: b2, contract: try ContractNo("L3")), t2, principal: "2,000,000.00", on: "2024-03-03"))
        let fund = d.ledger.fund(d.fund)
        #expect(fund.cover.byBank[d.bank]?.coveredPrincipal == yuan("6,000,000.00"))
        #expect(fund.cover.byBank[b2]?.coveredPrincipal == yuan("2,000,000.00"))
    }

    /// Threshold 20% (2000 bp). Covered principal: LCRCB/LC-2024-0001 5,000,000 + LCRCB/X2
    /// 3,500,000 + B2/Y1 1,500,000 = 10,000,000 (LCRCB 8,500,000; B2 1,500,000). Spare assets
    /// T3 and T4 (1,000,000.00 each) for enrolments after a suspension.
    func nplScenario() throws -> ExampleDistrict {
        var d = try ExampleDistrict()
        try d.amend(on: "2024-01-01") { $0.nplSuspendBp = Bp(2000) }
        let b2 = try d.joinedBank("B2")
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "6,000,000.00")
        let t2 = try d.valuedAsset("T2", kind: .trademark, value: "3,000,000.00")
        try d.valuedAsset("T3", kind: .trademark, value: "1,000,000.00")
        try d.valuedAsset("T4", kind: .trademark, value: "1,000,000.00")
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01"))
        try d.ledger.run(d.enrolment(loanKey("LCRCB", "X2"), t1, principal: "3,500,000.00", on: "2024-03-01"))
        try d.ledger.run(d.enrolment(LoanKey(bank: b2, contract: try ContractNo("Y1")), t2, principal: "1,500,000.00", on: "2024-03-01"))
        return d
    }

    /// X2 repays 2,000,000 and defaults with 1,500,000 outstanding: 1,500,000 ÷ 10,000,000 =
    /// 1500 bp (LCRCB: ÷ 8,500,000 = 1765 bp), under 2000 — and is compensated 600,000 at once.
    /// Y1 then defaults with 1,500,000: (1,500,000 + 1,500,000) ÷ 10,000,000 = 3000 bp > 2000,
    /// B2 1,500,000 ÷ 1,500,000 = 10000 bp. (Leaving the compensated X2 out would read 1500 bp
    /// and suspend nothing.)
    @Test(
        "a default taking the NPL ratio over the threshold suspends the fund and the bank in the same append; a compensated default still counts"
    )
    func nplSuspension() throws {
        var d = try nplScenario()
        let x2 = loanKey("LCRCB", "X2")
        let y1 = loanKey("B2", "Y1")
        try d.ledger.run(.loan(x2, .repay(principal: yuan("2,000,000.00"), interest: .zero, paidOn: date("2024-05-01"))))
        let first = try d.ledger.run(
            .loan(x2, .markDefaulted(on: date("2024-09-01"), missedDueOn: date("2024-06-01"), classification: .loss)))
        #expect(first.map(\.event.type) == ["LoanDefaulted", "CoverDefaulted"])
        #expect(d.ledger.fund(d.fund).cover.total.nplRatio == Bp(1500))
        #expect(d.ledger.fund(d.fund).cover.byBank[d.bank]?.nplRatio == Bp(1765))
        try d.ledger.run(.loan(x2, .claimCompensation(amount: yuan("600,000.00"), claimedOn: date("2024-09-02"))))
        try d.ledger.run(.loan(x2, .approveClaim(amount: yuan("600,000.00"), approvedOn: date("2024-09-03"))))
        try d.ledger.run(.loan(x2, .payClaim(paidOn: date("2024-09-04"), paymentRef: "P-X2")))
        #expect(d.ledger.fund(d.fund).cover.total.nonPerforming == yuan("1,500,000.00"))

        let second = try d.ledger.run(
            .loan(y1, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-07-01"), classification: .doubtful)))
        #expect(second.map(\.event.type) == ["LoanDefaulted", "CoverDefaulted", "FundSuspended", "BankEnrolmentSuspended"])
        #expect(second.map(\.position) == Array(second[0].position...second[0].position + 3))
        guard case .fundSuspended(let fundSuspension) = second[2].event, case .bankEnrolmentSuspended(let bankSuspension) = second[3].event
        else {
            Issue.record("no suspensions")
            return
        }
        #expect(
            fundSuspension.reason
                == "automatic: the fund's non-performing ratio is 3000 bp (3,000,000.00 outstanding at default ÷ 10,000,000.00 covered principal), above the threshold of 2000 bp, after loan B2/Y1 defaulted on 2024-10-01"
        )
        #expect(bankSuspension.bankId == bankId("B2") && bankSuspension.suspendedOn == date("2024-10-01"))
        #expect(
            bankSuspension.reason
                == "automatic: bank B2's non-performing ratio is 10000 bp (1,500,000.00 outstanding at default ÷ 1,500,000.00 covered principal), above the threshold of 2000 bp, after loan B2/Y1 defaulted on 2024-10-01"
        )

        // No enrolment until an administrator resumes the fund — whatever the origination date says.
        let x3 = d.enrolment(loanKey("LCRCB", "X3"), assetId("T3"), principal: "100,000.00", on: "2024-10-10")
        refused(.policyViolation, "fund_id") { try d.ledger.run(x3) }
        refused(.policyViolation, "fund_id") {
            try d.ledger.run(d.enrolment(loanKey("LCRCB", "X0"), assetId("T3"), principal: "100,000.00", on: "2024-09-20"))
        }
        try d.ledger.run(.fund(d.fund, .resume(on: date("2024-10-10"), reason: "board accepts the ratio for now")))
        try d.ledger.run(x3)
        // B2 stays suspended until resumed by itself.
        let y2 = d.enrolment(loanKey("B2", "Y2"), assetId("T4"), principal: "100,000.00", on: "2024-10-11")
        refused(
            .policyViolation, "bank_id", "fund LC-IPRC has suspended new enrolments through bank B2 until an administrator resumes them"
        ) { try d.ledger.run(y2) }
        try d.ledger.run(.fund(d.fund, .resumeBank(bankId("B2"), on: date("2024-10-11"), reason: "recovery plan agreed")))
        try d.ledger.run(y2)
        refused(.invalidState, "bank_id") {
            try d.ledger.run(.fund(d.fund, .resumeBank(bankId("B2"), on: date("2024-10-12"), reason: "again")))
        }
    }

    @Test("one bank over the threshold stops only that bank's enrolments; an administrator can also switch a bank by hand")
    func bankOnlySuspension() throws {
        var d = try nplScenario()
        // Y1's 1,500,000 is 1500 bp of the fund (not over 2000) but 10000 bp of B2.
        let defaulted = try d.ledger.run(
            .loan(loanKey("B2", "Y1"), .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-07-01"), classification: .loss)))
        #expect(defaulted.map(\.event.type) == ["LoanDefaulted", "CoverDefaulted", "BankEnrolmentSuspended"])
        #expect(!d.ledger.fund(d.fund).isSuspendedNow && d.ledger.fund(d.fund).suspendedBanks == [bankId("B2")])
        refused(.policyViolation, "bank_id") {
            try d.ledger.run(d.enrolment(loanKey("B2", "Y2"), assetId("T4"), principal: "100,000.00", on: "2024-10-05"))
        }
        try d.ledger.run(d.enrolment(loanKey("LCRCB", "X3"), assetId("T3"), principal: "100,000.00", on: "2024-10-05"))

        refused(.notFound, "bank_id") {
            try d.ledger.run(.fund(d.fund, .suspendBank(bankId("NOBANK"), on: date("2024-10-06"), reason: "audit")))
        }
        refused(.invalidState, "bank_id") {
            try d.ledger.run(.fund(d.fund, .suspendBank(bankId("B2"), on: date("2024-10-06"), reason: "again")))
        }
        refused(.invalidValue, "reason") { try d.ledger.run(.fund(d.fund, .suspendBank(d.bank, on: date("2024-10-06"), reason: " "))) }
        try d.ledger.run(.fund(d.fund, .suspendBank(d.bank, on: date("2024-10-06"), reason: "audit of the bank's loan files")))
        refused(.policyViolation, "bank_id") {
            try d.ledger.run(d.enrolment(loanKey("LCRCB", "X4"), assetId("T4"), principal: "100,000.00", on: "2024-10-07"))
        }
        refused(.dateOrder, "effective_on") {
            try d.ledger.run(.fund(d.fund, .resumeBank(d.bank, on: date("2024-10-05"), reason: "audit done")))
        }
        try d.ledger.run(.fund(d.fund, .resumeBank(d.bank, on: date("2024-10-08"), reason: "audit done")))
        try d.ledger.run(d.enrolment(loanKey("LCRCB", "X4"), assetId("T4"), principal: "100,000.00", on: "2024-10-08"))
    }

    @Test("a loan enrolled before the fund stream recorded cover counts as none: its default and closing write nothing there")
    func oldLogWithoutCover() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        // The same log as a build before CoverGranted would have written it.
        var fold = LedgerFold()
        for recorded in d.ledger.log where recorded.event.type != CoverGranted.type { fold.apply(recorded) }
        var states = fold.states
        #expect(states.funds[d.fund]?.cover.total.coveredPrincipal == .zero)
        let writes = try Workflow.decide(
            .loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)), states)
        #expect(writes.map(\.stream) == [.loan(d.loan)])
        #expect(throws: DomainError(.notFound, field: "contract_no", "loan LCRCB/LC-2024-0001 has no cover with fund LC-IPRC")) {
            try Fund.decide(.releaseCover(loan: d.loan, releasedOn: date("2025-03-01"), cause: .closed), states.funds[d.fund]!)
        }
        // Repaid and closed: only the loan and its pledge move.
        var position = d.ledger.log.count
        func apply(_ writes: [StreamWrite]) {
            for write in writes {
                for event in write.events {
                    position += 1
                    states.apply(
                        RecordedEvent(
                            id: UUID(), stream: write.stream.name, version: (states.versions[write.stream] ?? 0) + 1,
                            position: Int64(position),
                            recordedAt: RecordedTime(microseconds: Int64(position)), event: event), to: write.stream)
                }
            }
        }
        apply(
            try Workflow.decide(.loan(d.loan, .repay(principal: yuan("5,000,000.00"), interest: .zero, paidOn: date("2025-03-01"))), states)
        )
        let closing = try Workflow.decide(.loan(d.loan, .close(on: date("2025-03-01"))), states)
        #expect(closing.map(\.stream) == [.loan(d.loan), .asset(d.patent)])
    }

    // MARK: 3. Days overdue come from the missed due date

    @Test("the missed due date must fit the loan: the issue's 365 days overdue five days after origination is refused")
    func missedDueDate() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-12-31"))
        // 365 days overdue on 2025-01-05 means a due date of 2024-01-06, a year before the loan was made.
        refused(
            .dateOrder, "missed_due_on",
            "2024-01-06 is not after origination (2024-12-31): loan LCRCB/LC-2024-0001 had nothing due before it was made"
        ) {
            try d.ledger.run(
                .loan(
                    d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2024-01-06"), daysOverdue: 365, classification: .loss)
                ))
        }
        refused(
            .invalidValue, "days_overdue",
            "is 365, but a loan that missed its due date of 2025-01-01 is 4 days overdue on 2025-01-05; omit it or send 4"
        ) {
            try d.ledger.run(
                .loan(
                    d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2025-01-01"), daysOverdue: 365, classification: .loss)
                ))
        }
        refused(.dateOrder, "missed_due_on") {
            try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2024-12-31"), classification: .loss)))
        }
        refused(.dateOrder, "missed_due_on") {
            try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2025-01-05"), classification: .loss)))
        }
        refused(
            .dateOrder, "missed_due_on",
            "2026-01-01 is after maturity (2025-12-31), the last date anything of loan LCRCB/LC-2024-0001 falls due"
        ) {
            try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2026-02-01"), missedDueOn: date("2026-01-01"), classification: .loss)))
        }
        try d.ledger.run(
            .loan(d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2025-01-01"), daysOverdue: 4, classification: .loss)))
        #expect(d.ledger.loan(d.loan).defaulted?.daysOverdue == 4)
        #expect(d.ledger.loan(d.loan).defaulted?.missedDueOn == date("2025-01-01"))
    }

    @Test("the waiting period runs from the missed due date: 2025-01-01 + 90 days = 2025-04-01")
    func waitingPeriod() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-12-31"))
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2025-01-05"), missedDueOn: date("2025-01-01"), classification: .loss)))
        refused(
            .policyViolation, "claimed_on",
            "the loan is 4 days overdue on 2025-01-05 (missed due date 2025-01-01); the fund accepts claims from 90 days (from 2025-04-01)"
        ) {
            try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2025-01-05"))))
        }
        refused(.policyViolation, "claimed_on") {
            try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2025-03-31"))))
        }
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2025-04-01"))))
    }

    // MARK: 4. Eligibility

    @Test(
        "firm size: principal capped per size; a size not recorded must be recorded first; a size the policy does not name is not eligible")
    func firmSize() throws {
        var d = try ExampleDistrict()
        try d.amend(on: "2024-01-01") {
            $0.maxPrincipalFenByFirmSize = FirmSizeCaps(
                micro: yuan("2,000,000.00"), small: yuan("6,000,000.00"), medium: yuan("6,000,000.00"))
        }
        // T1 is worth enough that 6,000,000.01 is within the 60% pledge rate: only the size cap refuses it.
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "20,000,000.00")
        let t2 = try d.valuedAsset("T2", kind: .trademark, value: "10,000,000.00")
        refused(
            .invalidState, "borrower",
            "fund LC-IPRC caps principal by firm size, and borrower 91512081MA62K0260E has no firm size on 2024-03-01; record it (micro, small, medium or large) first"
        ) {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "2,000,000.00", on: "2024-03-01"))
        }
        try d.ledger.run(.borrower(d.borrower, .recordFirmSize(.micro, recordedOn: date("2024-02-01"))))
        refused(
            .policyViolation, "principal_fen", "principal 2,000,000.01 is above fund LC-IPRC's cap of 2,000,000.00 per loan to a micro firm"
        ) {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "2,000,000.01", on: "2024-03-01"))
        }
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "2,000,000.00", on: "2024-03-01"))

        // Grown to a small firm from 2024-04-01: 6,000,000.00 a loan from then on.
        try d.ledger.run(.borrower(d.borrower, .recordFirmSize(.small, recordedOn: date("2024-04-01"))))
        #expect(d.ledger.borrower(d.borrower).firmSize(on: date("2024-03-31")) == .micro)
        let second = loanKey("LCRCB", "L2")
        refused(.policyViolation, "principal_fen") {
            try d.ledger.run(d.enrolment(second, t1, principal: "6,000,000.01", on: "2024-04-01"))
        }
        refused(.policyViolation, "principal_fen") {
            try d.ledger.run(d.enrolment(second, t1, principal: "2,000,000.01", on: "2024-03-31"))
        }
        try d.ledger.run(d.enrolment(second, t1, principal: "6,000,000.00", on: "2024-04-01"))

        try d.ledger.run(.borrower(d.borrower, .recordFirmSize(.large, recordedOn: date("2024-05-01"))))
        refused(.duplicate, "firm_size") {
            try d.ledger.run(.borrower(d.borrower, .recordFirmSize(.large, recordedOn: date("2024-05-02"))))
        }
        refused(
            .policyViolation, "borrower",
            "fund LC-IPRC covers loans to micro, small, medium firms only; borrower 91512081MA62K0260E is large"
        ) {
            try d.ledger.run(d.enrolment(loanKey("LCRCB", "L3"), t2, principal: "1.00", on: "2024-05-01"))
        }
        // Outside the fund, firm size is none of its business.
        try d.ledger.run(
            .loan(
                loanKey("LCRCB", "L3"),
                .originate(
                    .init(
                        key: loanKey("LCRCB", "L3"), borrower: d.borrower, principal: yuan("9,000,000.00"), rate: Bp(400),
                        originatedOn: date("2024-05-01"), maturesOn: date("2025-05-01"),
                        collateral: [.init(asset: t2, registrationNo: "R")], fund: nil))))
    }

    @Test("per firm per year: 8,000,000.00 of cover a calendar year; a cancelled loan gives its room back")
    func perFirmPerYear() throws {
        var d = try ExampleDistrict()
        try d.amend(on: "2024-01-01") { $0.maxPrincipalPerFirmPerYearFen = yuan("8,000,000.00") }
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "10,000,000.00")
        let t2 = try d.valuedAsset("T2", kind: .trademark, value: "10,000,000.00")
        let t3 = try d.valuedAsset("T3", kind: .trademark, value: "10,000,000.00")
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01"))
        let second = loanKey("LCRCB", "L2")
        refused(
            .policyViolation, "principal_fen",
            "borrower 91512081MA62K0260E was granted 5,000,000.00 of cover by fund LC-IPRC in 2024; 3,000,000.01 more would make 8,000,000.01, above the cap of 8,000,000.00 per firm per year"
        ) {
            try d.ledger.run(d.enrolment(second, t1, principal: "3,000,000.01", on: "2024-06-01"))
        }
        try d.ledger.run(d.enrolment(second, t1, principal: "3,000,000.00", on: "2024-06-01"))
        // A new year, a new cap.
        try d.ledger.run(d.enrolment(loanKey("LCRCB", "L3"), t2, principal: "1,000,000.00", on: "2025-01-02"))
        // L2 was entered in error: cancelled, its 3,000,000.00 are free again in 2024.
        refused(.policyViolation, "principal_fen") {
            try d.ledger.run(d.enrolment(loanKey("LCRCB", "L4"), t3, principal: "1.00", on: "2024-12-01"))
        }
        try d.ledger.run(.loan(second, .cancel(on: date("2024-06-02"), reason: "entered in error")))
        try d.ledger.run(d.enrolment(loanKey("LCRCB", "L4"), t3, principal: "3,000,000.00", on: "2024-12-01"))
    }

    @Test("rate cap: the 1-year LPR in force on the origination date + 150 bp; none recorded is refused, saying what to record")
    func rateCap() throws {
        var d = try ExampleDistrict()
        try d.amend(on: "2024-01-01") { $0.maxRateOverLprBp = Bp(150) }
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "10,000,000.00")
        refused(
            .invalidState, "rate_bp",
            "fund LC-IPRC caps rates at the 1-year LPR + 150 bp, and no 1-year LPR in force on 2024-03-01 is recorded; record the LPR fixing (tenor 1y, effective on or before 2024-03-01) first"
        ) {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", rate: 495))
        }
        // The 5-year LPR is not the one.
        try d.ledger.run(.lpr(.publish(tenor: .fiveYears, rate: Bp(395), effectiveOn: date("2024-02-20"))))
        refused(.invalidState, "rate_bp") {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", rate: 495))
        }
        // The PBoC's 1-year fixings: 3.45% from 2023-08-21, 3.35% from 2024-07-22, 3.10% from 2024-10-21.
        for (rate, on) in [(345, "2023-08-21"), (335, "2024-07-22"), (310, "2024-10-21")] as [(Int64, String)] {
            try d.ledger.run(.lpr(.publish(tenor: .oneYear, rate: Bp(rate), effectiveOn: date(on))))
        }
        refused(.duplicate, "effective_on") {
            try d.ledger.run(.lpr(.publish(tenor: .oneYear, rate: Bp(300), effectiveOn: date("2024-10-21"))))
        }
        refused(.invalidValue, "rate_bp") {
            try d.ledger.run(.lpr(.publish(tenor: .oneYear, rate: Bp(0), effectiveOn: date("2024-11-20"))))
        }
        #expect(d.ledger.lpr().rate(.oneYear, on: date("2024-10-20"))?.rateBp == Bp(335))
        // 2024-03-01: 345 + 150 = 495 bp.
        refused(
            .policyViolation, "rate_bp", "rate 496 bp is above fund LC-IPRC's cap of 495 bp (1-year LPR 345 bp from 2023-08-21 + 150 bp)"
        ) {
            try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", rate: 496))
        }
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", rate: 495))
        // 2024-11-01: 310 + 150 = 460 bp.
        let second = loanKey("LCRCB", "L2")
        refused(.policyViolation, "rate_bp") {
            try d.ledger.run(d.enrolment(second, t1, principal: "1,000,000.00", on: "2024-11-01", rate: 461))
        }
        try d.ledger.run(d.enrolment(second, t1, principal: "1,000,000.00", on: "2024-11-01", rate: 460))
    }

    @Test("region: a fund of 211300 takes borrowers registered in 2113xx only, when its policy says so")
    func region() throws {
        var d = try ExampleDistrict()
        var policy = examplePolicy
        policy.borrowerInRegion = true
        let city = fundId("CITY-2113")
        try d.ledger.run(
            .fund(
                city,
                .establish(id: city, name: "City fund", region: try RegionCode("211300"), policy: policy, establishedOn: date("2023-01-01"))
            ))
        try d.ledger.run(
            .fund(
                city,
                .receiveContribution(amount: yuan("10,000,000.00"), contributor: .city, receivedOn: date("2023-02-01"), reference: "seed")))
        try d.ledger.run(.fund(city, .joinBank(d.bank, agreement: "A", effectiveOn: date("2023-03-01"))))
        let outsider = validUscc("91211402MA0000004")
        try d.ledger.run(
            .borrower(
                outsider,
                .register(
                    uscc: outsider, name: "Huludao Co", industry: try IndustryCode("C38"), region: try RegionCode("211402"), techSme: true))
        )
        let t1 = try d.valuedAsset("T1", kind: .trademark, value: "1,000,000.00")
        refused(
            .policyViolation, "borrower",
            "borrower \(outsider) is registered in 211402, outside fund CITY-2113's region 211300 (codes 2113…)"
        ) {
            try d.ledger.run(
                d.enrolment(loanKey("LCRCB", "L2"), t1, principal: "100,000.00", on: "2024-03-01", borrower: outsider, fund: city))
        }
        // The district's borrower is registered in 211303, within 2113.
        try d.ledger.run(d.enrolment(d.loan, d.patent, principal: "5,000,000.00", on: "2024-03-01", fund: city))
        #expect(Loan.regionPrefix(try RegionCode("211300")) == "2113")
        #expect(Loan.regionPrefix(try RegionCode("210000")) == "21")
        #expect(Loan.regionPrefix(try RegionCode("211303")) == "211303")
    }

    @Test("policy: the optional rules are validated, naming the field")
    func policyValidation() {
        var policy = examplePolicy
        policy.maxPrincipalFenByFirmSize = FirmSizeCaps()
        refused(.invalidValue, "policy.max_principal_fen_by_firm_size") { _ = try policy.validated() }
        policy.maxPrincipalFenByFirmSize = FirmSizeCaps(micro: .zero)
        refused(.invalidValue, "policy.max_principal_fen_by_firm_size.micro") { _ = try policy.validated() }
        policy = examplePolicy
        policy.maxPrincipalPerFirmPerYearFen = Money(fen: Money.maximum.fen + 1)
        refused(.invalidValue, "policy.max_principal_per_firm_per_year_fen") { _ = try policy.validated() }
        policy = examplePolicy
        policy.maxRateOverLprBp = Bp(-1)
        refused(.invalidValue, "policy.max_rate_over_lpr_bp") { _ = try policy.validated() }
        policy = examplePolicy
        policy.bankQuotaFen = .zero
        refused(.invalidValue, "policy.bank_quota_fen") { _ = try policy.validated() }
        #expect(throws: Never.self) { try EventRoundTripTests.fullPolicy.validated() }
    }
}
