import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// One test per rule: the accepted case and the refusal, with the field it names.
@Suite("Domain rules")
struct RuleTests {

    @Test("fund policy must be sane")
    func policySanity() {
        var policy = examplePolicy
        policy.coverageBp = Bp(10_001)
        refused(.invalidValue, "policy.coverage_bp") { _ = try policy.validated() }
        policy = examplePolicy
        policy.perLoanCapFen = .zero
        refused(.invalidValue, "policy.per_loan_cap_fen") { _ = try policy.validated() }
        policy = examplePolicy
        policy.maxLeverage = 0
        refused(.invalidValue, "policy.max_leverage") { _ = try policy.validated() }
        policy = examplePolicy
        policy.eligibleKinds = []
        refused(.invalidValue, "policy.eligible_kinds") { _ = try policy.validated() }
        #expect(throws: Never.self) { try examplePolicy.validated() }
    }

    @Test("contributions are positive; banks join once and must be registered; suspension toggles")
    func fundRules() throws {
        var d = try ExampleDistrict()
        refused(.invalidValue, "amount_fen") {
            try d.ledger.run(
                .fund(d.fund, .receiveContribution(amount: .zero, contributor: .city, receivedOn: date("2024-01-01"), reference: "x")))
        }
        refused(.duplicate, "bank_id") {
            try d.ledger.run(.fund(d.fund, .joinBank(d.bank, agreement: "again", effectiveOn: date("2024-01-01"))))
        }
        refused(.notFound, "bank_id") {
            try d.ledger.run(.fund(d.fund, .joinBank(bankId("NOBANK"), agreement: "a", effectiveOn: date("2024-01-01"))))
        }
        refused(.duplicate, "fund_id") {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .establish(
                        id: d.fund, name: "again", region: try RegionCode("211303"), policy: examplePolicy,
                        establishedOn: date("2024-01-01"))))
        }
        refused(.invalidState, "fund_id") { try d.ledger.run(.fund(d.fund, .resume(on: date("2024-01-01"), reason: "not suspended"))) }
        try d.ledger.run(.fund(d.fund, .suspend(on: date("2024-02-01"), reason: "NPL ratio 6.2% above 5%")))
        refused(.invalidState, "fund_id") { try d.ledger.run(.fund(d.fund, .suspend(on: date("2024-02-02"), reason: "again"))) }
        // A suspended fund takes no new loans.
        refused(.policyViolation, "fund_id") { try d.ledger.run(d.origination()) }
        try d.ledger.run(.fund(d.fund, .resume(on: date("2024-02-20"), reason: "ratio back to 3.1%")))
        try d.ledger.run(d.origination())
    }

    @Test("contribution reversal: once, and never below a zero balance")
    func contributionReversal() throws {
        var d = try ExampleDistrict()
        let contribution = d.ledger.streams[.fund(d.fund)]!.first { $0.event.type == "FundContributionReceived" }!
        try d.ledger.run(.fund(d.fund, .reverseContribution(eventId: contribution.id, on: date("2023-03-01"), reason: "entered twice")))
        #expect(d.ledger.fund(d.fund).balance == yuan("7,000,000.00"))
        refused(.duplicate, "reversed_event_id") {
            try d.ledger.run(.fund(d.fund, .reverseContribution(eventId: contribution.id, on: date("2023-03-01"), reason: "again")))
        }
        refused(.notFound, "reversed_event_id") {
            try d.ledger.run(.fund(d.fund, .reverseContribution(eventId: UUID(), on: date("2023-03-01"), reason: "unknown")))
        }
    }

    @Test("assets: registered once, positive valuations, one pledge at a time, released only by its loan")
    func assetRules() throws {
        var d = try ExampleDistrict()
        refused(.duplicate, "asset_id") {
            try d.ledger.run(.asset(d.patent, .register(id: d.patent, kind: .patent, registryNo: "x", title: "x", owner: d.borrower)))
        }
        refused(.invalidValue, "value_fen") {
            try d.ledger.run(
                .asset(
                    d.patent,
                    .value(id: valuationId("V2"), appraiser: "A", method: .cost, value: .zero, valuedOn: date("2024-01-01"), reportRef: "r")
                ))
        }
        refused(.duplicate, "valuation_id") {
            try d.ledger.run(
                .asset(
                    d.patent,
                    .value(
                        id: valuationId("V1"), appraiser: "A", method: .cost, value: yuan("1.00"), valuedOn: date("2024-01-01"),
                        reportRef: "r")))
        }
        try d.ledger.run(d.origination())
        // A second loan on the same patent is refused.
        let other = loanKey("LCRCB", "LC-2024-0002")
        refused(.invalidState, "collateral[0].asset_id") {
            try d.ledger.run(
                .loan(
                    other,
                    .originate(
                        .init(
                            key: other, borrower: d.borrower, principal: yuan("100.00"), rate: Bp(400),
                            originatedOn: date("2024-03-02"), maturesOn: date("2024-09-02"),
                            collateral: [.init(asset: d.patent, registrationNo: "Y2")], fund: nil))))
        }
        refused(.invalidState, "asset_id") {
            try d.ledger.run(.asset(d.patent, .release(loan: other, releasedOn: date("2024-04-01"), reason: "not mine")))
        }
    }

    @Test(
        "origination: every precondition names its field",
        arguments: [
            ("unregistered bank", "bank_id"), ("unregistered borrower", "borrower"), ("unregistered asset", "collateral[0].asset_id"),
            ("stale valuation", "collateral[0].valuation_id"), ("maturity first", "matures_on"), ("bank not joined", "fund_id"),
            ("ineligible kind", "collateral[0].asset_id"), ("term too long", "matures_on"), ("pledge rate too high", "principal_fen"),
            ("zero principal", "principal_fen"), ("before fund", "originated_on"), ("duplicate", "contract_no"),
        ])
    func originationRefusals(case name: String, field: String) throws {
        var d = try ExampleDistrict()
        var o = LoanCommand.Origination(
            key: d.loan, borrower: d.borrower, principal: yuan("5,000,000.00"), rate: Bp(385),
            originatedOn: date("2024-03-01"), maturesOn: date("2025-03-01"), collateral: [.init(asset: d.patent, registrationNo: "Y1")],
            fund: d.fund)
        switch name {
        case "unregistered bank": o.key = loanKey("NOBANK", "C1")
        case "unregistered borrower": o.borrower = validUscc("91210000MA0000001")
        case "unregistered asset": o.collateral = [.init(asset: assetId("NOPE"), registrationNo: "Y1")]
        case "stale valuation":
            o.originatedOn = date("2025-02-01")
            o.maturesOn = date("2025-08-01")
        case "maturity first": o.maturesOn = date("2024-02-01")
        case "bank not joined":
            let other = bankId("OTHER")
            try d.ledger.run(.bank(other, .register(id: other, name: "Other Bank", licence: "L2")))
            o.key = LoanKey(bank: other, contract: try ContractNo("C1"))
        case "ineligible kind":
            let work = assetId("SW-1")
            try d.ledger.run(
                .asset(work, .register(id: work, kind: .softwareCopyright, registryNo: "2024SR1", title: "BMS firmware", owner: d.borrower))
            )
            try d.ledger.run(
                .asset(
                    work,
                    .value(
                        id: valuationId("V1"), appraiser: "A", method: .cost, value: yuan("9,000,000.00"), valuedOn: date("2024-02-01"),
                        reportRef: "r")))
            o.collateral = [.init(asset: work, registrationNo: "Y9")]
        case "term too long": o.maturesOn = date("2027-03-02")
        case "pledge rate too high": o.principal = yuan("6,000,000.01")
        case "zero principal": o.principal = .zero
        case "before fund":
            o.originatedOn = date("2024-01-20")
            o.maturesOn = date("2024-06-20")
            try d.ledger.run(.fund(d.fund, .amendPolicy(examplePolicy, effectiveOn: date("2023-01-01"), reason: "noop")))
            let late = fundId("LATE")
            try d.ledger.run(
                .fund(
                    late,
                    .establish(
                        id: late, name: "Late fund", region: try RegionCode("211303"), policy: examplePolicy,
                        establishedOn: date("2024-02-01"))))
            o.fund = late
        case "duplicate": try d.ledger.run(.loan(d.loan, .originate(o)))
        default: Issue.record("unknown case \(name)")
        }
        refused(
            name == "zero principal"
                ? .invalidValue
                : name.contains("unregistered")
                    ? .notFound
                    : name == "duplicate" ? .duplicate : name == "maturity first" || name == "before fund" ? .dateOrder : .policyViolation,
            field
        ) {
            try d.ledger.run(.loan(o.key, .originate(o)))
        }
        #expect(d.ledger.asset(d.patent).activePledge == nil || name == "duplicate")
    }

    @Test("exactly at the limits is accepted: 60% pledge rate, 36-month term, 12-month-old valuation")
    func boundaries() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination(principal: "6,000,000.00", on: "2025-01-15", matures: "2028-01-15"))
        #expect(d.ledger.loan(d.loan).origination?.pledgeRateBp == Bp(6000))
    }

    @Test("repayments: not above outstanding, not before origination; closing needs zero outstanding and releases the pledge")
    func repayments() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        refused(.limitExceeded, "principal_fen") {
            try d.ledger.run(.loan(d.loan, .repay(principal: yuan("5,000,000.01"), interest: .zero, paidOn: date("2024-04-01"))))
        }
        refused(.dateOrder, "paid_on") {
            try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1.00"), interest: .zero, paidOn: date("2024-02-28"))))
        }
        refused(.invalidValue, "principal_fen") {
            try d.ledger.run(.loan(d.loan, .repay(principal: .zero, interest: .zero, paidOn: date("2024-04-01"))))
        }
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("4,000,000.00"), interest: yuan("100.00"), paidOn: date("2024-09-01"))))
        refused(.invalidState, "contract_no") { try d.ledger.run(.loan(d.loan, .close(on: date("2024-09-02")))) }
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1,000,000.00"), interest: .zero, paidOn: date("2025-03-01"))))
        refused(.dateOrder, "closed_on") { try d.ledger.run(.loan(d.loan, .close(on: date("2025-02-28")))) }
        let closed = try d.ledger.run(.loan(d.loan, .close(on: date("2025-03-01"))))
        #expect(closed.map(\.event.type) == ["LoanClosed", "AssetPledgeReleased", "CoverReleased"])
        refused(.invalidState, "contract_no") {
            try d.ledger.run(.loan(d.loan, .repay(principal: .zero, interest: yuan("1.00"), paidOn: date("2025-03-02"))))
        }
    }

    @Test("claims: only enrolled, only after default; approval ≤ claim; rejection lets the bank claim again")
    func claims() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination(enrolled: false))
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-03"), classification: .doubtful)))
        refused(.policyViolation, "contract_no") {
            try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1.00"), claimedOn: date("2024-10-02"))))
        }

        var e = try ExampleDistrict()
        try e.ledger.run(e.origination())
        refused(.invalidState, "contract_no") {
            try e.ledger.run(.loan(e.loan, .claimCompensation(amount: yuan("1.00"), claimedOn: date("2024-10-02"))))
        }
        refused(.invalidValue, "classification") {
            try e.ledger.run(
                .loan(e.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-03"), classification: .specialMention)))
        }
        try e.ledger.run(.loan(e.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-03"), classification: .doubtful)))
        try e.ledger.run(.loan(e.loan, .claimCompensation(amount: yuan("800,000.00"), claimedOn: date("2024-10-02"))))
        refused(.invalidState, "contract_no") {
            try e.ledger.run(.loan(e.loan, .claimCompensation(amount: yuan("1.00"), claimedOn: date("2024-10-03"))))
        }
        refused(.limitExceeded, "amount_fen") {
            try e.ledger.run(.loan(e.loan, .approveClaim(amount: yuan("800,000.01"), approvedOn: date("2024-10-05"))))
        }
        refused(.invalidState, "contract_no") { try e.ledger.run(.loan(e.loan, .payClaim(paidOn: date("2024-10-05"), paymentRef: "P"))) }
        try e.ledger.run(.loan(e.loan, .rejectClaim(rejectedOn: date("2024-10-06"), reason: "missing court documents")))
        try e.ledger.run(.loan(e.loan, .claimCompensation(amount: yuan("900,000.00"), claimedOn: date("2024-10-20"))))
        try e.ledger.run(.loan(e.loan, .approveClaim(amount: yuan("850,000.00"), approvedOn: date("2024-10-25"))))
        #expect(e.ledger.fund(e.fund).committedByBorrower[e.borrower] == yuan("850,000.00"))
    }

    @Test("the per-borrower cap counts compensation approved on the borrower's other loans")
    func borrowerCap() throws {
        var d = try ExampleDistrict()
        var policy = examplePolicy
        policy.perBorrowerCapFen = yuan("1,500,000.00")
        try d.ledger.run(.fund(d.fund, .amendPolicy(policy, effectiveOn: date("2024-01-01"), reason: "tighter borrower cap")))
        try d.ledger.run(d.origination())
        let second = try d.originateSecondLoan()
        for key in [d.loan, second] {
            try d.ledger.run(.loan(key, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)))
        }
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-10-02"))))
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2024-10-03"))))
        // Second loan: 40% × 2,000,000 = 800,000, but only 500,000 is left of the borrower's 1,500,000.
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(second, .claimCompensation(amount: yuan("500,000.01"), claimedOn: date("2024-10-04"))))
        }
        try d.ledger.run(.loan(second, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2024-10-04"))))
    }

    @Test("a claim is paid up to the fund's balance on its date and every later date; the rest waits for money")
    func payoutWithinBalance() throws {
        var d = try ExampleDistrict()
        var policy = examplePolicy
        policy.perLoanCapFen = yuan("20,000,000.00")
        policy.perBorrowerCapFen = yuan("20,000,000.00")
        policy.coverageBp = Bp(10_000)
        policy.maxPledgeRateBp = Bp(20_000)
        try d.ledger.run(.fund(d.fund, .amendPolicy(policy, effectiveOn: date("2024-01-01"), reason: "full cover")))
        try d.ledger.run(d.origination(principal: "12,000,000.00"))
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)))
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("12,000,000.00"), claimedOn: date("2024-10-02"))))
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("12,000,000.00"), approvedOn: date("2024-10-03"))))
        // 10,000,000.00 in the fund: that much is paid, 2,000,000.00 stays queued.
        let first = try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-04"), paymentRef: "P1")))
        #expect(
            first.map(\.event) == [
                .compensationPaid(
                    CompensationPaid(
                        claimNo: 1, amountFen: yuan("10,000,000.00"), paidOn: date("2024-10-04"), paymentRef: "P1",
                        remainingFen: yuan("2,000,000.00"))),
                .compensationDisbursed(
                    CompensationDisbursed(
                        bankId: d.bank, contractNo: d.loan.contract, borrower: d.borrower, claimNo: 1,
                        amountFen: yuan("10,000,000.00"), paidOn: date("2024-10-04"), paymentRef: "P1")),
            ])
        #expect(d.ledger.loan(d.loan).openClaim?.unpaid == yuan("2,000,000.00"))
        refused(.limitExceeded, "paid_on") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-05"), paymentRef: "P2"))) }
        try d.ledger.run(
            .fund(
                d.fund,
                .receiveContribution(
                    amount: yuan("2,000,000.00"), contributor: .province, receivedOn: date("2024-10-10"), reference: "top-up")))
        // Dated before the top-up arrived: still nothing to pay with.
        refused(.limitExceeded, "paid_on") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-09"), paymentRef: "P2"))) }
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-09"), paymentRef: "P2", amount: yuan("0.01"))))
        }
        // Never more than is unpaid, nor before the last payment.
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-10"), paymentRef: "P2", amount: yuan("2,000,000.01"))))
        }
        refused(.dateOrder, "paid_on") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-03"), paymentRef: "P2"))) }
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-10"), paymentRef: "P2")))
        #expect(d.ledger.fund(d.fund).balance == .zero)
        #expect(d.ledger.loan(d.loan).claims[0].status == .paid && d.ledger.loan(d.loan).claims[0].paid == yuan("12,000,000.00"))
        refused(.duplicate, "contract_no") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-11"), paymentRef: "P3"))) }
    }

    @Test("cancellation needs no repayments; reversals happen once and are honoured")
    func cancelAndReverse() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let repaid = try d.ledger.run(.loan(d.loan, .repay(principal: yuan("100,000.00"), interest: .zero, paidOn: date("2024-04-01"))))
        refused(.invalidState, "contract_no") {
            try d.ledger.run(.loan(d.loan, .cancel(on: date("2024-04-02"), reason: "entered in error")))
        }
        try d.ledger.run(.loan(d.loan, .reverse(eventId: repaid[0].id, on: date("2024-04-02"), reason: "wrong loan")))
        #expect(d.ledger.loan(d.loan).outstanding == yuan("5,000,000.00"))
        refused(.duplicate, "reversed_event_id") {
            try d.ledger.run(.loan(d.loan, .reverse(eventId: repaid[0].id, on: date("2024-04-02"), reason: "again")))
        }
        let cancelled = try d.ledger.run(.loan(d.loan, .cancel(on: date("2024-04-02"), reason: "entered in error")))
        #expect(cancelled.map(\.event.type) == ["LoanCancelled", "AssetPledgeReleased", "CoverReleased"])
        // The patent is free again.
        #expect(d.ledger.asset(d.patent).activePledge == nil)
    }

    @Test("a recovery whose share went to the fund cannot be reversed; one that did not can")
    func recoveryReversal() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)))
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-10-02"))))
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2024-10-03"))))
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-04"), paymentRef: "P")))
        let first = try d.ledger.run(
            .loan(d.loan, .receiveRecovery(amount: yuan("100,000.00"), receivedOn: date("2024-11-01"), source: "s")))
        let second = try d.ledger.run(
            .loan(d.loan, .receiveRecovery(amount: yuan("50,000.00"), receivedOn: date("2024-11-02"), source: "s")))
        try d.ledger.run(.loan(d.loan, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2024-11-05"), reference: "R1")))
        refused(.invalidState, "reversed_event_id") {
            try d.ledger.run(.loan(d.loan, .reverse(eventId: first[0].id, on: date("2024-11-06"), reason: "x")))
        }
        try d.ledger.run(.loan(d.loan, .reverse(eventId: second[0].id, on: date("2024-11-06"), reason: "bounced")))
        refused(.invalidState, "recovery_no") {
            try d.ledger.run(.loan(d.loan, .returnRecoveryShare(recoveryNo: 2, returnedOn: date("2024-11-07"), reference: "R2")))
        }
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("4,900,000.01"), receivedOn: date("2024-11-08"), source: "s")))
        }
    }

    @Test("a control character is every scalar of general category Cc, and the line and paragraph separators")
    func controlCharacterSet() {
        var differences: [UInt32] = []
        for code in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(code) else { continue }
            let expected = scalar.properties.generalCategory == .control || code == 0x2028 || code == 0x2029
            if Rules.isControl(scalar) != expected { differences.append(code) }
        }
        #expect(differences.isEmpty)
    }

    @Test("required text needs a character other than white space; its length counts characters, not bytes")
    func requiredTextAndLength() throws {
        for blank in ["", " ", "\u{3000}\t", "\u{00A0}"] {
            #expect(throws: DomainError.self) { try Rules.text(blank, field: "name") }
        }
        try Rules.text("龙城科技", field: "name", maxLength: 4)
        try Rules.text("e\u{301}", field: "name", maxLength: 1)
        #expect(throws: DomainError.self) { try Rules.text("龙城科技有", field: "name", maxLength: 4) }
    }

    @Test("control characters are refused in every free-text field of every command", arguments: [0x0000, 0x0007, 0x2028] as [UInt32])
    func controlCharacters(code: UInt32) throws {
        let hex = "U+" + String(repeating: "0", count: 4 - String(code, radix: 16).count) + String(code, radix: 16, uppercase: true)
        let bad = "Longcheng\(Character(Unicode.Scalar(code)!))Bank"
        func refusedText(_ field: String, _ body: (String) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(sourceLocation: sourceLocation) {
                try body(bad)
            } throws: { error in
                guard let error = error as? DomainError else { return false }
                return error.code == .invalidValue && error.field == field
                    && error.message.contains("contains a control character (\(hex))")
            }
        }
        var d = try ExampleDistrict()
        let bank = bankId("B2")
        let fund = fundId("F2")
        let asset = assetId("A2")
        let borrower = validUscc("91210000MA0000009")
        refusedText("name") { try d.ledger.run(.bank(bank, .register(id: bank, name: $0, licence: "L"))) }
        refusedText("licence") { try d.ledger.run(.bank(bank, .register(id: bank, name: "Bank", licence: $0))) }
        try d.ledger.run(.bank(bank, .register(id: bank, name: "Bank", licence: "L")))
        refusedText("name") {
            try d.ledger.run(
                .borrower(
                    borrower,
                    .register(uscc: borrower, name: $0, industry: try IndustryCode("C38"), region: try RegionCode("211303"), techSme: false)
                ))
        }
        refusedText("registry_no") {
            try d.ledger.run(.asset(asset, .register(id: asset, kind: .patent, registryNo: $0, title: "t", owner: d.borrower)))
        }
        refusedText("title") {
            try d.ledger.run(.asset(asset, .register(id: asset, kind: .patent, registryNo: "r", title: $0, owner: d.borrower)))
        }
        refusedText("appraiser") {
            try d.ledger.run(
                .asset(
                    d.patent,
                    .value(
                        id: valuationId("V2"), appraiser: $0, method: .cost, value: yuan("1.00"), valuedOn: date("2024-01-01"),
                        reportRef: "r")))
        }
        refusedText("report_ref") {
            try d.ledger.run(
                .asset(
                    d.patent,
                    .value(
                        id: valuationId("V2"), appraiser: "A", method: .cost, value: yuan("1.00"), valuedOn: date("2024-01-01"),
                        reportRef: $0)))
        }
        refusedText("name") {
            try d.ledger.run(
                .fund(
                    fund,
                    .establish(
                        id: fund, name: $0, region: try RegionCode("211303"), policy: examplePolicy, establishedOn: date("2024-01-01"))))
        }
        refusedText("reason") { try d.ledger.run(.fund(d.fund, .amendPolicy(examplePolicy, effectiveOn: date("2024-01-01"), reason: $0))) }
        refusedText("reference") {
            try d.ledger.run(
                .fund(d.fund, .receiveContribution(amount: yuan("1.00"), contributor: .city, receivedOn: date("2024-01-01"), reference: $0))
            )
        }
        refusedText("agreement") { try d.ledger.run(.fund(d.fund, .joinBank(bank, agreement: $0, effectiveOn: date("2024-01-01")))) }
        refusedText("reason") { try d.ledger.run(.fund(d.fund, .suspend(on: date("2024-01-01"), reason: $0))) }
        try d.ledger.run(.fund(d.fund, .suspend(on: date("2024-01-01"), reason: "check")))
        refusedText("reason") { try d.ledger.run(.fund(d.fund, .resume(on: date("2024-01-02"), reason: $0))) }
        try d.ledger.run(.fund(d.fund, .resume(on: date("2024-01-02"), reason: "done")))
        let contribution = d.ledger.streams[.fund(d.fund)]!.first { $0.event.type == "FundContributionReceived" }!
        refusedText("reason") {
            try d.ledger.run(.fund(d.fund, .reverseContribution(eventId: contribution.id, on: date("2024-01-03"), reason: $0)))
        }
        refusedText("reference") {
            _ = try Fund.decide(
                .receiveRecoveryShare(loan: d.loan, recoveryNo: 1, amount: yuan("1.00"), returnedOn: date("2024-01-03"), reference: $0),
                d.ledger.fund(d.fund))
        }
        refusedText("payment_ref") {
            _ = try Fund.decide(
                .disburse(loan: d.loan, borrower: d.borrower, claimNo: 1, amount: yuan("1.00"), paidOn: date("2024-01-03"), paymentRef: $0),
                d.ledger.fund(d.fund))
        }

        refusedText("collateral[0].registration_no") {
            try d.ledger.run(
                .loan(
                    d.loan,
                    .originate(
                        .init(
                            key: d.loan, borrower: d.borrower, principal: yuan("5,000,000.00"), rate: Bp(385),
                            originatedOn: date("2024-03-01"),
                            maturesOn: date("2025-03-01"), collateral: [.init(asset: d.patent, registrationNo: $0)], fund: d.fund))))
        }
        try d.ledger.run(d.origination())
        refusedText("reason") { try d.ledger.run(.loan(d.loan, .cancel(on: date("2024-03-02"), reason: $0))) }
        refusedText("reason") {
            _ = try Asset.decide(.release(loan: d.loan, releasedOn: date("2024-03-02"), reason: $0), d.ledger.asset(d.patent))
        }
        let repaid = try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1.00"), interest: .zero, paidOn: date("2024-04-01"))))
        refusedText("reason") { try d.ledger.run(.loan(d.loan, .reverse(eventId: repaid[0].id, on: date("2024-04-02"), reason: $0))) }
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-06-28"), classification: .loss)))
        try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1,000,000.00"), claimedOn: date("2024-10-02"))))
        refusedText("reason") { try d.ledger.run(.loan(d.loan, .rejectClaim(rejectedOn: date("2024-10-03"), reason: $0))) }
        try d.ledger.run(.loan(d.loan, .approveClaim(amount: yuan("1,000,000.00"), approvedOn: date("2024-10-03"))))
        refusedText("payment_ref") { try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-04"), paymentRef: $0))) }
        try d.ledger.run(.loan(d.loan, .payClaim(paidOn: date("2024-10-04"), paymentRef: "P")))
        refusedText("source") {
            try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("1.00"), receivedOn: date("2024-11-01"), source: $0)))
        }
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("100,000.00"), receivedOn: date("2024-11-01"), source: "auction")))
        refusedText("reference") {
            try d.ledger.run(.loan(d.loan, .returnRecoveryShare(recoveryNo: 1, returnedOn: date("2024-11-05"), reference: $0)))
        }
        refusedText("reason") { try d.ledger.run(.loan(d.loan, .writeOff(on: date("2024-12-01"), reason: $0))) }
    }

    @Test("an asset pledged elsewhere is refused without naming the other bank's loan")
    func pledgedElsewhere() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(d.origination())
        let other = bankId("OTHERBANK")
        let key = loanKey("OTHERBANK", "OB-1")
        try d.ledger.run(.bank(other, .register(id: other, name: "Other Bank", licence: "L2")))
        func discreet(_ error: any Error, field: String) -> Bool {
            guard let error = error as? DomainError else { return false }
            return error.code == .invalidState && error.field == field && error.message.contains("already pledged (since 2024-03-01)")
                && !error.message.contains("LCRCB") && !error.message.contains("LC-2024-0001")
        }
        #expect {
            try d.ledger.run(
                .loan(
                    key,
                    .originate(
                        .init(
                            key: key, borrower: d.borrower, principal: yuan("100.00"), rate: Bp(400), originatedOn: date("2024-04-01"),
                            maturesOn: date("2024-10-01"), collateral: [.init(asset: d.patent, registrationNo: "Y9")], fund: nil))))
        } throws: { discreet($0, field: "collateral[0].asset_id") }
        #expect {
            try Asset.decide(
                .pledge(loan: key, registrationNo: "Y9", valuation: valuationId("V1"), pledgedOn: date("2024-04-01")),
                d.ledger.asset(d.patent))
        } throws: { discreet($0, field: "collateral") }
    }
}
