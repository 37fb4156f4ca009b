import Foundation
import PledgerDomain

/// Plausible commands over a small universe, with a business clock that moves forward.
public struct CommandGenerator {
    public var random: SeededRandom
    public var day = date("2023-02-01")
    public let fund = fundId("F")
    /// A second fund, for transfers between funds.
    public let otherFund = fundId("G")
    public var funds: [FundId] { [fund, otherFund] }
    public let banks = [bankId("B1"), bankId("B2")]
    public let borrowers = [validUscc("91210000MA0000001"), validUscc("91210000MA0000002"), validUscc("91210000MA0000003")]
    public let assets = (1...8).map { assetId("A\($0)") }
    public let loans = (1...10).map { loanKey($0 % 3 == 0 ? "B2" : "B1", "C\($0)") }
    public var reversible: [UUID] = []
    /// Draws apart from `random` when an amount goes to an edge, so that adding edges left
    /// the plausible sequences (and the deep states they reach) as they were.
    public var edges: SeededRandom
    /// Draws for the fund rules (amendments, LPR fixings, firm sizes, per-bank switches, missed
    /// due dates), apart from `random` too, so that the plausible sequences stay close to what
    /// they were before those rules.
    public var rules: SeededRandom
    /// Draws for the commands of the claim queue and the fund account, apart from `random`
    /// and `edges` so that adding them left the other sequences as they were.
    public var extras: SeededRandom
    /// Draws for risk sharing (the scheme `S`, central contributions), apart from the others.
    public var schemes: SeededRandom
    /// Draws for pledge insurance (the insurer `INS`'s policies and their premium subsidies).
    public var insurance: SeededRandom
    public let scheme = schemeId("S")
    /// The scheme's parties: both funds (capped), an insurer and the bank.
    public var schemeParties: [SchemeParty] {
        [
            SchemeParty(role: .fund, partyId: partyId(fund.value), shareBp: Bp(4000), capFen: yuan("800,000.00")),
            SchemeParty(role: .fund, partyId: partyId(otherFund.value), shareBp: Bp(2000), capFen: yuan("30,000.00")),
            SchemeParty(role: .insurer, partyId: partyId("INS"), shareBp: Bp(1000)),
            SchemeParty(role: .bank, partyId: nil, shareBp: Bp(3000)),
        ]
    }
    /// Contributors the plausible and extra draws pick from (`central` comes from `schemes`).
    static let drawnContributors = Contributor.allCases.filter { $0 != .central }

    public init(seed: UInt64) {
        random = SeededRandom(state: seed &* 7919 &+ 1)
        edges = SeededRandom(state: seed &* 104_729 &+ 3)
        rules = SeededRandom(state: seed &* 15_485_863 &+ 5)
        extras = SeededRandom(state: seed &* 32_452_843 &+ 7)
        schemes = SeededRandom(state: seed &* 49_979_687 &+ 11)
        insurance = SeededRandom(state: seed &* 67_867_967 &+ 13)
    }

    public func setup() -> [LedgerCommand] {
        var commands: [LedgerCommand] = [
            .fund(
                fund,
                .establish(
                    id: fund, name: "Fund", region: try! RegionCode("211303"), policy: examplePolicy, establishedOn: date("2023-01-01"))),
            .fund(
                fund,
                .receiveContribution(
                    amount: yuan("3,000,000.00"), contributor: .province, receivedOn: date("2023-01-02"), reference: "seed")),
            .fund(
                otherFund,
                .establish(
                    id: otherFund, name: "Other fund", region: try! RegionCode("211300"), policy: examplePolicy,
                    establishedOn: date("2023-01-01"))),
            .fund(
                otherFund,
                .receiveContribution(amount: yuan("500,000.00"), contributor: .city, receivedOn: date("2023-01-02"), reference: "seed")),
        ]
        commands.append(.scheme(scheme, .agree(id: scheme, name: "Scheme", parties: schemeParties, effectiveOn: date("2023-01-01"))))
        for bank in banks { commands.append(.bank(bank, .register(id: bank, name: "Bank \(bank)", licence: "L-\(bank)"))) }
        for bank in banks { commands.append(.fund(fund, .joinBank(bank, agreement: "A-\(bank)", effectiveOn: date("2023-01-10")))) }
        // The other fund is a party of the scheme: the banks join it too (it covers no loan itself).
        for bank in banks { commands.append(.fund(otherFund, .joinBank(bank, agreement: "G-\(bank)", effectiveOn: date("2023-01-10")))) }
        // One borrower of each kind the eligibility rules tell apart: a small firm in the fund's
        // region, a micro one in it, and one of unknown size outside it.
        for (borrower, (size, region)) in zip(
            borrowers, [(FirmSize.small, "211303"), (.micro, "211303"), (nil, "210102")] as [(FirmSize?, String)])
        {
            commands.append(
                .borrower(
                    borrower,
                    .register(
                        uscc: borrower, name: "Co \(borrower)", industry: try! IndustryCode("C3841"), region: try! RegionCode(region),
                        techSme: true, firmSize: size)))
        }
        for (index, asset) in assets.enumerated() {
            let kind: AssetKind = [.patent, .trademark, .copyright][index % 3]
            commands.append(
                .asset(
                    asset, .register(id: asset, kind: kind, registryNo: "R\(index)", title: "Asset \(index)", owner: borrowers[index % 3])))
        }
        return commands
    }

