import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Pledge insurance, worked by hand to the fen, on the worked loan of `RiskSharingTests`
/// (a 4,000,000.00 loss at default on 2024-10-01) under the 54:26:16:4 scheme, insured by
/// PICC-ZS for 1,000,000.00 — below its 26% share of 1,040,000.00.
@Suite("Pledge insurance")
struct InsuranceTests {
    let sharing = RiskSharingTests()
    let scheme = schemeId("ZS-54-26-16-4")
    let picc = insurerId("PICC-ZS")
    var insurerParty: SchemePartyRef { SchemePartyRef(role: .insurer, partyId: partyId("PICC-ZS")) }

    func parties(_ d: ExampleDistrict) -> [SchemeParty] {
        [
            sharing.party(.fund, d.fund.value, 5400), sharing.party(.insurer, "PICC-ZS", 2600), sharing.party(.bank, nil, 1600),
            sharing.party(.appraiser, "LNPG", 400),
        ]
    }

    func policy(_ number: String = "PICC-2024-001", endsOn: String = "2025-02-28", sum: String = "1,000,000.00") -> LoanCommand.PolicyTerms
    {
        .init(
            insurer: picc, policyNo: policyNo(number), sumInsured: yuan(sum), premium: yuan("30,000.00"), startsOn: date("2024-03-01"),
            endsOn: date(endsOn), issuedOn: date("2024-03-01"))
    }

    @Test("the sum insured caps the insurer's share (the bank bears the rest), its claim is on its book, and a recovery goes back pro rata")
    func sumInsuredBinds() throws {
        var d = try ExampleDistrict()
        d = try sharing.defaultedUnder(scheme, parties: parties(d), district: d, insured: policy())
        let book = d.ledger.insurer(picc)
        #expect(book.order == [policyNo("PICC-2024-001")])
        let issued = try #require(book.policies[policyNo("PICC-2024-001")]?.issued)
        #expect(issued.coverShareBp == Bp(2600) && issued.insured == d.borrower && issued.schemeId == scheme)
        #expect(d.ledger.loan(d.loan).policies[picc]?.sumInsuredFen == yuan("1,000,000.00"))

        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-08"))))
        #expect(
            sharing.shares(d) == [
                "fund:LC-IPRC": yuan("2,160,000.00"), "insurer:PICC-ZS": yuan("1,000,000.00"), "bank": yuan("680,000.00"),
                "appraiser:LNPG": yuan("160,000.00"),
            ])
        #expect(d.ledger.loan(d.loan).lossShared?.shares.first { $0.ref == insurerParty }?.capped == true)

