import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Running totals never pass `Money.maximum`: deciders refuse the command that would take
/// them there, and folds of a log written before they did saturate instead of trapping.
@Suite("Totals within the ledger's maximum")
struct TotalsTests {
    static let maximum = Money(fen: 9_007_199_254_740_991)

    @Test("Money.maximum is 2^53 − 1 fen, the largest integer every JSON client reads exactly")
    func maximumIsJSONSafe() {
        #expect(Money.maximum == Self.maximum)
        #expect(Money.maximum.description == "90,071,992,547,409.91")
    }

    @Test("a repayment taking the loan's repaid interest above the maximum is refused, naming interest_fen")
    func repaidInterest() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        try d.ledger.run(.loan(d.loan, .repay(principal: .zero, interest: Self.maximum, paidOn: date("2024-04-01"))))
        #expect(d.ledger.loan(d.loan).repaidInterest == Self.maximum)
        for interest in [Self.maximum, Money(fen: 1)] {
            #expect {
                try d.ledger.run(.loan(d.loan, .repay(principal: .zero, interest: interest, paidOn: date("2024-04-02"))))
            } throws: { error in
                guard let error = error as? DomainError else { return false }
                return error.code == .limitExceeded && error.field == "interest_fen"
                    && error.message.contains("repaid interest of loan LCRCB/LC-2024-0001 is 90,071,992,547,409.91")
                    && error.message.contains("maximum of 90,071,992,547,409.91")
            }
        }
        // Principal is still welcome: only the total that would overflow is refused.
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1.00"), interest: .zero, paidOn: date("2024-04-02"))))
    }

    @Test("a hand-made old log of 1,100 repayments of 2^53 − 1 interest folds without trapping, saturated at the maximum")
    func hostileLoanLog() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let repayment = LedgerEvent.repaymentReceived(
            RepaymentReceived(principalFen: .zero, interestFen: Self.maximum, paidOn: date("2024-04-01")))
        d.ledger.appendUndecided(Array(repeating: repayment, count: 1_100), to: .loan(d.loan))

        let loan = d.ledger.loan(d.loan)
        #expect(loan.repaidInterest == Self.maximum)
        #expect(loan.outstanding == yuan("5,000,000.00"))
        var fold = LedgerFold()
        for recorded in d.ledger.log { fold.apply(recorded) }
        #expect(fold.states.loans[d.loan]?.repaidInterest == Self.maximum)
        #expect(fold.states.snapshot(of: d.loan)?.outstandingFen == yuan("5,000,000.00"))
        // Deciding on that state refuses more interest rather than trapping.
        #expect(throws: DomainError.self) {
            try Loan.decide(.repay(principal: .zero, interest: Money(fen: 1), paidOn: date("2024-04-02")), loan)
        }
        // Reversing a saturated repayment folds too.
        let reversal = LedgerEvent.entryReversed(
            EntryReversed(
                reversedEventId: d.ledger.log.last!.id, reversedType: RepaymentReceived.type, reversedOn: date("2024-04-03"), reason: "x"))
        d.ledger.appendUndecided([reversal], to: .loan(d.loan))
        #expect(d.ledger.loan(d.loan).repaidInterest >= .zero)
    }

    @Test("a contribution taking the fund's contributions above the maximum is refused, naming amount_fen")
    func contributions() throws {
        var d = try ExampleDistrict()
        let room = Money(fen: Self.maximum.fen - yuan("10,000,000.00").fen)
        try d.ledger.run(
            .fund(
                d.fund, .receiveContribution(amount: room, contributor: .province, receivedOn: date("2023-02-02"), reference: "all of it")))
        #expect(d.ledger.fund(d.fund).totals().contributed == Self.maximum)
        #expect(d.ledger.fund(d.fund).balance == Self.maximum)
        #expect {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .receiveContribution(amount: Money(fen: 1), contributor: .city, receivedOn: date("2023-02-03"), reference: "one fen")))
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .limitExceeded && error.field == "amount_fen"
                && error.message.contains("contributions to fund LC-IPRC is 90,071,992,547,409.91")
                && error.message.contains("maximum of 90,071,992,547,409.91")
        }
    }

    @Test("a hand-made old fund log of 1,100 maximal contributions folds; balance, balance(on:), totals and reports do not trap")
    func hostileFundLog() throws {
        var d = try ExampleDistrict()
        let contribution = LedgerEvent.fundContributionReceived(
            FundContributionReceived(amountFen: Self.maximum, contributor: .other, receivedOn: date("2023-06-01"), reference: "x"))
        d.ledger.appendUndecided(Array(repeating: contribution, count: 1_100), to: .fund(d.fund))
        let disbursed = LedgerEvent.compensationDisbursed(
            CompensationDisbursed(
                bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, claimNo: 1, amountFen: Self.maximum,
                paidOn: date("2023-07-01"), paymentRef: "p"))
        d.ledger.appendUndecided([disbursed], to: .fund(d.fund))

        let fund = d.ledger.fund(d.fund)
        #expect(fund.balance(on: date("2023-06-30")) == Self.maximum)
        #expect(fund.balance >= .zero && fund.balance <= Self.maximum)
        let totals = fund.totals()
        #expect(totals.contributed == Self.maximum && totals.paidOut == Self.maximum)
        #expect(fund.lowestBalance(from: date("2023-01-01")) <= Self.maximum)
        #expect {
            try ExposureReport.compute(fund: fund, loans: [], asOf: date("2023-12-31"))
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .limitExceeded && error.field == "contributions_fen"
                && error.message.contains("maximum of 90,071,992,547,409.91")
        }
        // A new contribution is refused on that state, not trapped on.
        #expect(throws: DomainError.self) {
            try Fund.decide(
                .receiveContribution(amount: Money(fen: 1), contributor: .city, receivedOn: date("2023-08-01"), reference: "r"), fund)
        }
    }

    @Test(
        "amounts above the maximum are refused where they enter, with the maximum in yuan",
        arguments: [
            "repay interest_fen", "repay principal_fen", "originate principal_fen", "contribution amount_fen", "valuation value_fen",
            "policy per_loan_cap_fen",
        ])
    func amountsAboveMaximum(case name: String) throws {
        var d = try ExampleDistrict()
        let tooMuch = Money(fen: Self.maximum.fen + 1)
        let (field, command): (String, LedgerCommand) =
            switch name {
            case "repay interest_fen":
                ("interest_fen", .loan(d.loan, .repay(principal: .zero, interest: tooMuch, paidOn: date("2024-04-01"))))
            case "repay principal_fen":
                ("principal_fen", .loan(d.loan, .repay(principal: tooMuch, interest: .zero, paidOn: date("2024-04-01"))))
            case "originate principal_fen":
                (
                    "principal_fen",
                    .loan(
                        d.loan,
                        .originate(
                            .init(
                                key: d.loan, borrower: d.borrower, principal: tooMuch, rate: Bp(385),
                                originatedOn: date("2024-03-01"), maturesOn: date("2025-03-01"),
                                collateral: [.init(asset: d.patent, registrationNo: "Y")], fund: nil)))
                )
            case "contribution amount_fen":
                (
                    "amount_fen",
                    .fund(d.fund, .receiveContribution(amount: tooMuch, contributor: .city, receivedOn: date("2024-01-01"), reference: "r"))
                )
            case "valuation value_fen":
                (
                    "value_fen",
                    .asset(
                        d.patent,
                        .value(
                            id: valuationId("V9"), appraiser: "A", method: .cost, value: tooMuch, valuedOn: date("2024-01-01"),
                            reportRef: "r"))
                )
            default:
                (
                    "policy.per_loan_cap_fen",
                    .fund(
                        d.fund,
                        .amendPolicy(
                            FundPolicy(
                                coverageBp: Bp(4000), perLoanCapFen: tooMuch, perBorrowerCapFen: yuan("1.00"), maxLeverage: 10,
                                claimAfterOverdueDays: 90,
                                nplSuspendBp: Bp(500), eligibleKinds: [.patent], maxTermMonths: 36, maxPledgeRateBp: Bp(6000)),
                            effectiveOn: date("2024-01-01"), reason: "r"))
                )
            }
        if name.hasPrefix("repay") { try d.ledger.run(d.origination()) }
        #expect {
            try d.ledger.run(command)
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .invalidValue && error.field == field && error.message.contains("must be at most 90,071,992,547,409.91")
        }
    }

    @Test("collateral appraised above the maximum in total, or a pledge rate too large to record, is refused")
    func collateralTotals() throws {
        var d = try ExampleDistrict()
        let second = assetId("ZL202110000002")
        for (asset, value) in [(d.patent, Self.maximum), (second, Money(fen: 1))] {
            if asset == second {
                try d.ledger.run(.asset(asset, .register(id: asset, kind: .patent, registryNo: "ZL2", title: "t", owner: d.borrower)))
            }
            try d.ledger.run(
                .asset(
                    asset,
                    .value(
                        id: valuationId("VMAX"), appraiser: "A", method: .cost, value: value, valuedOn: date("2024-02-01"), reportRef: "r"))
            )
        }
        func originate(_ principal: Money, _ assets: [AssetId]) throws {
            try d.ledger.run(
                .loan(
                    d.loan,
                    .originate(
                        .init(
                            key: d.loan, borrower: d.borrower, principal: principal, rate: Bp(385), originatedOn: date("2024-03-01"),
                            maturesOn: date("2025-03-01"),
                            collateral: assets.map { .init(asset: $0, valuation: valuationId("VMAX"), registrationNo: "Y") }, fund: nil))))
        }
        #expect {
            try originate(yuan("1.00"), [d.patent, second])
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .limitExceeded && error.field == "collateral"
                && error.message.contains("the appraised value of the collateral")
        }
        #expect {
            try originate(Self.maximum, [second])
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.code == .limitExceeded && error.field == "principal_fen"
        }
    }
}

extension InMemoryLedger {
    /// Appends events straight to a stream, with no decision: a log as an older, laxer build
    /// may have written it. Only folds see them; `run` decides on its own session.
    mutating func appendUndecided(_ events: [LedgerEvent], to ref: StreamRef) {
        for event in events {
            let recorded = RecordedEvent(
                id: UUID(), stream: ref.name, version: Int32((streams[ref] ?? []).count + 1),
                position: Int64(log.count + 1), recordedAt: RecordedTime(microseconds: Int64(log.count)), event: event)
            streams[ref, default: []].append(recorded)
            log.append(recorded)
        }
    }
}
