import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Risk-sharing schemes, worked by hand to the fen. The district's fund LC-IPRC holds
/// 10,000,000.00 and waits 90 days after the missed due date; the worked loan is
/// 5,000,000.00 from 2024-03-01, 1,000,000.00 repaid, defaulted 2024-10-01 having missed
/// 2024-09-01, so its loss is 4,000,000.00.
@Suite("Risk sharing")
struct RiskSharingTests {
    let zhongshan = schemeId("ZS-54-26-16-4")
    let insurer = partyId("PICC-ZS")
    let appraiser = partyId("LNPG")

    func party(_ role: SchemePartyRole, _ id: String?, _ bp: Int64, cap: String? = nil) -> SchemeParty {
        SchemeParty(role: role, partyId: id.map(partyId), shareBp: Bp(bp), capFen: cap.map(yuan))
    }

    /// The district, its worked loan enrolled under `scheme` (and `insured`, if given, on
    /// 2024-03-01), defaulted with 4,000,000.00 lost.
    func defaultedUnder(
        _ scheme: SchemeId, parties: [SchemeParty], district: ExampleDistrict? = nil, insured: LoanCommand.PolicyTerms? = nil
    ) throws -> ExampleDistrict {
        var d = try district ?? ExampleDistrict()
        try d.ledger.run(.scheme(scheme, .agree(id: scheme, name: "风险分担 \(scheme)", parties: parties, effectiveOn: date("2024-01-01"))))
        try d.ledger.run(d.origination(enrolled: false))
        try d.ledger.run(.loan(d.loan, .enrolInScheme(scheme, version: nil, enrolledOn: date("2024-03-01"))))
        if let insured { try d.ledger.run(.loan(d.loan, .insure(insured))) }
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("1,000,000.00"), interest: yuan("60,000.00"), paidOn: date("2024-06-01"))))
        try d.ledger.run(
            .loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-09-01"), classification: .substandard)))
        return d
    }

    func shares(_ d: ExampleDistrict) -> [String: Money] {
        Dictionary(uniqueKeysWithValues: (d.ledger.loan(d.loan).lossShared?.shares ?? []).map { ($0.ref.description, $0.dueFen) })
    }

    @Test("54:26:16:4 — a 4,000,000.00 loss, each party's settlement, and a 1,000,000.00 recovery shared back pro rata")
    func zhongshanScheme() throws {
        var d = try ExampleDistrict()
        let parties = [
            party(.fund, d.fund.value, 5400), party(.insurer, insurer.value, 2600), party(.bank, nil, 1600),
            party(.appraiser, appraiser.value, 400),
        ]
        d = try defaultedUnder(zhongshan, parties: parties, district: d)
        #expect(d.ledger.scheme(zhongshan).loans == [d.loan: 1])

        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-08"))))
        #expect(
            shares(d) == [
                "fund:LC-IPRC": yuan("2,160,000.00"), "insurer:PICC-ZS": yuan("1,040,000.00"), "bank": yuan("640,000.00"),
                "appraiser:LNPG": yuan("160,000.00"),
            ])
        #expect(d.ledger.loan(d.loan).lossShared?.lossFen == yuan("4,000,000.00"))

        // The fund pays on its own waiting period: 90 days from 2024-09-01 is 2024-11-30.
        let fundParty = SchemePartyRef(role: .fund, partyId: partyId(d.fund.value))
        refused(.policyViolation, "settled_on") {
            try d.ledger.run(
                .loan(d.loan, .settleLossShare(party: fundParty, amount: nil, settledOn: date("2024-11-29"), reference: "F-1")))
        }
        let paid = try d.ledger.run(
            .loan(d.loan, .settleLossShare(party: fundParty, amount: nil, settledOn: date("2024-11-30"), reference: "F-1")))
        #expect(paid.map(\.stream) == ["loan-LCRCB-LC-2024-0001", "fund-LC-IPRC"])
        #expect(d.ledger.fund(d.fund).balance == yuan("7,840,000.00"))
        #expect(d.ledger.fund(d.fund).totals().paidOut == yuan("2,160,000.00"))

        let insurerParty = SchemePartyRef(role: .insurer, partyId: insurer)
        try d.ledger.run(
            .loan(
                d.loan, .settleLossShare(party: insurerParty, amount: yuan("1,000,000.00"), settledOn: date("2024-12-02"), reference: "P-1")
            ))
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(
                .loan(
                    d.loan,
                    .settleLossShare(party: insurerParty, amount: yuan("40,000.01"), settledOn: date("2024-12-03"), reference: "P-2")))
        }
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("1,000,000.00"), receivedOn: date("2025-01-10"), source: "拍卖")))
        refused(.invalidState, "recovery_no", containing: "still owed: insurer:PICC-ZS 40,000.00, appraiser:LNPG 160,000.00") {
            try d.ledger.run(.loan(d.loan, .shareRecovery(recoveryNo: 1, sharedOn: date("2025-01-12"), reference: "R-1")))
        }
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: insurerParty, amount: nil, settledOn: date("2024-12-03"), reference: "P-2")))
        try d.ledger.run(
            .loan(
                d.loan,
                .settleLossShare(
                    party: SchemePartyRef(role: .appraiser, partyId: appraiser), amount: nil, settledOn: date("2024-12-05"),
                    reference: "A-1"))
        )
        refused(.duplicate, "party_id") {
            try d.ledger.run(
                .loan(d.loan, .settleLossShare(party: insurerParty, amount: nil, settledOn: date("2024-12-06"), reference: "P-3")))
        }
        #expect(d.ledger.loan(d.loan).lossFullySettled)

        let shared = try d.ledger.run(.loan(d.loan, .shareRecovery(recoveryNo: 1, sharedOn: date("2025-01-12"), reference: "R-1")))
        guard case .recoveryShared(let recovery) = shared.first?.event else {
            Issue.record("no RecoveryShared")
            return
        }
        #expect(
            recovery.shares.map { "\($0.ref)=\($0.amountFen)" } == [
                "bank=160,000.00", "fund:LC-IPRC=540,000.00", "insurer:PICC-ZS=260,000.00", "appraiser:LNPG=40,000.00",
            ])
        #expect(d.ledger.fund(d.fund).balance == yuan("8,380,000.00"))
        refused(.duplicate, "recovery_no") {
            try d.ledger.run(.loan(d.loan, .shareRecovery(recoveryNo: 1, sharedOn: date("2025-01-13"), reference: "R-1")))
        }
        // A shared recovery stays: reversing it would take money back from four parties.
        let recoveryEvent = d.ledger.loan(d.loan).recoveries[0].eventId
        refused(.invalidState, "reversed_event_id") {
            try d.ledger.run(.loan(d.loan, .reverse(eventId: recoveryEvent, on: date("2025-01-13"), reason: "录入错误")))
        }
    }

    @Test(
        "layered cover: a province fund at 40% capped at 1,500,000.00 (the cap binds) and a city fund at 20%, each on its own waiting period"
    )
    func layeredFunds() throws {
        var d = try ExampleDistrict()
        let province = fundId("LN-PROV")
        let city = fundId("JZ-CITY")
        for (fund, wait, region, contributor) in [(province, 60, "210000", Contributor.central), (city, 120, "210700", .city)] {
            var policy = examplePolicy
            policy.claimAfterOverdueDays = wait
            try d.ledger.run(
                .fund(
                    fund,
                    .establish(id: fund, name: "\(fund)", region: try RegionCode(region), policy: policy, establishedOn: date("2023-01-01"))
                ))
            try d.ledger.run(
                .fund(
                    fund,
                    .receiveContribution(
                        amount: yuan("5,000,000.00"), contributor: contributor, receivedOn: date("2023-02-01"), reference: "拨付")))
            try d.ledger.run(.fund(fund, .joinBank(d.bank, agreement: "分层协议", effectiveOn: date("2023-03-01"))))
        }
        let layered = schemeId("LN-40-20")
        d = try defaultedUnder(
            layered,
            parties: [
                party(.fund, province.value, 4000, cap: "1,500,000.00"), party(.fund, city.value, 2000, cap: "1,000,000.00"),
                party(.bank, nil, 4000),
            ],
            district: d)
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-02"))))
        #expect(shares(d) == ["fund:LN-PROV": yuan("1,500,000.00"), "fund:JZ-CITY": yuan("800,000.00"), "bank": yuan("1,700,000.00")])
        #expect(d.ledger.loan(d.loan).lossShared?.shares.map(\.capped) == [false, true, false])

        let provinceParty = SchemePartyRef(role: .fund, partyId: partyId(province.value))
        let cityParty = SchemePartyRef(role: .fund, partyId: partyId(city.value))
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: provinceParty, amount: nil, settledOn: date("2024-10-31"), reference: "P")))
        refused(.policyViolation, "settled_on", containing: "from 120 days") {
            try d.ledger.run(.loan(d.loan, .settleLossShare(party: cityParty, amount: nil, settledOn: date("2024-10-31"), reference: "C")))
        }
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: cityParty, amount: nil, settledOn: date("2024-12-30"), reference: "C")))
        #expect(d.ledger.fund(province).balance == yuan("3,500,000.00"))
        #expect(d.ledger.fund(city).balance == yuan("4,200,000.00"))
        // The district fund is no party: untouched.
        #expect(d.ledger.fund(d.fund).balance == yuan("10,000,000.00"))

        // A recovery of 2,000,000.00 (half the loss) gives each half of what it paid.
        try d.ledger.run(.loan(d.loan, .receiveRecovery(amount: yuan("2,000,000.00"), receivedOn: date("2025-02-01"), source: "处置")))
        try d.ledger.run(.loan(d.loan, .shareRecovery(recoveryNo: 1, sharedOn: date("2025-02-03"), reference: "R")))
        #expect(d.ledger.loan(d.loan).recoveredByParty[provinceParty] == yuan("750,000.00"))
        #expect(d.ledger.loan(d.loan).recoveredByParty[cityParty] == yuan("400,000.00"))
        #expect(d.ledger.loan(d.loan).recoveredByParty[.bank] == yuan("850,000.00"))
        #expect(d.ledger.fund(province).balance == yuan("4,250,000.00"))
    }

    @Test("a scheme's parties are checked: 100% in all, one bank without a cap, each party once, funds that exist")
    func agreementRules() throws {
        var d = try ExampleDistrict()
        let s = schemeId("S")
        func agree(_ parties: [SchemeParty]) throws {
            try d.ledger.run(.scheme(s, .agree(id: s, name: "S", parties: parties, effectiveOn: date("2024-01-01"))))
        }
        refused(.invalidValue, "parties", containing: "9999 bp") { try agree([party(.insurer, "I", 5000), party(.bank, nil, 4999)]) }
        refused(.invalidValue, "parties", containing: "lending bank once") { try agree([party(.insurer, "I", 10_000)]) }
        refused(.invalidValue, "parties[1].cap_fen") { try agree([party(.insurer, "I", 5000), party(.bank, nil, 5000, cap: "1.00")]) }
        refused(.invalidValue, "parties[1]", containing: "named twice") {
            try agree([party(.insurer, "I", 3000), party(.insurer, "I", 3000), party(.bank, nil, 4000)])
        }
        refused(.notFound, "parties[0].party_id") { try agree([party(.fund, "NOPE", 5000), party(.bank, nil, 5000)]) }
        refused(.invalidValue, "parties[0].party_id") { try agree([party(.guarantor, nil, 5000), party(.bank, nil, 5000)]) }
        refused(.invalidValue, "parties[0].share_bp") { try agree([party(.guarantor, "G", 0), party(.bank, nil, 10_000)]) }
        try agree([party(.guarantor, "G", 5000), party(.bank, nil, 5000)])
        refused(.duplicate, "scheme_id") { try agree([party(.guarantor, "G", 5000), party(.bank, nil, 5000)]) }

        // A revision reaches loans enrolled from its date; earlier ones keep their version.
        try d.ledger.run(
            .scheme(
                s, .revise(parties: [party(.guarantor, "G", 6000), party(.bank, nil, 4000)], effectiveOn: date("2024-06-01"), reason: "续签"))
        )
        refused(.dateOrder, "effective_on") {
            try d.ledger.run(.scheme(s, .revise(parties: [party(.bank, nil, 10_000)], effectiveOn: date("2024-05-31"), reason: "r")))
        }
        try d.ledger.run(d.origination(enrolled: false))
        try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: nil, enrolledOn: date("2024-03-01"))))
        #expect(d.ledger.loan(d.loan).scheme?.version == 1)
        refused(.duplicate, "scheme_id") {
            try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: 2, enrolledOn: date("2024-06-01"))))
        }
        refused(.invalidState, "scheme_id") {
            try d.ledger.run(.scheme(s, .recordEnrolment(loan: d.loan, version: 1, enrolledOn: date("2024-03-01"))))
        }
    }

    @Test("a loan under a scheme shares its loss instead of claiming; a loan that claimed cannot join a scheme")
    func oneWayToCompensate() throws {
        var d = try defaultedUnder(schemeId("S"), parties: [party(.insurer, "I", 5000), party(.bank, nil, 5000)])
        refused(.invalidState, "contract_no", containing: "shared among the scheme's parties") {
            try d.ledger.run(.loan(d.loan, .claimCompensation(amount: yuan("1.00"), claimedOn: date("2024-12-30"))))
        }
        refused(.invalidState, "contract_no", containing: "not been shared") {
            try d.ledger.run(
                .loan(
                    d.loan,
                    .settleLossShare(
                        party: SchemePartyRef(role: .insurer, partyId: partyId("I")), amount: nil, settledOn: date("2024-12-30"),
                        reference: "x")))
        }
        refused(.dateOrder, "shared_on") { try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-09-30")))) }
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-01"))))
        refused(.duplicate, "contract_no") { try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-02")))) }
        refused(.invalidValue, "role") {
            try d.ledger.run(.loan(d.loan, .settleLossShare(party: .bank, amount: nil, settledOn: date("2024-12-30"), reference: "x")))
        }

        var claimed = try ExampleDistrict()
        try claimed.approvedClaim("1,000,000.00")
        let s = schemeId("S")
        try claimed.ledger.run(
            .scheme(s, .agree(id: s, name: "S", parties: [party(.bank, nil, 10_000)], effectiveOn: date("2024-01-01"))))
        refused(.invalidState, "contract_no") {
            try claimed.ledger.run(.loan(claimed.loan, .enrolInScheme(s, version: nil, enrolledOn: date("2025-01-07"))))
        }
    }

    @Test("growth sliced by scheme: a loan under a scheme counts under its id, the others under none")
    func growthByScheme() throws {
        var d = try defaultedUnder(schemeId("S"), parties: [party(.insurer, "I", 5000), party(.bank, nil, 5000)])
        _ = try d.originateSecondLoan()
        let snapshots = d.ledger.states.loanSnapshots
        #expect(snapshots.map { $0.schemeId?.value } == ["S", nil])
        let report = try GrowthReport.compute(snapshots, from: 2023, to: 2024, asOf: date("2024-12-31"), by: .scheme)
        let slices = Dictionary(uniqueKeysWithValues: report.slices.map { ($0.value, $0.years.last!.principalFen) })
        #expect(slices == ["S": yuan("5,000,000.00"), "none": yuan("2,000,000.00")])
        // The snapshot's JSON carries scheme_id only when there is one (rows stored before it read the same).
        let encoded = String(decoding: try EventCoding.encoder.encode(snapshots[1]), as: UTF8.self)
        #expect(!encoded.contains("scheme_id"))
        #expect(try EventCoding.decoder.decode(LoanSnapshot.self, from: Data(encoded.utf8)) == snapshots[1])
    }

    @Test(
        "enrolment: the version in force, not before the loan's last entry, not a loan its fund covers, only where every fund party takes the bank's loans; closing waits for the shares"
    )
    func enrolmentAndClosingRules() throws {
        var d = try ExampleDistrict()
        let s = schemeId("S")
        try d.ledger.run(
            .scheme(
                s,
                .agree(
                    id: s, name: "S", parties: [party(.fund, d.fund.value, 5000), party(.bank, nil, 5000)], effectiveOn: date("2024-01-01"))
            ))
        try d.ledger.run(
            .scheme(
                s,
                .revise(parties: [party(.fund, d.fund.value, 6000), party(.bank, nil, 4000)], effectiveOn: date("2024-03-01"), reason: "r"))
        )
        try d.ledger.run(d.origination(enrolled: false))
        refused(.invalidState, "version", containing: "version 2") {
            try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: 1, enrolledOn: date("2024-03-01"))))
        }
        try d.ledger.run(.loan(d.loan, .repay(principal: yuan("100.00"), interest: .zero, paidOn: date("2024-04-01"))))
        refused(.dateOrder, "enrolled_on") {
            try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: nil, enrolledOn: date("2024-03-15"))))
        }
        try d.ledger.run(.fund(d.fund, .suspendBank(d.bank, on: date("2024-04-02"), reason: "审查")))
        refused(.policyViolation, "scheme_id", containing: "takes no new loans from bank") {
            try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: nil, enrolledOn: date("2024-04-02"))))
        }
        try d.ledger.run(.fund(d.fund, .resumeBank(d.bank, on: date("2024-04-03"), reason: "恢复")))
        try d.ledger.run(.loan(d.loan, .enrolInScheme(s, version: 2, enrolledOn: date("2024-04-03"))))
        // A revision may not reach back before an enrolment.
        refused(.dateOrder, "effective_on") {
            try d.ledger.run(.scheme(s, .revise(parties: [party(.bank, nil, 10_000)], effectiveOn: date("2024-04-02"), reason: "r")))
        }
        // A loan its fund covers is covered once.
        let second = try d.originateSecondLoan()
        refused(.invalidState, "scheme_id", containing: "covered by fund") {
            try d.ledger.run(.loan(second, .enrolInScheme(s, version: nil, enrolledOn: date("2024-04-03"))))
        }
        // Default, write off: the loan closes only once the loss is shared and every party paid.
        try d.ledger.run(.loan(d.loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-09-01"), classification: .loss)))
        try d.ledger.run(.loan(d.loan, .writeOff(on: date("2024-10-02"), reason: "无法收回")))
        refused(.invalidState, "contract_no", containing: "share its loss") {
            try d.ledger.run(.loan(d.loan, .close(on: date("2024-10-03"))))
        }
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-03"))))
        refused(.invalidState, "contract_no", containing: "not every party") {
            try d.ledger.run(.loan(d.loan, .close(on: date("2024-10-04"))))
        }
        let fund = SchemePartyRef(role: .fund, partyId: partyId(d.fund.value))
        try d.ledger.run(.loan(d.loan, .settleLossShare(party: fund, amount: nil, settledOn: date("2024-12-01"), reference: "F")))
        #expect(d.ledger.loan(d.loan).unsettled(.bank) == .zero)
        try d.ledger.run(.loan(d.loan, .close(on: date("2024-12-02"))))
    }

    @Test("a fund party pays only what its balance allows")
    func fundBalanceBinds() throws {
        var d = try ExampleDistrict(contributions: [(.district, "100,000.00")])
        d = try defaultedUnder(schemeId("S"), parties: [party(.fund, d.fund.value, 5000), party(.bank, nil, 5000)], district: d)
        try d.ledger.run(.loan(d.loan, .shareLoss(sharedOn: date("2024-10-01"))))
        let fund = SchemePartyRef(role: .fund, partyId: partyId(d.fund.value))
        refused(.limitExceeded, "amount_fen", containing: "at most 100,000.00") {
            try d.ledger.run(.loan(d.loan, .settleLossShare(party: fund, amount: nil, settledOn: date("2024-12-01"), reference: "F")))
        }
        try d.ledger.run(
            .loan(d.loan, .settleLossShare(party: fund, amount: yuan("100,000.00"), settledOn: date("2024-12-01"), reference: "F")))
        #expect(d.ledger.loan(d.loan).unsettled(fund) == yuan("1,900,000.00"))
        #expect(d.ledger.fund(d.fund).balance == .zero)
    }
}