        let settled = try d.ledger.run(
            .loan(
                d.loan, .settleLossShare(party: insurerParty, amount: yuan("600,000.00"), settledOn: date("2024-11-01"), reference: "赔-1")))
        #expect(settled.map(\.stream) == ["loan-LCRCB-LC-2024-0001", "insurer-PICC-ZS"])
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: insurerParty, amount: nil, settledOn: date("2024-11-05"), reference: "赔-2")))
        #expect(d.ledger.insurer(picc).policies[policyNo("PICC-2024-001")]?.claimsPaidFen == yuan("1,000,000.00"))

        for (role, id, on) in [(SchemePartyRole.fund, d.fund.value, "2024-11-30"), (.appraiser, "LNPG", "2024-12-01")] {
            try d.ledger.run(
                .loan(
                    d.loan,
                    .settleLossShare(
                        party: SchemePartyRef(role: role, partyId: partyId(id)), amount: nil, settledOn: date(on), reference: "S-\(id)")))
        }
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("1,000,000.00"), receivedOn: date("2025-01-10"), source: "拍卖")))
        let shared = try d.ledger.run(.loan(d.loan, .shareRecovery(recoveryNo: 1, sharedOn: date("2025-01-12"), reference: "R-1")))
        guard case .recoveryShared(let recovery) = shared.first?.event else {
            Issue.record("no RecoveryShared")
            return
        }
        // Pro rata to what each paid: 2,160,000 / 1,000,000 / 160,000 and the bank's 680,000 of 4,000,000.
        #expect(
            recovery.shares.map { "\($0.ref)=\($0.amountFen)" } == [
                "bank=170,000.00", "fund:LC-IPRC=540,000.00", "insurer:PICC-ZS=250,000.00", "appraiser:LNPG=40,000.00",
            ])
    }

    @Test("a default after the policy ends is not covered: the insurer bears nothing and the bank bears its share")
    func defaultOutsideThePeriod() throws {
        var d = try ExampleDistrict()
        d = try sharing.defaultedUnder(scheme, parties: parties(d), district: d, insured: policy(endsOn: "2024-09-30"))
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-08"))))
        #expect(
            sharing.shares(d) == [
                "fund:LC-IPRC": yuan("2,160,000.00"), "insurer:PICC-ZS": .zero, "bank": yuan("1,680,000.00"),
                "appraiser:LNPG": yuan("160,000.00"),
            ])
        refused(.duplicate, "party_id") {
            try d.ledger.run(
                .loan(d.loan, .settleLossShare(party: insurerParty, amount: nil, settledOn: date("2024-11-01"), reference: "赔-1")))
        }
    }

    @Test("a policy needs the loan under a scheme the insurer is a party of, one per insurer, sane amounts and dates")
    func issuingRules() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(
            .scheme(scheme, .agree(id: scheme, name: "风险分担", parties: parties(d), effectiveOn: date("2024-01-01"))))
        try d.ledger.run(d.origination(enrolled: false))
        refused(.invalidState, "contract_no", containing: "not enrolled under a risk-sharing scheme") {
            try d.ledger.run(.loan(d.loan, .insure(policy())))
        }
        try d.ledger.run(.loan(d.loan, .enrolInScheme(scheme, version: nil, enrolledOn: date("2024-03-01"))))
        var stranger = policy()
        stranger.insurer = insurerId("PING-AN")
        refused(.policyViolation, "insurer_id") { try d.ledger.run(.loan(d.loan, .insure(stranger))) }
        var dear = policy()
        dear.premium = dear.sumInsured
        refused(.invalidValue, "premium_fen") { try d.ledger.run(.loan(d.loan, .insure(dear))) }
        var early = policy()
        early.startsOn = date("2024-02-29")
        refused(.dateOrder, "starts_on") { try d.ledger.run(.loan(d.loan, .insure(early))) }
        var backwards = policy()
        backwards.endsOn = backwards.startsOn
        refused(.dateOrder, "ends_on") { try d.ledger.run(.loan(d.loan, .insure(backwards))) }

        try d.ledger.run(.loan(d.loan, .insure(policy())))
        refused(.duplicate, "policy_no") { try d.ledger.run(.loan(d.loan, .insure(policy("PICC-2024-002")))) }
        // Policies and claims enter the book through the loan only.
        let issued = d.ledger.insurer(picc).policies[policyNo("PICC-2024-001")]!.issued
        refused(.invalidState, "policy_no") { try d.ledger.run(.insurer(picc, .recordPolicy(issued))) }

        // Another loan of the same insurer cannot reuse the number.
        let second = try d.originateSecondLoan(enrolled: false)
        try d.ledger.run(.loan(second, .enrolInScheme(scheme, version: nil, enrolledOn: date("2024-03-05"))))
        refused(.duplicate, "policy_no", containing: "unique per insurer") {
            var reused = policy()
            reused.startsOn = date("2024-03-05")
            reused.issuedOn = date("2024-03-05")
            try d.ledger.run(.loan(second, .insure(reused)))
        }
    }

    @Test("a fund subsidises a premium up to the premium, from its balance, paid to the insured firm")
    func premiumSubsidy() throws {
        var d = try ExampleDistrict()
        d = try sharing.defaultedUnder(scheme, parties: parties(d), district: d, insured: policy())
        let number = policyNo("PICC-2024-001")
        let before = d.ledger.fund(d.fund).balance
        let paid = try d.ledger.run(
            .insurer(
                picc,
                .subsidisePremium(
                    policyNo: number, fund: d.fund, amount: yuan("15,000.00"), paidOn: date("2024-04-01"), reference: "保费补贴-1")
            ))
        #expect(paid.map(\.stream) == ["insurer-PICC-ZS", "fund-LC-IPRC"])
        guard case .premiumSubsidyPaid(let subsidy) = paid.last?.event else {
            Issue.record("no PremiumSubsidyPaid")
            return
        }
        #expect(subsidy.insured == d.borrower && subsidy.contractNo == d.loan.contract)
        #expect(d.ledger.fund(d.fund).balance == (try before - yuan("15,000.00")))
        #expect(d.ledger.fund(d.fund).account().premiumSubsidiesFen == yuan("15,000.00"))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(
                .insurer(
                    picc,
                    .subsidisePremium(policyNo: number, fund: d.fund, amount: yuan("15,000.01"), paidOn: date("2024-04-02"), reference: "2")
                ))
        }
        refused(.dateOrder, "paid_on") {
            try d.ledger.run(
                .insurer(picc, .subsidisePremium(policyNo: number, fund: d.fund, amount: nil, paidOn: date("2024-03-31"), reference: "2")))
        }
        try d.ledger.run(
            .insurer(picc, .subsidisePremium(policyNo: number, fund: d.fund, amount: nil, paidOn: date("2024-04-02"), reference: "2")))
        #expect(d.ledger.insurer(picc).policies[number]?.subsidisedFen == yuan("30,000.00"))
        refused(.duplicate, "policy_no") {
            try d.ledger.run(
                .insurer(picc, .subsidisePremium(policyNo: number, fund: d.fund, amount: nil, paidOn: date("2024-04-03"), reference: "3")))
        }
        refused(.notFound, "policy_no") {
            try d.ledger.run(
                .insurer(
                    picc,
                    .subsidisePremium(policyNo: policyNo("NONE"), fund: d.fund, amount: nil, paidOn: date("2024-04-03"), reference: "3")))
        }
    }
}

