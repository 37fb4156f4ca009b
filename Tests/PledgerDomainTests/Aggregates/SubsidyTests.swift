import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Subsidy programmes, worked by hand: interest subsidy at 50% of interest actually paid, at
/// most 500,000.00 per firm per year, budget 700,000.00; appraisal-fee subsidy at 50% of the
/// fee, at most 30,000.00 per valuation.
@Suite("Subsidies")
struct SubsidyTests {
    let interest = try! SubsidyProgrammeId("TX-2024")
    let fees = try! SubsidyProgrammeId("PG-2024")

    func programme(_ id: SubsidyProgrammeId, _ kind: SubsidyKind, cap: String, budget: String) -> LedgerCommand {
        .subsidy(
            id,
            .establish(
                SubsidyProgrammeEstablished(
                    programmeId: id, name: "\(id)", kind: kind, rateBp: Bp(5000), capFen: yuan(cap), budgetFen: yuan(budget),
                    startsOn: date("2024-01-01"), endsOn: date("2025-12-31"))))
    }

    @Test("interest subsidy: limited by the firm's yearly cap, then by the programme's budget; paid within what was approved")
    func interestSubsidy() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let second = try d.originateSecondLoan()
        try d.ledger.run(programme(interest, .interest, cap: "500,000.00", budget: "700,000.00"))
        // 2024: 800,000.00 + 400,000.00 of interest, one repayment of 1.00 reversed (its interest does not count).
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("100.00"), interest: yuan("800,000.00"), paidOn: date("2024-06-01"))))
        try d.ledger.run(.loan(second, .repay(principal: yuan("100.00"), interest: yuan("400,000.00"), paidOn: date("2024-07-01"))))
        let mistaken = try d.ledger.run(
            .loan(second, .repay(principal: yuan("1.00"), interest: yuan("9,999.00"), paidOn: date("2024-07-02"))))
        try d.ledger.run(.loan(second, .reverse(eventId: mistaken[0].id, on: date("2024-07-03"), reason: "误记")))

        refused(.invalidValue, "loans[0]", containing: "not a loan of") {
            try d.ledger.run(
                .subsidy(
                    interest,
                    .applyForInterest(borrower: validUscc("91210000MA0000001"), year: 2024, loans: [d.loan], appliedOn: date("2025-01-10")))
            )
        }
        try d.ledger.run(
            .subsidy(interest, .applyForInterest(borrower: d.borrower, year: 2024, loans: [d.loan, second], appliedOn: date("2025-01-10"))))
        var state = d.ledger.decided.subsidies[interest]!
        // 50% of 1,200,000.00 is 600,000.00: the yearly cap of 500,000.00 binds.
        #expect(state.applications[0].basisFen == yuan("1,200,000.00") && state.applications[0].entitlementFen == yuan("500,000.00"))
        refused(.duplicate, "application_no", containing: "awaits a decision") {
            try d.ledger.run(
                .subsidy(interest, .applyForInterest(borrower: d.borrower, year: 2024, loans: [d.loan], appliedOn: date("2025-01-11"))))
        }
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.subsidy(interest, .approve(applicationNo: 1, amount: yuan("500,000.01"), approvedOn: date("2025-01-20"))))
        }
        try d.ledger.run(.subsidy(interest, .approve(applicationNo: 1, amount: nil, approvedOn: date("2025-01-20"))))
        // The year's cap is used up: a second application for 2024 is entitled to nothing more.
        try d.ledger.run(
            .subsidy(interest, .applyForInterest(borrower: d.borrower, year: 2024, loans: [d.loan, second], appliedOn: date("2025-01-21"))))
        #expect(d.ledger.decided.subsidies[interest]!.applications[1].entitlementFen == .zero)
        refused(.invalidValue, "amount_fen") {
            try d.ledger.run(.subsidy(interest, .approve(applicationNo: 2, amount: nil, approvedOn: date("2025-01-22"))))
        }
        try d.ledger.run(.subsidy(interest, .reject(applicationNo: 2, rejectedOn: date("2025-01-22"), reason: "本年度已达上限")))

        // 2025: 600,000.00 of interest → 300,000.00, but only 200,000.00 of the budget is left.
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("100.00"), interest: yuan("600,000.00"), paidOn: date("2025-02-01"))))
        try d.ledger.run(
            .subsidy(interest, .applyForInterest(borrower: d.borrower, year: 2025, loans: [d.loan], appliedOn: date("2025-02-05"))))
        #expect(d.ledger.decided.subsidies[interest]!.applications[2].entitlementFen == yuan("300,000.00"))
        refused(.limitExceeded, "amount_fen", containing: "200,000.00 left of its budget 700,000.00") {
            try d.ledger.run(.subsidy(interest, .approve(applicationNo: 3, amount: nil, approvedOn: date("2025-02-10"))))
        }
        try d.ledger.run(.subsidy(interest, .approve(applicationNo: 3, amount: yuan("200,000.00"), approvedOn: date("2025-02-10"))))

        // Payments: in parts, never beyond what was approved, never before the approval.
        refused(.dateOrder, "paid_on") {
            try d.ledger.run(.subsidy(interest, .pay(applicationNo: 1, amount: nil, paidOn: date("2025-01-19"), reference: "P")))
        }
        try d.ledger.run(
            .subsidy(interest, .pay(applicationNo: 1, amount: yuan("250,000.00"), paidOn: date("2025-01-25"), reference: "贴息-1")))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(
                .subsidy(interest, .pay(applicationNo: 1, amount: yuan("250,000.01"), paidOn: date("2025-01-26"), reference: "P")))
        }
        try d.ledger.run(.subsidy(interest, .pay(applicationNo: 1, amount: nil, paidOn: date("2025-01-26"), reference: "贴息-2")))
        refused(.duplicate, "application_no") {
            try d.ledger.run(.subsidy(interest, .pay(applicationNo: 1, amount: nil, paidOn: date("2025-01-27"), reference: "P")))
        }
        refused(.invalidState, "application_no") {
            try d.ledger.run(.subsidy(interest, .pay(applicationNo: 2, amount: nil, paidOn: date("2025-01-27"), reference: "P")))
        }

        state = d.ledger.subsidy(interest)
        let report = try SubsidyReport.compute(state)
        #expect(report.committedFen == yuan("700,000.00") && report.paidFen == yuan("500,000.00") && report.remainingFen == .zero)
        #expect(report.rows.map { "\($0.year) \($0.approvedFen) \($0.paidFen)" } == ["2024 500,000.00 500,000.00", "2025 200,000.00 0.00"])
        #expect(report.csv.hasSuffix("total,,2,180000000,80000000,70000000,50000000\n"), "\(report.csv)")
    }

    @Test("appraisal-fee subsidy: 50% of the fee, at most 30,000.00 per valuation of the firm's own asset")
    func appraisalFeeSubsidy() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(programme(fees, .appraisalFee, cap: "30,000.00", budget: "1,000,000.00"))
        refused(.invalidValue, "programme_id") {
            try d.ledger.run(
                .subsidy(fees, .applyForInterest(borrower: d.borrower, year: 2024, loans: [d.loan], appliedOn: date("2025-01-10"))))
        }
        refused(.notFound, "valuation_id") {
            try d.ledger.run(
                .subsidy(
                    fees,
                    .applyForAppraisalFee(
                        borrower: d.borrower, asset: d.patent, valuation: valuationId("V9"), fee: yuan("80,000.00"), invoiceRef: "INV-1",
                        appliedOn: date("2024-02-01"))))
        }
        refused(.invalidValue, "asset_id", containing: "belongs to") {
            try d.ledger.run(
                .subsidy(
                    fees,
                    .applyForAppraisalFee(
                        borrower: validUscc("91210000MA0000001"), asset: d.patent, valuation: valuationId("V1"), fee: yuan("80,000.00"),
                        invoiceRef: "INV-1", appliedOn: date("2024-02-01"))))
        }
        try d.ledger.run(
            .subsidy(
                fees,
                .applyForAppraisalFee(
                    borrower: d.borrower, asset: d.patent, valuation: valuationId("V1"), fee: yuan("80,000.00"), invoiceRef: "INV-1",
                    appliedOn: date("2024-02-01"))))
        #expect(d.ledger.decided.subsidies[fees]!.applications[0].entitlementFen == yuan("30,000.00"))
        try d.ledger.run(.subsidy(fees, .approve(applicationNo: 1, amount: nil, approvedOn: date("2024-02-10"))))
        try d.ledger.run(.subsidy(fees, .pay(applicationNo: 1, amount: nil, paidOn: date("2024-02-20"), reference: "评估补贴-1")))
        #expect(d.ledger.subsidy(fees).paidFen == yuan("30,000.00"))
        refused(.duplicate, "programme_id") {
            try d.ledger.run(programme(fees, .appraisalFee, cap: "30,000.00", budget: "1,000,000.00"))
        }
    }

    @Test(
        "a programme's kept totals and awaiting applications are what its applications say, after every step of random work",
        arguments: 0..<8)
    func keptTotals(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let second = try d.originateSecondLoan()
        try d.ledger.run(programme(interest, .interest, cap: "500,000.00", budget: "2,000,000.00"))
        for (loan, paidOn) in [(d.loan, "2024-06-01"), (second, "2024-07-01"), (d.loan, "2025-02-01")] {
            try d.ledger.run(.loan(loan, .repay(principal: yuan("100.00"), interest: yuan("90,000.00"), paidOn: date(paidOn))))
        }
        var day = date("2026-01-05")
        for _ in 0..<120 {
            day = day.adding(days: 1)
            let before = d.ledger.decided.subsidies[interest]!
            let number = Int.random(in: 1...max(1, before.applications.count + 1), using: &random)
            let amount = Bool.random(using: &random) ? nil : Money(fen: Int64.random(in: 1...4_000_000, using: &random))
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                let year = Int.random(in: 2024...2025, using: &random)
                // Refused as a duplicate exactly when an earlier application for the year awaits a decision.
                let awaiting = before.applications.contains { $0.year == year && $0.status == .applied }
                do {
                    try d.ledger.run(
                        .subsidy(interest, .applyForInterest(borrower: d.borrower, year: year, loans: [d.loan], appliedOn: day)))
                    #expect(!awaiting, "an application for \(year) was accepted while another awaited a decision")
                } catch let error as DomainError {
                    #expect((error.code == .duplicate) == awaiting, "\(error)")
                }
            case 1: _ = try? d.ledger.run(.subsidy(interest, .approve(applicationNo: number, amount: amount, approvedOn: day)))
            case 2: _ = try? d.ledger.run(.subsidy(interest, .reject(applicationNo: number, rejectedOn: day, reason: "不符合条件")))
            default:
                _ = try? d.ledger.run(
                    .subsidy(interest, .pay(applicationNo: number, amount: amount, paidOn: day, reference: "P-\(number)")))
            }
            let state = d.ledger.decided.subsidies[interest]!
            #expect(state.committedFen == state.applications.reduce(.zero) { $0.adding(saturating: $1.approvedFen) })
            #expect(state.paidFen == state.applications.reduce(.zero) { $0.adding(saturating: $1.paidFen) })
            let awaiting = Dictionary(grouping: state.applications.filter { $0.status == .applied }, by: \.capKey).mapValues {
                Set($0.map(\.number))
            }
            #expect(state.awaitingDecision == awaiting)
        }
        let state = d.ledger.decided.subsidies[interest]!
        #expect(state == d.ledger.subsidy(interest), "the state decided along the way is the fold of the stream")
        #expect(state.applications.contains { $0.status == .approved } && state.applications.contains { $0.paidFen.isPositive })
    }

    @Test("a hand-made log with two applications numbered 1: approving one leaves the other awaiting a decision")
    func repeatedApplicationNumber() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        try d.ledger.run(programme(interest, .interest, cap: "500,000.00", budget: "700,000.00"))
        let applied = LedgerEvent.interestSubsidyApplied(
            InterestSubsidyApplied(
                applicationNo: 1, borrower: d.borrower, year: 2024, loans: [d.loan], interestFen: yuan("2.00"),
                entitlementFen: yuan("1.00"),
                appliedOn: date("2025-01-10")))
        let approved = LedgerEvent.subsidyApproved(
            SubsidyApproved(applicationNo: 1, amountFen: yuan("1.00"), approvedOn: date("2025-01-11")))
        d.ledger.appendUndecided([applied, applied, approved], to: .subsidy(interest))
        let state = d.ledger.subsidy(interest)
        #expect(state.applications.map(\.status) == [.approved, .applied])
        #expect(state.awaitingDecision == ["\(d.borrower)/2024": [2]], "by place in the stream, as application(_:) finds them")
        #expect(state.committedFen == yuan("1.00"))
    }
}
