import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The issue's hand-checked example, end to end: a 5,000,000.00 loan at coverage 40% and a
/// per-loan cap of 1,000,000.00 defaults with 3,200,000.00 outstanding → claim limit
/// 1,000,000.00; a 500,000.00 recovery after the 1,000,000.00 payout → fund share 156,250.00.
@Suite("Worked example")
struct WorkedExampleTests {
    @Test("origination to recovery, with every figure checked by hand")
    func lifeOfALoan() throws {
        var district = try ExampleDistrict()
        let loan = district.loan
        #expect(district.ledger.fund(district.fund).balance == yuan("10,000,000.00"))

        let originated = try district.ledger.run(district.origination())
        #expect(originated.map(\.stream) == ["loan-LCRCB-LC-2024-0001", "asset-ZL202110000001", "fund-LC-IPRC"])
        #expect(originated.map(\.event.type) == ["LoanOriginated", "AssetPledged", "CoverGranted"])
        guard case .loanOriginated(let o) = originated[0].event else {
            Issue.record("no origination")
            return
        }
        #expect(o.pledgeRateBp == Bp(5000))  // 5,000,000 ÷ 10,000,000
        #expect(district.ledger.asset(district.patent).activePledge?.contractNo.value == "LC-2024-0001")

        try district.ledger.run(
            .loan(loan, .repay(principal: yuan("1,800,000.00"), interest: yuan("96,250.00"), paidOn: date("2024-09-01"))))
        #expect(district.ledger.loan(loan).outstanding == yuan("3,200,000.00"))

        try district.ledger.run(
            .loan(
                loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-09-01"), daysOverdue: 30, classification: .substandard)
            ))
        #expect(district.ledger.loan(loan).defaulted?.outstandingFen == yuan("3,200,000.00"))

        // Missed its due date of 2024-09-01: 75 days overdue on 2024-11-15 < 90, too early.
        #expect(
            throws: DomainError(
                .policyViolation, field: "claimed_on",
                "the loan is 75 days overdue on 2024-11-15 (missed due date 2024-09-01); the fund accepts claims from 90 days (from 2024-11-30)"
            )
        ) {
            try district.ledger.run(.loan(loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-11-15"))))
        }
        // Limit = min(40% × 3,200,000.00 = 1,280,000.00, 1,000,000.00, 2,000,000.00) = 1,000,000.00.
        #expect {
            try district.ledger.run(.loan(loan, .claimCompensation(amount: yuan("1,000,000.01"), claimedOn: date("2024-12-30"))))
        } throws: { error in
            let error = error as! DomainError
            return error.code == .limitExceeded && error.field == "amount_fen" && error.message.contains("the limit 1,000,000.00")
        }
        let claimed = try district.ledger.run(.loan(loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-12-30"))))
        guard case .compensationClaimed(let claim) = claimed[0].event else {
            Issue.record("no claim")
            return
        }
        #expect(claim.limitFen == yuan("1,000,000.00"))

        let approved = try district.ledger.run(.loan(loan, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2025-01-10"))))
        #expect(approved.map(\.event.type) == ["CompensationApproved", "CompensationCommitted"])
        let paid = try district.ledger.run(.loan(loan, .payClaim(paidOn: date("2025-01-20"), paymentRef: "LC-FIN-2025-007")))
        #expect(paid.map(\.event.type) == ["CompensationPaid", "CompensationDisbursed"])
        #expect(district.ledger.fund(district.fund).balance == yuan("9,000,000.00"))
        #expect(throws: DomainError.self) {
            try district.ledger.run(.loan(loan, .payClaim(paidOn: date("2025-01-21"), paymentRef: "again")))
        }

        try district.ledger.run(
            .loan(
                loan, .receiveRecovery(amount: yuan("500,000.00"), receivedOn: date("2025-04-01"), source: "auction of the pledged patent"))
        )
        let returned = try district.ledger.run(
            .loan(loan, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2025-04-10"), reference: "RET-001")))
        guard case .recoveryReturnedToFund(let share) = returned[0].event else {
            Issue.record("no return")
            return
        }
        #expect(share.amountFen == yuan("156,250.00"))  // 500,000 × 1,000,000 ÷ 3,200,000
        #expect(district.ledger.fund(district.fund).balance == yuan("9,156,250.00"))
        #expect(throws: DomainError.self) {
            try district.ledger.run(.loan(loan, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2025-04-11"), reference: "RET-002")))
        }

        try district.ledger.run(.loan(loan, .writeOff(on: date("2025-06-30"), reason: "collateral exhausted")))
        #expect(district.ledger.loan(loan).writtenOff == yuan("2,700,000.00"))
        try district.ledger.run(.loan(loan, .close(on: date("2025-07-01"))))
        #expect(district.ledger.asset(district.patent).activePledge == nil)
    }

    @Test("recovery shares round up in the fund's favour and never exceed what it paid")
    func recoveryRounding() throws {
        #expect(
            try Loan.fundShare(of: yuan("333,333.33"), paid: yuan("1,000,000.00"), loss: yuan("3,200,000.00"), alreadyReturned: .zero)
                == yuan("104,166.67"))
        #expect(
            try Loan.fundShare(
                of: yuan("3,200,000.00"), paid: yuan("1,000,000.00"), loss: yuan("3,200,000.00"), alreadyReturned: yuan("900,000.00"))
                == yuan("100,000.00"))
        #expect(try Loan.fundShare(of: yuan("1.00"), paid: yuan("1.00"), loss: yuan("3.00"), alreadyReturned: .zero) == yuan("0.34"))
    }
}

@Suite("Ledger session")
struct LedgerSessionTests {
    @Test("runAll is all or nothing: a refused last command leaves states, events and positions as they were")
    func runAllRollsBack() throws {
        var session = LedgerSession(missingStreamsAreEmpty: true)
        let bank = bankId("B1")
        try session.run(.bank(bank, .register(id: bank, name: "Bank", licence: "L")), at: RecordedTime(microseconds: 1))
        let before = (session.recorded.count, session.commandEnds, session.states.banks.count)
        let borrower = validUscc("91210000MA0000009")
        #expect(throws: DomainError.self) {
            try session.runAll(
                [
                    .borrower(
                        borrower,
                        .register(
                            uscc: borrower, name: "Co", industry: try IndustryCode("C38"), region: try RegionCode("211303"), techSme: false)
                    ),
                    .bank(bank, .register(id: bank, name: "again", licence: "L")),  // refused: registered already
                ], at: RecordedTime(microseconds: 2))
        }
        #expect(session.recorded.count == before.0 && session.commandEnds == before.1)
        #expect(session.states.borrowers[borrower] == nil)
        #expect(session.states.versions[.borrower(borrower)] == nil)
        // And the session goes on normally afterwards, positions continuing densely.
        let next = try session.run(
            .borrower(
                borrower,
                .register(uscc: borrower, name: "Co", industry: try IndustryCode("C38"), region: try RegionCode("211303"), techSme: false)),
            at: RecordedTime(microseconds: 3))
        #expect(next.first?.position == 2 && next.first?.version == 1)
    }
}