extension InsuranceTests {
    @Test(
        "a policy recorded in error is cancelled before the loss is shared: the insurer's share is the scheme's again; the number stays taken"
    )
    func cancellation() throws {
        var d = try ExampleDistrict()
        d = try sharing.defaultedUnder(scheme, parties: parties(d), district: d, insured: policy())
        let number = policyNo("PICC-2024-001")
        refused(.notFound, "insurer_id") {
            try d.ledger.run(.loan(d.loan, .cancelPolicy(insurer: insurerId("PING-AN"), cancelledOn: date("2024-10-02"), reason: "x")))
        }
        let cancelled = try d.ledger.run(.loan(d.loan, .cancelPolicy(insurer: picc, cancelledOn: date("2024-10-02"), reason: "保单号有误")))
        #expect(cancelled.map(\.stream) == ["loan-LCRCB-LC-2024-0001", "insurer-PICC-ZS"])
        #expect(d.ledger.loan(d.loan).policies.isEmpty)
        #expect(d.ledger.insurer(picc).policies[number]?.cancelled?.reason == "保单号有误")
        refused(.invalidState, "policy_no") {
            try d.ledger.run(
                .insurer(picc, .subsidisePremium(policyNo: number, fund: d.fund, amount: nil, paidOn: date("2024-10-03"), reference: "1")))
        }
        // Without the policy, the insurer bears its 26% on the scheme's terms.
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-08"))))
        #expect(sharing.shares(d)["insurer:PICC-ZS"] == yuan("1,040,000.00"))
        let positions = PolicyPosition.positions(d.ledger.insurer(picc), loans: [d.loan: d.ledger.loan(d.loan)], asOf: date("2024-12-31"))
        #expect(positions.map(\.status) == [.cancelled])
    }

    @Test("where a policy stands: not started, in force, expired; a default outside it not covered; a claim open, then settled")
    func positions() throws {
        var d = try ExampleDistrict()
        d = try sharing.defaultedUnder(scheme, parties: parties(d), district: d, insured: policy(endsOn: "2025-02-28"))
        let book = d.ledger.insurer(picc)
        func status(_ loan: LoanState?, _ on: String) -> PolicyPosition.Status? {
            PolicyPosition.positions(book, loans: loan.map { [d.loan: $0] } ?? [:], asOf: date(on)).first?.status
        }
        #expect(status(nil, "2024-02-01") == .notStarted && status(nil, "2024-06-01") == .inForce && status(nil, "2025-03-01") == .expired)
        // Defaulted on 2024-10-01, inside the period: open before the loss is shared and until the insurer pays.
        #expect(status(d.ledger.loan(d.loan), "2025-03-01") == .claimOpen)
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-08"))))
        #expect(status(d.ledger.loan(d.loan), "2024-10-09") == .claimOpen)
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: insurerParty, amount: nil, settledOn: date("2024-11-01"), reference: "赔-1")))
        #expect(status(d.ledger.loan(d.loan), "2024-11-01") == .claimSettled)

        var e = try ExampleDistrict()
        e = try sharing.defaultedUnder(scheme, parties: parties(e), district: e, insured: policy(endsOn: "2024-09-30"))
        #expect(
            PolicyPosition.positions(e.ledger.insurer(picc), loans: [e.loan: e.ledger.loan(e.loan)], asOf: date("2024-10-02")).first?.status
                == .notCovered)
    }

    @Test("cancelling the loan cancels its policies on the insurer's book")
    func loanCancelled() throws {
        var d = try ExampleDistrict()
        try d.ledger.run(.scheme(scheme, .agree(id: scheme, name: "风险分担", parties: parties(d), effectiveOn: date("2024-01-01"))))
        try d.ledger.run(d.origination(enrolled: false))
        try d.ledger.run(.loan(d.loan, .enrolInScheme(scheme, version: nil, enrolledOn: date("2024-03-01"))))
        try d.ledger.run(.loan(d.loan, .insure(policy())))
        let written = try d.ledger.run(.loan(d.loan, .cancel(on: date("2024-03-10"), reason: "重复录入")))
        #expect(written.map(\.stream).contains("insurer-PICC-ZS"))
        #expect(d.ledger.insurer(picc).policies[policyNo("PICC-2024-001")]?.cancelled?.reason == "loan cancelled: 重复录入")
    }
}
