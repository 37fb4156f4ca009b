import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// What a bank owes the fund from recoveries, before it returns it. The worked example:
/// 1,000,000.00 paid on a loss of 3,200,000.00; a 500,000.00 recovery on 2025-04-01 →
/// share 500,000.00 × 1,000,000.00 ÷ 3,200,000.00 = 156,250.00.
@Suite("Recovery shares owed")
struct RecoveriesDueTests {
    func paidExample(policy: FundPolicy? = nil) throws -> ExampleDistrict {
        var d = try ExampleDistrict()
        if let policy { try d.ledger.run(.fund(d.fund, .amendPolicy(policy, effectiveOn: date("2023-01-01"), reason: "return terms"))) }
        try d.approvedClaim("1,000,000.00", approvedOn: "2025-01-10")
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-20"), paymentRef: "LC-FIN-2025-007")))
        return d
    }

    func exposure(_ d: ExampleDistrict, asOf: String) throws -> ExposureReport {
        var fold = LedgerFold(asOf: date(asOf))
        for recorded in d.ledger.log { fold.apply(recorded) }
        return try ExposureReport.compute(fund: fold.states.funds[d.fund]!, loans: fold.states.loanSnapshots, asOf: date(asOf))
    }

    @Test("owed_to_fund_fen is the share returnRecoveryShare would take, on the loan, its snapshot and the exposure; 0 once returned")
    func owedThenReturned() throws {
        var d = try paidExample()
        #expect(d.ledger.loan(d.loan).owedToFund == .zero)
        #expect(try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-04-01")).rows.isEmpty)

        try d.ledger.run(
            .loan(
                d.loan,
                .receiveRecovery(amount: yuan("500,000.00"), receivedOn: date("2025-04-01"), source: "auction of the pledged patent")))
        let loan = d.ledger.loan(d.loan)
        #expect(loan.owedToFund == yuan("156,250.00"))
        #expect(
            loan.sharesOwedToFund == [
                ShareOwedToFund(
                    recoveryNo: 1, receivedOn: date("2025-04-01"), recoveryFen: yuan("500,000.00"), shareFen: yuan("156,250.00"))
            ])
        let snapshot = try #require(d.ledger.states.snapshot(of: d.loan))
        #expect(snapshot.owedToFundFen == yuan("156,250.00"))
        #expect(CanonicalJSON.string(try JSONParser.parse(EventCoding.encoder.encode(snapshot))).contains("\"owed_to_fund_fen\":15625000"))
        let report = try exposure(d, asOf: "2025-04-30")
        #expect(report.owedToFundFen == yuan("156,250.00"))
        #expect(report.byBank.map(\.owedToFundFen) == [yuan("156,250.00")])
        #expect(CanonicalJSON.string(report.json).contains("\"owed_to_fund_fen\":15625000"))
        #expect(try exposure(d, asOf: "2025-03-31").owedToFundFen == .zero)