    /// Amounts at the edges: nothing, one fen, and the ledger's maximum and one fen less.
    public static let extremes = [Money.zero, Money(fen: 1), Money(fen: Money.maximum.fen - 1), Money.maximum]

    /// One time in twelve, an extreme amount instead of the plausible one — or, given the
    /// `room` a total has left below the maximum, exactly that room or one fen more.
    mutating func edge(_ plausible: Money, room: Money? = nil) -> Money {
        guard Int.random(in: 0..<12, using: &edges) == 0 else { return plausible }
        let candidates = Self.extremes + (room.map { [$0, Money(fen: $0.fen + 1)] } ?? [])
        return candidates[Int.random(in: 0..<candidates.count, using: &edges)]
    }

    mutating func amount(_ maxYuan: Int64, room: Money? = nil) -> Money {
        edge(Money(fen: Int64.random(in: 1...(maxYuan * 100), using: &random)), room: room)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    public mutating func next(_ ledger: InMemoryLedger) -> LedgerCommand {
        if Int.random(in: 0..<6, using: &schemes) == 0 { return schemeCommand(ledger) }
        // The fund rules' commands come in between the others, drawn from `rules` alone.
        if Int.random(in: 0..<8, using: &rules) == 0 {
            return fundRule(
                ledger, on: Int.random(in: 0..<10, using: &rules) == 0 ? day.adding(days: -Int.random(in: 1...400, using: &rules)) : day)
        }
        if Int.random(in: 0..<4, using: &extras) == 0 { return extra(ledger) }
        day = day.adding(days: Int.random(in: 0...20, using: &random))
        let existing = loans.filter { ledger.loan($0).exists }
        let loan = !existing.isEmpty && Int.random(in: 0..<10, using: &random) < 8 ? pick(existing) : pick(loans)
        let state = ledger.loan(loan)
        // Sometimes a date in the past, to exercise the date rules.
        let on = Int.random(in: 0..<10, using: &random) == 0 ? day.adding(days: -Int.random(in: 1...400, using: &random)) : day
        switch Int.random(in: 0..<20, using: &random) {
        case 18, 19:
            // Claims sized to what the rules would allow, so that payouts happen.
            if let defaulted = state.defaulted, state.openClaim == nil {
                let amount = Money(fen: max(1, defaulted.outstandingFen.fen * 4 / 10 / Int64.random(in: 1...3, using: &random)))
                // Half the time, within days of the end of the waiting period (from the missed due date).
                if Int.random(in: 0..<2, using: &rules) == 0, let o = state.origination,
                    let terms = ledger.decided.funds[fund]?.terms(forLoanEnrolledOn: o.originatedOn, asOf: on)
                {
                    let edge = defaulted.missedDueOn.adding(days: terms.claimAfterOverdueDays + Int.random(in: -3...3, using: &rules))
                    return .loan(loan, .claimCompensation(amount: amount, claimedOn: max(edge, defaulted.defaultedOn)))
                }
                return .loan(loan, .claimCompensation(amount: amount, claimedOn: on))
            }
            if let claim = state.openClaim {
                return claim.status == .filed
                    ? .loan(loan, .approveClaim(amount: claim.amount, approvedOn: on))
                    : .loan(loan, .payClaim(paidOn: on, paymentRef: "PAY"))
            }
            let asset = pick(assets)
            return .asset(
                asset,
                .value(
                    id: try! ValuationId("W\(day.dayNumber)"), appraiser: "Appraiser", method: .income, value: amount(9_000_000),
                    valuedOn: day, reportRef: "RPT"))
        case 0:
            let contributed = ledger.fund(fund).totals().contributed
            return .fund(
                fund,
                .receiveContribution(
                    amount: amount(2_000_000, room: Money(fen: Money.maximum.fen - contributed.fen)),
                    contributor: pick(Self.drawnContributors), receivedOn: on, reference: "C\(day)"))
        case 1:
            let asset = pick(assets)
            return .asset(
                asset,
                .value(
                    id: try! ValuationId("V\(day.dayNumber)"), appraiser: "Appraiser", method: pick(ValuationMethod.allCases),
                    value: amount(8_000_000), valuedOn: on, reportRef: "RPT"))
        case 2, 3:
            // Mostly within the fund's limits (60% pledge rate, 36 months), sometimes beyond.
            let fresh = loans.filter { !ledger.loan($0).exists }
            let loan = fresh.isEmpty ? loan : pick(fresh)
            let asset = pick(assets)
            let value = ledger.asset(asset).valuation(before: on)?.valueFen.fen ?? 100_000_000
            let principal = edge(Money(fen: max(1, value * Int64.random(in: 10...70, using: &random) / 100)))
            return .loan(
                loan,
                .originate(
                    .init(
                        key: loan, borrower: pick(borrowers), principal: principal, rate: Bp(Int64.random(in: 300...600, using: &random)),
                        originatedOn: on, maturesOn: on.adding(months: Int.random(in: 3...38, using: &random)),
                        collateral: [.init(asset: asset, registrationNo: "P\(day)")],
                        fund: Int.random(in: 0..<5, using: &random) > 0 ? fund : nil)))
        case 4, 5:
            let principal = edge(Money(fen: Int64.random(in: 0...max(1, state.outstanding.fen + 1000), using: &random)))
            return .loan(
                loan,
                .repay(
                    principal: principal, interest: amount(1000, room: Money(fen: Money.maximum.fen - state.repaidInterest.fen)), paidOn: on
                ))
        case 6:
            let days = Int.random(in: 30...200, using: &random)
            let classification: LoanClassification = pick([.substandard, .doubtful, .loss, .normal])
            var missed = on.adding(days: -days)
            if let o = state.origination, Int.random(in: 0..<4, using: &rules) > 0 {
                // Mostly a due date the loan really had: after origination, by maturity, before the default.
                missed = max(o.originatedOn.adding(days: 1), min(missed, o.maturesOn, on.adding(days: -1)))
            }
            // Sometimes the client sends days overdue too: right, or off by one.
            let given: Int? =
                switch Int.random(in: 0..<4, using: &rules) {
                case 0: missed.days(until: on)
                case 1: missed.days(until: on) + 1
                default: nil
                }
            return .loan(loan, .markDefaulted(on: on, missedDueOn: missed, daysOverdue: given, classification: classification))
        case 7:
            return .loan(loan, .claimCompensation(amount: amount(1_200_000), claimedOn: on))
        case 8:
            let asked = state.openClaim?.amount.fen ?? 100
            return .loan(loan, .approveClaim(amount: Money(fen: Int64.random(in: 1...max(1, asked + 100), using: &random)), approvedOn: on))
        case 9:
            return .loan(loan, .rejectClaim(rejectedOn: on, reason: "documents"))
        case 10:
            return .loan(loan, .payClaim(paidOn: on, paymentRef: "PAY\(day)"))
        case 11:
            return .loan(loan, .receiveRecovery(amount: amount(800_000), receivedOn: on, source: "auction"))
        case 12:
            return .loan(loan, .returnRecoveryShare(recoveryNo: Int.random(in: 1...3, using: &random), returnedOn: on, reference: "RET"))
        case 13:
            return .loan(loan, .writeOff(on: on, reason: "uncollectable"))
        case 14:
            return .loan(loan, .close(on: on))
        case 15:
            return .loan(loan, .cancel(on: on, reason: "entered in error"))
        case 16:
            let candidates = ledger.log.filter {
                ["RepaymentReceived", "RecoveryReceived", "FundContributionReceived"].contains($0.event.type)
            }
            guard let target = candidates.randomElement(using: &random) else { return .fund(fund, .suspend(on: on, reason: "check")) }
            if target.stream.hasPrefix("fund-") {
                return .fund(fund, .reverseContribution(eventId: target.id, on: on, reason: "error"))
            }
            let key = loans.first { Streams.loan($0) == target.stream }!
            return .loan(key, .reverse(eventId: target.id, on: on, reason: "error"))
        default:
            if ledger.fund(fund).isSuspendedNow { return .fund(fund, .resume(on: on, reason: "NPL ok")) }
            return Int.random(in: 0..<4, using: &random) == 0
                ? .fund(fund, .suspend(on: on, reason: "NPL high")) : .loan(loan, .close(on: on))
        }
    }

    /// The fund rules' commands: amendments of either scope (sometimes with eligibility rules),
    /// LPR fixings, firm sizes, an administrator switching a bank's enrolments or the fund's,
    /// and top-ups of a fund whose balance no longer carries new cover (leverage is enforced).
    mutating func fundRule(_ ledger: InMemoryLedger, on: BusinessDate) -> LedgerCommand {
        func chance(_ inN: Int) -> Bool { Int.random(in: 0..<inN, using: &rules) == 0 }
        func choose<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rules)] }
        let state = ledger.decided.funds[fund] ?? FundState()
        let balance = state.balance
        if balance < yuan("1,000,000.00"), chance(2) {
            return .fund(
                fund,
                .receiveContribution(amount: yuan("3,000,000.00"), contributor: .province, receivedOn: day, reference: "top-up \(day)"))
        }
        switch Int.random(in: 0..<6, using: &rules) {
        case 0:
            var policy = examplePolicy
            policy.coverageBp = Bp(choose([2000, 4000, 6000]))
            policy.perLoanCapFen = yuan(choose(["500,000.00", "1,000,000.00", "2,000,000.00"]))
            policy.maxLeverage = choose([3, 5, 10, 20])
            policy.claimAfterOverdueDays = choose([30, 60, 90, 120])
            if chance(3) { policy.bankQuotaFen = yuan(choose(["8,000,000.00", "15,000,000.00"])) }
            if chance(3) {
                policy.maxPrincipalFenByFirmSize = FirmSizeCaps(
                    micro: yuan("2,000,000.00"), small: yuan("6,000,000.00"), medium: yuan("6,000,000.00"))
            }
            if chance(3) { policy.maxPrincipalPerFirmPerYearFen = yuan("8,000,000.00") }
            if chance(3) { policy.maxRateOverLprBp = Bp(choose([150, 250])) }
            if chance(4) { policy.borrowerInRegion = true }
            return .fund(fund, .amendPolicy(policy, effectiveOn: on, reason: "annual review", appliesTo: choose(PolicyScope.allCases)))
        case 1:
            return .lpr(
                .publish(tenor: chance(4) ? .fiveYears : .oneYear, rate: Bp(Int64.random(in: 300...400, using: &rules)), effectiveOn: on))
        case 2:
            return .borrower(choose(borrowers), .recordFirmSize(choose(FirmSize.allCases), recordedOn: on))
        default:
            let bank = choose(banks)
            if state.isBankSuspendedNow(bank) { return .fund(fund, .resumeBank(bank, on: on, reason: "bank's NPL ratio reviewed")) }
            return chance(3)
                ? .fund(fund, .suspendBank(bank, on: on, reason: "audit of the bank's files"))
                : .fund(fund, .resume(on: on, reason: "NPL ratio reviewed"))
        }
    }
    /// Partial payments, queue payments, withdrawals and every account movement, on the
    /// business day the clock is at (sometimes in the past), drawn from `extras` alone.
    mutating func extra(_ ledger: InMemoryLedger) -> LedgerCommand {
        // Several claims queued: bring money (as much as they lack), then pay the queue.
        let fundState = ledger.fund(fund)
        if fundState.queue.count >= 2 {
            if fundState.lowestBalance(from: day) <= fundState.queue[0].remaining {
                return .fund(
                    fund, .receiveContribution(amount: fundState.queuedFen, contributor: .province, receivedOn: day, reference: "QC\(day)"))
            }
            return .fund(fund, .payQueue(on: day, reference: "QQ\(day)", limit: nil))
        }
        let existing = loans.filter { ledger.loan($0).exists }
        // Mostly a loan with a claim open, so that payments and withdrawals have something to act on.
        let claiming = existing.filter { ledger.loan($0).openClaim != nil }
        let loan =
            !claiming.isEmpty && Int.random(in: 0..<4, using: &extras) > 0
            ? extraPick(claiming) : existing.isEmpty ? extraPick(loans) : extraPick(existing)
        // One claim waiting for money and another filed: approve it, so that queues of several
        // claims form (leverage keeps funds well supplied, so they rarely form by themselves).
        if fundState.queue.count == 1, Int.random(in: 0..<2, using: &extras) == 0,
            let filed = claiming.first(where: { ledger.loan($0).openClaim?.status == .filed }), let claim = ledger.loan(filed).openClaim
        {
            return .loan(filed, .approveClaim(amount: claim.amount, approvedOn: day))
        }
        let state = ledger.loan(loan)
        let on = Int.random(in: 0..<10, using: &extras) == 0 ? day.adding(days: -Int.random(in: 1...200, using: &extras)) : day
        switch Int.random(in: 20..<26, using: &extras) {
        case 20:
            // A part of what is unpaid, sometimes more than the fund has or than is unpaid.
            let unpaid = state.openClaim?.unpaid.fen ?? 100
            let part = Money(fen: max(1, unpaid * Int64.random(in: 1...12, using: &extras) / 10))
            return .loan(loan, .payClaim(paidOn: on, paymentRef: "PART\(day)", amount: extraEdge(part)))
        case 21:
            let limit: Money? = Int.random(in: 0..<3, using: &extras) == 0 ? extraAmount(1_500_000) : nil
            return .fund(fund, .payQueue(on: on, reference: "Q\(day)", limit: limit))
        case 22:
            return .loan(loan, .withdrawClaim(withdrawnOn: on, reason: "withdrawn"))
        case 23:
            let id = extraPick(funds)
            if Int.random(in: 0..<2, using: &extras) == 0 {
                let interest = ledger.fund(id).account().interestFen
                return .fund(
                    id,
                    .creditInterest(
                        amount: extraAmount(20_000, room: Money(fen: Money.maximum.fen - interest.fen)), creditedOn: on,
                        reference: "I\(day)"))
            }
            return .fund(
                id,
                .chargeBank(
                    amount: extraAmount(Int.random(in: 0..<4, using: &extras) == 0 ? 3_000_000 : 500), chargedOn: on, reference: "C\(day)",
                    description: "fee"))
        case 24:
            let id = extraPick(funds)
            let contributor = extraPick(Self.drawnContributors)
            let net = ledger.fund(id).netContributions(of: contributor).fen
            let asked = Money(fen: max(1, net * Int64.random(in: 1...11, using: &extras) / 10))
            return .fund(
                id,
                .returnContribution(
                    amount: extraEdge(asked), contributor: contributor, returnedOn: on, reference: "R\(day)", reason: "returned"))
        case 25:
            let from = extraPick(funds)
            let to = Int.random(in: 0..<10, using: &extras) == 0 ? from : from == fund ? otherFund : fund
            let balance = max(ledger.fund(from).balance.fen, 1)
            return .fund(
                from,
                .transferOut(
                    to: to, amount: extraEdge(Money(fen: max(1, balance * Int64.random(in: 1...12, using: &extras) / 10))),
                    transferredOn: on, reference: "T\(day)"))
        default:
            preconditionFailure("drawn from 20..<26")
        }
    }

    /// Risk sharing: enrolments, loss splits, settlements (whole, part, too much), shared
    /// recoveries, and a little central money for the other fund.
    mutating func schemeCommand(_ ledger: InMemoryLedger) -> LedgerCommand {
        if Int.random(in: 0..<4, using: &insurance) == 0, let command = insuranceCommand(ledger) { return command }
        // Loans outside the fund may join the scheme (a loan is covered by its fund or by a scheme).
        let candidates = loans.filter { ledger.loan($0).origination.map { $0.fundId == nil } ?? false }
        guard !candidates.isEmpty, Int.random(in: 0..<8, using: &schemes) != 0 else {
            return .fund(
                otherFund,
                .receiveContribution(
                    amount: Money(fen: Int64.random(in: 1...1_000_000, using: &schemes)), contributor: .central, receivedOn: day,
                    reference: "central\(day)"))
        }
        let loan = candidates[Int.random(in: 0..<candidates.count, using: &schemes)]
        let state = ledger.loan(loan)
        let on = Int.random(in: 0..<10, using: &schemes) == 0 ? day.adding(days: -Int.random(in: 1...200, using: &schemes)) : day
        // Mostly the step the loan is ready for, sometimes any step (to be refused).
        let ready =
            state.scheme == nil
            ? 0
            : state.lossShared == nil
                ? 1
                : !state.lossFullySettled ? 2 : 3
        switch Int.random(in: 0..<5, using: &schemes) == 0 ? Int.random(in: 0..<4, using: &schemes) : ready {
        case 0:
            return .loan(loan, .enrolInScheme(scheme, version: nil, enrolledOn: on))
        case 1:
            return .loan(loan, .shareLoss(sharedOn: on))
        case 2:
            let parties = schemeParties.filter { $0.role != .bank }
            let party = parties[Int.random(in: 0..<parties.count, using: &schemes)].ref
            let owed = state.unsettled(party).fen
            let amount: Money? =
                Bool.random(using: &schemes) ? nil : Money(fen: max(1, owed * Int64.random(in: 1...12, using: &schemes) / 10))
            // Funds wait 90 days from the missed due date: sometimes settle right about then.
            let after = state.defaulted.map { $0.missedDueOn.adding(days: 90 + Int.random(in: -2...5, using: &schemes)) }
            return .loan(loan, .settleLossShare(party: party, amount: amount, settledOn: max(on, after ?? on), reference: "S\(day)"))
        default:
            let number = max(1, Int.random(in: 1...max(1, state.recoveries.count), using: &schemes))
            return .loan(loan, .shareRecovery(recoveryNo: number, sharedOn: on, reference: "RS\(day)"))
        }
    }

    /// Pledge insurance on loans under the scheme: a policy of `INS` (sum insured sometimes
    /// below its share, a period sometimes ending before a default; now and then a bad one),
    /// or a premium subsidy from either fund (sometimes more than is left).
    mutating func insuranceCommand(_ ledger: InMemoryLedger) -> LedgerCommand? {
        let insurer = insurerId("INS")
        let enrolled = loans.filter { ledger.loan($0).scheme != nil }
        guard !enrolled.isEmpty else { return nil }
        let loan = enrolled[Int.random(in: 0..<enrolled.count, using: &insurance)]
        let state = ledger.loan(loan)
        if state.policies[insurer] != nil, Int.random(in: 0..<8, using: &insurance) == 0 {
            return .loan(loan, .cancelPolicy(insurer: insurer, cancelledOn: day, reason: "recorded in error"))
        }
        if let policy = state.policies[insurer], Bool.random(using: &insurance) {
            let premium = policy.premiumFen.fen
            let amount: Money? =
                Bool.random(using: &insurance) ? nil : Money(fen: max(1, premium * Int64.random(in: 1...12, using: &insurance) / 10))
            return .insurer(
                insurer,
                .subsidisePremium(
                    policyNo: policy.policyNo, fund: Bool.random(using: &insurance) ? fund : otherFund, amount: amount, paidOn: day,
                    reference: "P\(day)"))
        }
        guard let origination = state.origination else { return nil }
        let principal = origination.principalFen.fen
        let sum = Money(fen: max(1, principal * Int64.random(in: 1...12, using: &insurance) / 100))
        let start = Int.random(in: 0..<10, using: &insurance) == 0 ? origination.originatedOn.adding(days: -1) : origination.originatedOn
        let months = Int.random(in: 0..<6, using: &insurance) == 0 ? 0 : Int.random(in: 2...24, using: &insurance)
        return .loan(
            loan,
            .insure(
                .init(
                    insurer: insurer, policyNo: policyNo("POL-\(loan.contract)-\(Int.random(in: 1...3, using: &insurance))"),
                    sumInsured: sum,
                    premium: Money(fen: max(1, sum.fen / Int64.random(in: 1...60, using: &insurance))), startsOn: start,
                    endsOn: start.adding(months: months), issuedOn: day)))
    }

    mutating func extraPick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &extras)] }
    mutating func extraAmount(_ maxYuan: Int64, room: Money? = nil) -> Money {
        extraEdge(Money(fen: Int64.random(in: 1...(maxYuan * 100), using: &extras)), room: room)
    }
    mutating func extraEdge(_ plausible: Money, room: Money? = nil) -> Money {
        guard Int.random(in: 0..<12, using: &extras) == 0 else { return plausible }
        let candidates = Self.extremes + (room.map { [$0, Money(fen: $0.fen + 1)] } ?? [])
        return candidates[Int.random(in: 0..<candidates.count, using: &extras)]
    }
}