/// The arithmetic itself over random losses, shares, caps and recoveries.
@Suite("Loss sharing properties")
struct LossSharingPropertyTests {
    static func randomParties(_ random: inout SeededRandom) -> [SchemeParty] {
        let count = Int.random(in: 0...5, using: &random)
        var left: Int64 = 10_000
        var parties: [SchemeParty] = []
        for index in 0..<count where left > 0 {
            let share = Int64.random(in: 1...left, using: &random)
            left -= share
            let cap = Bool.random(using: &random) ? Money(fen: Int64.random(in: 1...500_000_000, using: &random)) : nil
            parties.append(
                SchemeParty(
                    role: [.fund, .insurer, .guarantor, .appraiser][index % 4], partyId: partyId("P\(index)"), shareBp: Bp(share),
                    capFen: cap))
        }
        parties.insert(SchemeParty(role: .bank, partyId: nil, shareBp: Bp(left)), at: Int.random(in: 0...parties.count, using: &random))
        return parties
    }

    @Test("shares never exceed the loss nor a cap, and the bank's remainder makes them add up exactly", arguments: 0..<20)
    func split(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        for _ in 0..<500 {
            let parties = Self.randomParties(&random)
            let loss = Money(fen: Int64.random(in: 0...1_000_000_000_00, using: &random))
            let shares = try LossSharing.split(loss: loss, parties: parties)
            #expect(try Money.total(shares.map(\.dueFen), of: "shares", field: "x") == loss)
            for (share, party) in zip(shares.dropFirst(), parties.filter { $0.role != .bank }) {
                #expect(!share.dueFen.isNegative)
                #expect(share.dueFen <= (try loss.applying(party.shareBp, rounding: .down)))
                if let cap = party.capFen { #expect(share.dueFen <= cap) }
            }
            #expect(!shares[0].dueFen.isNegative && shares[0].role == .bank)
        }
    }

    @Test(
        "recoveries never give a party more than it paid, add up to each recovery, and a full recovery repays everyone exactly",
        arguments: 0..<20)
    func recoveries(seed: UInt64) throws {
        var random = SeededRandom(state: seed &+ 1000)
        for _ in 0..<200 {
            let parties = Self.randomParties(&random)
            let loss = Money(fen: Int64.random(in: 1...50_000_000_00, using: &random))
            let shares = try LossSharing.split(loss: loss, parties: parties)
            let settled = Dictionary(uniqueKeysWithValues: shares.filter { $0.role != .bank }.map { ($0.ref, $0.dueFen) })
            let paid = LossSharing.paid(loss: loss, settled: settled, shares: shares)
            var recovered: [SchemePartyRef: Money] = [:]
            var unrecovered = loss
            while unrecovered.isPositive {
                let amount = Bool.random(using: &random) ? unrecovered : Money(fen: Int64.random(in: 1...unrecovered.fen, using: &random))
                let parts = try LossSharing.shareRecovery(amount, loss: loss, shares: shares, paid: paid, recovered: recovered)
                #expect(try Money.total(parts.map(\.amountFen), of: "parts", field: "x") == amount)
                for part in parts {
                    #expect(!part.amountFen.isNegative)
                    recovered[part.ref] = try (recovered[part.ref] ?? .zero) + part.amountFen
                    #expect(recovered[part.ref]! <= paid[part.ref]!)
                }
                unrecovered = try unrecovered - amount
            }
            for (ref, amount) in paid { #expect((recovered[ref] ?? .zero) == amount) }
        }
    }
}