        let returned = try d.ledger.run(
            .loan(d.loan, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2025-05-05"), reference: "RET-001")))
        guard case .recoveryReturnedToFund(let share) = returned[0].event else {
            Issue.record("no return")
            return
        }
        #expect(share.amountFen == yuan("156,250.00"))
        #expect(d.ledger.loan(d.loan).owedToFund == .zero && d.ledger.loan(d.loan).sharesOwedToFund.isEmpty)
        #expect(d.ledger.states.snapshot(of: d.loan)?.owedToFundFen == .zero)
        #expect(try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-06-01")).rows.isEmpty)
    }

    @Test("a share is overdue when more than 30 days old (the default when the policy sets no recovery_return_days)")
    func overdueAfterThirtyDays() throws {
        var d = try paidExample()
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("500,000.00"), receivedOn: date("2025-04-01"), source: "auction")))
        let onTime = try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-05-01"))
        #expect(
            onTime.rows == [
                RecoveriesDue.Row(
                    fundId: d.fund, bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, recoveryNo: 1,
                    receivedOn: date("2025-04-01"),
                    recoveryFen: yuan("500,000.00"), shareDueFen: yuan("156,250.00"), daysSinceReceipt: 30, returnDays: 30, overdue: false)
            ])
        #expect(onTime.totalDueFen == yuan("156,250.00") && onTime.overdueFen == .zero && onTime.overdueCount == 0)
        let late = try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-05-02"))
        #expect(late.rows.map(\.daysSinceReceipt) == [31] && late.rows.map(\.overdue) == [true])
        #expect(late.overdueFen == yuan("156,250.00") && late.overdueCount == 1)
        #expect(
            late.csv == """
                fund_id,bank_id,contract_no,borrower,recovery_no,received_on,recovery_fen,share_due_fen,days_since_receipt,return_days,overdue
                LC-IPRC,LCRCB,LC-2024-0001,91512081MA62K0260E,1,2025-04-01,50000000,15625000,31,30,true

                """)
        #expect(CanonicalJSON.string(late.json).contains("\"overdue_fen\":15625000"))
        // Another fund's report does not list it.
        #expect(try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-05-02"), fund: fundId("OTHER")).rows.isEmpty)
    }

    @Test("the policy's recovery_return_days replaces the 30-day default")
    func policyTerm() throws {
        var policy = examplePolicy
        policy.recoveryReturnDays = 45
        var d = try paidExample(policy: policy)
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("500,000.00"), receivedOn: date("2025-04-01"), source: "auction")))
        #expect(
            try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-05-16")).rows.map {
                "\($0.daysSinceReceipt)/\($0.returnDays) \($0.overdue)"
            } == ["45/45 false"])
        #expect(try RecoveriesDue.compute(d.ledger.states, asOf: date("2025-05-17")).rows.map(\.overdue) == [true])
    }

    /// Loss 3,200,000.00, paid 1,000,000.00 (ratio 0.3125):
    ///   R1 100,000.00 received before the payout → 31,250.00 once paid
    ///   R2 0.01                                   → 0.003125 fen rounds up to 0.01
    ///   R3 3,099,999.99                           → 968,749.996875 → 968,750.00, capped at 1,000,000.00 − 31,250.01 = 968,749.99
    @Test(
        "nothing is owed before the fund pays; shares round up and are capped at what the fund paid, in recovery order; reversed recoveries owe nothing"
    )
    func sharesInOrder() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1,800,000.00"), interest: .zero, paidOn: date("2024-09-01"))))
        try d.ledger.run(
            .loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), daysOverdue: 95, classification: .loss)))
        try d.ledger.run(
            .loan(d.loan, .receiveRecovery(amount: yuan("100,000.00"), receivedOn: date("2024-10-02"), source: "deposit set-off")))
        #expect(d.ledger.loan(d.loan).owedToFund == .zero)
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-10-03"))))
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2024-10-04"))))
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-05"), paymentRef: "P")))
        #expect(d.ledger.loan(d.loan).owedToFund == yuan("31,250.00"))
        let r2 = try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("0.01"), receivedOn: date("2024-11-01"), source: "s")))
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("3,099,999.99"), receivedOn: date("2024-12-01"), source: "s")))
        #expect(d.ledger.loan(d.loan).sharesOwedToFund.map(\.shareFen) == [yuan("31,250.00"), yuan("0.01"), yuan("968,749.99")])
        #expect(d.ledger.loan(d.loan).owedToFund == yuan("1,000,000.00"))
        // Oldest first.
        #expect(try RecoveriesDue.compute(d.ledger.states, asOf: date("2024-12-31")).rows.map(\.recoveryNo) == [1, 2, 3])

        try d.ledger.run(.loan(d.loan, .reverse(eventId: r2[0].id, on: date("2024-12-02"), reason: "bounced")))
        #expect(d.ledger.loan(d.loan).sharesOwedToFund.map(\.shareFen) == [yuan("31,250.00"), yuan("968,750.00")])
        // What the bank returns is exactly what was shown as owed.
        for number in [1, 3] {
            let owed = d.ledger.loan(d.loan).sharesOwedToFund.first!
            #expect(owed.recoveryNo == number)
            let written = try d.ledger.run(
                .loan(d.loan, .returnRecoveryShare(recoveryNo: number, returnedOn: date("2024-12-10"), reference: "RET-\(number)")))
            guard case .recoveryReturnedToFund(let share) = written[0].event else {
                Issue.record("no return")
                return
            }
            #expect(share.amountFen == owed.shareFen)
        }
        #expect(d.ledger.loan(d.loan).owedToFund == .zero)
    }

    @Test("a snapshot stored before owed_to_fund_fen existed reads it as 0; new ones always write it")
    func snapshotCompatibility() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let snapshot = try #require(d.ledger.states.snapshot(of: d.loan))
        let text = CanonicalJSON.string(try JSONParser.parse(EventCoding.encoder.encode(snapshot)))
        #expect(text.contains("\"owed_to_fund_fen\":0"))
        let old = text.replacingOccurrences(of: ",\"owed_to_fund_fen\":0", with: "").replacingOccurrences(
            of: "\"owed_to_fund_fen\":0,", with: "")
        #expect(!old.contains("owed_to_fund_fen"))
        #expect(try EventCoding.decoder.decode(LoanSnapshot.self, from: Data(old.utf8)) == snapshot)
    }
}
