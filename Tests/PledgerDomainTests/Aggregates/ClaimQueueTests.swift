import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Claims a fund cannot pay at once: partial payments up to the balance, the queue in
/// approval order, paying the queue when money arrives, and withdrawals.
@Suite("Claim queue")
struct ClaimQueueTests {

    /// The issue's month (amounts in yuan):
    ///   balance 300,000.00; claim approved 500,000.00 on 2025-01-06
    ///   2025-01-08 pay            → 300,000.00 paid, 200,000.00 queued, balance 0.00
    ///   2025-01-20 interest         +1,234.56
    ///   2025-01-25 city contribution +250,000.00
    ///   2025-01-31 pay the queue  → 200,000.00 paid ("LC-FIN-2025-002/1")
    ///   balance 300,000.00 − 300,000.00 + 1,234.56 + 250,000.00 − 200,000.00 = 51,234.56
    @Test("the issue's month: paid from a thin balance, queued, interest and a contribution arrive, the queue is paid, to the fen")
    func issuesMonth() throws {
        var d = try ExampleDistrict(contributions: [(.province, "300,000.00")], policy: thinFundPolicy)
        try d.approvedClaim("500,000.00")
        #expect(d.ledger.fund(d.fund).balance == yuan("300,000.00"))

        let paid = try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-08"), paymentRef: "LC-FIN-2025-001")))
        #expect(
            paid.map(\.event) == [
                .compensationPaid(
                    CompensationPaid(
                        claimNo: 1, amountFen: yuan("300,000.00"), paidOn: date("2025-01-08"), paymentRef: "LC-FIN-2025-001",
                        remainingFen: yuan("200,000.00"))),
                .compensationDisbursed(
                    CompensationDisbursed(
                        bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, claimNo: 1,
                        amountFen: yuan("300,000.00"), paidOn: date("2025-01-08"), paymentRef: "LC-FIN-2025-001")),
            ])
        var fund = d.ledger.fund(d.fund)
        #expect(fund.balance == .zero)
        #expect(
            fund.queue == [
                FundState.Compensation(
                    loan: d.loan, borrower: d.borrower, claimNo: 1, approved: yuan("500,000.00"), approvedOn: date("2025-01-06"),
                    paid: yuan("300,000.00"), released: .zero, paidOn: date("2025-01-08"))
            ])
        #expect(fund.queue.first?.remaining == yuan("200,000.00") && fund.queuedFen == yuan("200,000.00"))
        let loan = d.ledger.loan(d.loan)
        #expect(
            loan.openClaim?.status == .approved && loan.openClaim?.paid == yuan("300,000.00")
                && loan.openClaim?.unpaid == yuan("200,000.00"))
        let snapshot = try #require(d.ledger.states.snapshot(of: d.loan))
        #expect(
            snapshot.pendingClaimFen == yuan("200,000.00") && snapshot.pendingClaimApproved
                && snapshot.compensationPaidFen == yuan("300,000.00"))

        // Nothing left: the claim is queued, and the refusal says so.
        refused(
            .limitExceeded, "paid_on",
            containing:
                "is queued: fund LC-IPRC has no money available on 2025-01-10; the 200,000.00 unpaid will be paid when money arrives"
        ) {
            try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-10"), paymentRef: "again")))
        }
        refused(.limitExceeded, "paid_on", containing: "will be paid when money arrives") {
            try d.ledger.run(.fund(d.fund, .payQueue(on: date("2025-01-10"), reference: "Q", limit: nil)))
        }

        try d.ledger.run(.fund(d.fund, .creditInterest(amount: yuan("1,234.56"), creditedOn: date("2025-01-20"), reference: "结息-2025-01")))
        try d.ledger.run(
            .fund(
                d.fund,
                .receiveContribution(amount: yuan("250,000.00"), contributor: .city, receivedOn: date("2025-01-25"), reference: "拨付-city")))
        #expect(d.ledger.fund(d.fund).balance == yuan("251,234.56"))

        let queuePaid = try d.ledger.run(.fund(d.fund, .payQueue(on: date("2025-01-31"), reference: "LC-FIN-2025-002", limit: nil)))
        #expect(queuePaid.map(\.stream) == ["fund-LC-IPRC", "loan-LCRCB-LC-2024-0001"])
        #expect(
            queuePaid.map(\.event) == [
                .compensationDisbursed(
                    CompensationDisbursed(
                        bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, claimNo: 1,
                        amountFen: yuan("200,000.00"), paidOn: date("2025-01-31"), paymentRef: "LC-FIN-2025-002/1")),
                .compensationPaid(
                    CompensationPaid(
                        claimNo: 1, amountFen: yuan("200,000.00"), paidOn: date("2025-01-31"), paymentRef: "LC-FIN-2025-002/1",
                        remainingFen: .zero)),
            ])
        fund = d.ledger.fund(d.fund)
        #expect(fund.balance == yuan("51,234.56"))
        #expect(fund.queue.isEmpty && fund.queuedFen == .zero)
        let account = fund.account()
        #expect(account.contributedFen == yuan("550,000.00") && account.compensationPaidFen == yuan("500,000.00"))
        #expect(account.interestFen == yuan("1,234.56") && account.balanceFen == yuan("51,234.56"))
        #expect(d.ledger.loan(d.loan).claims[0].status == .paid && d.ledger.loan(d.loan).compensationPaid == yuan("500,000.00"))
        refused(.invalidState, "fund_id", containing: "no approved claims awaiting payment") {
            try d.ledger.run(.fund(d.fund, .payQueue(on: date("2025-02-01"), reference: "Q", limit: nil)))
        }
        // Paid in full: the loan can be written off.
        try d.ledger.run(.loan(d.loan, .writeOff(on: date("2025-02-01"), reason: "collateral exhausted")))
    }

    @Test("while a claim is queued, rejection and write-off are refused with the way out: withdraw the remainder")
    func queuedClaimNeedsAWayOut() throws {
        var d = try ExampleDistrict(contributions: [(.province, "300,000.00")], policy: thinFundPolicy)
        try d.approvedClaim("500,000.00")
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-08"), paymentRef: "P1")))
        refused(.invalidState, "contract_no", containing: "withdraw the unpaid remainder instead of rejecting it") {
            try d.ledger.run(.loan(d.loan, .rejectClaim(rejectedOn: date("2025-01-09"), reason: "no money")))
        }
        refused(.invalidState, "contract_no", containing: "claim 1 is still approved; decide and pay it, or withdraw it, first") {
            try d.ledger.run(.loan(d.loan, .writeOff(on: date("2025-01-09"), reason: "uncollectable")))
        }
    }

    /// Two loans of the same borrower, approved out of date order, 500,000.00 in the fund:
    ///   A  LC-2024-0001  400,000.00 approved 2024-10-10 (recorded first)
    ///   B  LC-2024-0002  300,000.00 approved 2024-10-05 (recorded second) → first in the queue
    ///   10-15 pay the queue, limit 100,000.00 → B 100,000.00
    ///   10-20 pay the queue                  → B 200,000.00 (paid), A 200,000.00 (200,000.00 still queued)
    @Test("the queue is in approval order (approved_on, then log order) and the last claim paid may be partial")
    func queueOrder() throws {
        var d = try ExampleDistrict(contributions: [(.province, "500,000.00")], policy: thinFundPolicy)
        try d.ledger.run(d.origination())
        let second = try d.originateSecondLoan()
        for key in [d.loan, second] {
            try d.ledger.run(
                .loan(key, .markDefaulted(on: date("2024-09-01"), missedDueOn: date("2024-05-29"), daysOverdue: 95, classification: .loss)))
        }
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("400,000.00"), claimedOn: date("2024-10-01"))))
        try d.ledger.run(.loan(second, .claimCompensation(amount: yuan("300,000.00"), claimedOn: date("2024-10-01"))))
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("400,000.00"), approvedOn: date("2024-10-10"))))
        try d.ledger.run(.loan(second, .approveClaim(amount: yuan("300,000.00"), approvedOn: date("2024-10-05"))))
        #expect(d.ledger.fund(d.fund).queue.map(\.loan) == [second, d.loan])

        // Before any approval: nothing may be paid yet.
        refused(.dateOrder, "paid_on", containing: "approved or last paid after 2024-10-04 (the first approved on 2024-10-05)") {
            try d.ledger.run(.fund(d.fund, .payQueue(on: date("2024-10-04"), reference: "Q0", limit: nil)))
        }
        refused(.invalidValue, "limit_fen") {
            try d.ledger.run(.fund(d.fund, .payQueue(on: date("2024-10-15"), reference: "Q0", limit: .zero)))
        }
        // Between the approvals only B can be paid: A waits even though money is there.
        let limited = try d.ledger.run(.fund(d.fund, .payQueue(on: date("2024-10-07"), reference: "Q1", limit: yuan("100,000.00"))))
        #expect(limited.map(\.event.type) == ["CompensationDisbursed", "CompensationPaid"])
        #expect(limited.map(\.stream) == ["fund-LC-IPRC", "loan-LCRCB-LC-2024-0002"])
        #expect(d.ledger.loan(second).openClaim?.unpaid == yuan("200,000.00"))

        let written = try d.ledger.run(.fund(d.fund, .payQueue(on: date("2024-10-20"), reference: "Q2", limit: nil)))
        #expect(written.map(\.stream) == ["fund-LC-IPRC", "fund-LC-IPRC", "loan-LCRCB-LC-2024-0002", "loan-LCRCB-LC-2024-0001"])
        #expect(
            written.compactMap { if case .compensationPaid(let p) = $0.event { (p.paymentRef, p.amountFen, p.remainingFen) } else { nil } }
                .map { "\($0.0) \($0.1) \($0.2)" }
                == ["Q2/1 200,000.00 0.00", "Q2/2 200,000.00 200,000.00"])
        let fund = d.ledger.fund(d.fund)
        #expect(fund.balance == .zero)
        #expect(fund.queue.map(\.loan) == [d.loan] && fund.queuedFen == yuan("200,000.00"))
        #expect(d.ledger.loan(second).claims[0].status == .paid)
        #expect(d.ledger.loan(d.loan).openClaim?.unpaid == yuan("200,000.00"))
        // An explicit payment is never more than is unpaid.
        try d.ledger.run(
            .fund(
                d.fund,
                .receiveContribution(amount: yuan("1,000,000.00"), contributor: .city, receivedOn: date("2024-10-25"), reference: "top-up"))
        )
        refused(.limitExceeded, "amount_fen", containing: "exceeds the 200,000.00 unpaid on claim 1") {
            try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-25"), paymentRef: "P", amount: yuan("200,000.01"))))
        }
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-25"), paymentRef: "P", amount: yuan("50,000.00"))))
        #expect(d.ledger.fund(d.fund).queuedFen == yuan("150,000.00"))
    }

    @Test("claims approved on the same day queue in the order the approvals were recorded")
    func sameDayOrder() {
        var fund = FundState()
        let day = date("2024-10-05")
        fund.compensations = [
            .init(loan: loanKey("B", "2"), borrower: validUscc("91210000MA0000001"), claimNo: 1, approved: yuan("1.00"), approvedOn: day),
            .init(loan: loanKey("B", "1"), borrower: validUscc("91210000MA0000001"), claimNo: 1, approved: yuan("1.00"), approvedOn: day),
            .init(
                loan: loanKey("B", "3"), borrower: validUscc("91210000MA0000001"), claimNo: 1, approved: yuan("1.00"),
                approvedOn: day.adding(days: -1)),
            .init(
                loan: loanKey("B", "4"), borrower: validUscc("91210000MA0000001"), claimNo: 1, approved: yuan("1.00"), approvedOn: day,
                paid: yuan("1.00")),
        ]
        #expect(fund.queue.map(\.loan.contract.value) == ["3", "2", "1"])
    }

    @Test("withdrawing a filed claim: no fund event; the loan may claim again or be written off")
    func withdrawFiled() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        try d.ledger.run(
            .loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), daysOverdue: 95, classification: .loss)))
        refused(.invalidState, "contract_no", containing: "no filed or approved claim to withdraw") {
            try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2024-10-02"), reason: "none")))
        }
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("800,000.00"), claimedOn: date("2024-10-02"))))
        refused(.invalidValue, "reason") { try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2024-10-03"), reason: " "))) }
        refused(.dateOrder, "withdrawn_on") {
            try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2024-10-01"), reason: "x")))
        }
        let withdrawn = try d.ledger.run(
            .loan(d.loan, .withdrawClaim(withdrawnOn: date("2024-10-03"), reason: "bank recovers by auction instead")))
        #expect(
            withdrawn.map(\.event) == [
                .compensationWithdrawn(
                    CompensationWithdrawn(
                        claimNo: 1, withdrawnOn: date("2024-10-03"), reason: "bank recovers by auction instead",
                        amountFen: yuan("800,000.00")))
            ])
        #expect(d.ledger.loan(d.loan).claims[0].status == .withdrawn && d.ledger.loan(d.loan).openClaim == nil)
        #expect(d.ledger.fund(d.fund).committedByBorrower[d.borrower] == nil)
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("900,000.00"), claimedOn: date("2024-10-20"))))
        try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2024-10-21"), reason: "again")))
        try d.ledger.run(.loan(d.loan, .writeOff(on: date("2024-10-22"), reason: "uncollectable")))
        #expect(d.ledger.loan(d.loan).writtenOff == yuan("5,000,000.00"))
    }

    @Test("withdrawing an approved remainder releases it: committed by borrower and loan go down, the queue empties, write-off succeeds")
    func withdrawApprovedRemainder() throws {
        var d = try ExampleDistrict(contributions: [(.province, "300,000.00")], policy: thinFundPolicy)
        try d.approvedClaim("500,000.00")
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-08"), paymentRef: "P1")))
        #expect(d.ledger.fund(d.fund).committedByBorrower[d.borrower] == yuan("500,000.00"))
        refused(.dateOrder, "withdrawn_on", containing: "the claim's last payment") {
            try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2025-01-07"), reason: "x")))
        }
        let withdrawn = try d.ledger.run(
            .loan(d.loan, .withdrawClaim(withdrawnOn: date("2025-01-15"), reason: "the bank accepts 300,000.00 as final")))
        #expect(
            withdrawn.map(\.event) == [
                .compensationWithdrawn(
                    CompensationWithdrawn(
                        claimNo: 1, withdrawnOn: date("2025-01-15"), reason: "the bank accepts 300,000.00 as final",
                        amountFen: yuan("200,000.00"))),
                .compensationReleased(
                    CompensationReleased(
                        bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, claimNo: 1, amountFen: yuan("200,000.00"),
                        releasedOn: date("2025-01-15"))),
            ])
        let fund = d.ledger.fund(d.fund)
        #expect(fund.committedByBorrower[d.borrower] == yuan("300,000.00"))
        #expect(fund.committedByLoan[d.loan] == yuan("300,000.00"))
        #expect(fund.queue.isEmpty && fund.compensations.first?.released == yuan("200,000.00"))
        let loan = d.ledger.loan(d.loan)
        #expect(
            loan.claims[0].status == .withdrawn && loan.claims[0].paid == yuan("300,000.00")
                && loan.claims[0].withdrawn == yuan("200,000.00"))
        #expect(d.ledger.states.snapshot(of: d.loan)?.pendingClaimFen == .zero)
        // Part was paid: the loan was compensated, so no new claim; but it can be written off and closed.
        refused(.duplicate, "contract_no", containing: "already compensated") {
            try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1.00"), claimedOn: date("2025-01-16"))))
        }
        refused(.invalidState, "contract_no") {
            try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2025-01-16"), reason: "again")))
        }
        try d.ledger.run(.loan(d.loan, .writeOff(on: date("2025-01-31"), reason: "uncollectable")))
        #expect(d.ledger.loan(d.loan).writtenOff == yuan("3,200,000.00"))
        try d.ledger.run(.loan(d.loan, .close(on: date("2025-02-01"))))
    }

    @Test("withdrawing an approved claim nothing was paid on releases all of it; the loan may claim again")
    func withdrawApprovedUnpaid() throws {
        var d = try ExampleDistrict(contributions: [(.province, "50,000.00")], policy: thinFundPolicy)
        try d.approvedClaim("1,000,000.00")
        try d.ledger.run(
            .fund(
                d.fund,
                .returnContribution(
                    amount: yuan("50,000.00"), contributor: .province, returnedOn: date("2025-01-07"), reference: "RET",
                    reason: "budget clawed back")))
        refused(.limitExceeded, "paid_on") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2025-01-08"), paymentRef: "P"))) }
        try d.ledger.run(.loan(d.loan, .withdrawClaim(withdrawnOn: date("2025-01-09"), reason: "fund empty; the bank re-files next year")))
        #expect(d.ledger.fund(d.fund).committedByBorrower[d.borrower] == .zero)
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2025-01-10"))))
        #expect(d.ledger.loan(d.loan).claims.map(\.number) == [1, 2])
    }

    @Test("the fund's side of queue acts cannot be issued on its own")
    func workflowOnly() throws {
        var d = try ExampleDistrict()
        refused(.invalidState, "claim_no") {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .releaseCompensation(
                        loan: d.loan, borrower: d.borrower, claimNo: 1, amount: yuan("1.00"), releasedOn: date("2024-01-01"))))
        }
        // And the fund refuses to pay or release more than it approved.
        refused(.notFound, "claim_no") {
            _ = try Fund.decide(
                .disburse(
                    loan: d.loan, borrower: d.borrower, claimNo: 1, amount: yuan("1.00"), paidOn: date("2024-01-03"), paymentRef: "P"),
                d.ledger.fund(d.fund))
        }
        try d.approvedClaim("100,000.00")
        refused(.limitExceeded, "amount_fen") {
            _ = try Fund.decide(
                .disburse(
                    loan: d.loan, borrower: d.borrower, claimNo: 1, amount: yuan("100,000.01"), paidOn: date("2025-01-08"), paymentRef: "P"),
                d.ledger.fund(d.fund))
        }
        refused(.limitExceeded, "amount_fen") {
            _ = try Fund.decide(
                .releaseCompensation(
                    loan: d.loan, borrower: d.borrower, claimNo: 1, amount: yuan("100,000.01"), releasedOn: date("2025-01-08")),
                d.ledger.fund(d.fund))
        }
    }
}
