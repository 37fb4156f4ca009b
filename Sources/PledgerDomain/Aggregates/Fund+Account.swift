import Foundation

/// The fund's bank account beyond contributions, payouts and recovery shares: interest the
/// bank credits (结息), its charges, money returned to contributors, transfers between
/// funds. Each is a dated `MoneyFlow` of its kind, so `balance`, `balance(on:)`,
/// `lowestBalance(from:)` and `totals(through:)` account for it; `account(through:)` shows
/// every kind apart. Outflows may never take the balance below zero on any day.
extension FundState.MoneyFlow {
    /// What a money flow is, so that totals can show each kind of movement apart.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case contribution
        case compensation
        case recoveryShare = "recovery_share"
        case interest
        case bankCharge = "bank_charge"
        case contributionReturned = "contribution_returned"
        case transferIn = "transfer_in"
        case transferOut = "transfer_out"
        case premiumSubsidy = "premium_subsidy"
    }
}

extension FundState {
    /// The fund's money by kind of movement, up to the end of a date. Every amount is a
    /// magnitude (outflows positive too); `balanceFen` = the ins − the outs.
    public struct AccountTotals: Sendable, Hashable {
        public var contributedFen = Money.zero
        public var contributionsReturnedFen = Money.zero
        public var compensationPaidFen = Money.zero
        public var recoverySharesFen = Money.zero
        public var interestFen = Money.zero
        public var bankChargesFen = Money.zero
        public var transfersInFen = Money.zero
        public var transfersOutFen = Money.zero
        /// Pledge-insurance premiums the fund subsidised for insured firms.
        public var premiumSubsidiesFen = Money.zero
        public var balanceFen = Money.zero

        /// The totals as JSON (integer fen), for the read model, reports and the API.
        public var json: JSONValue {
            object([
                ("contributed_fen", .integer(contributedFen.fen)), ("contributions_returned_fen", .integer(contributionsReturnedFen.fen)),
                ("paid_out_fen", .integer(compensationPaidFen.fen)), ("recoveries_returned_fen", .integer(recoverySharesFen.fen)),
                ("interest_fen", .integer(interestFen.fen)), ("bank_charges_fen", .integer(bankChargesFen.fen)),
                ("transfers_in_fen", .integer(transfersInFen.fen)), ("transfers_out_fen", .integer(transfersOutFen.fen)),
                ("premium_subsidies_fen", .integer(premiumSubsidiesFen.fen)), ("balance_fen", .integer(balanceFen.fen)),
            ])
        }
    }

    /// Every kind of movement up to the end of `date` (all when nil). Sums saturate, as
    /// folds do; deciders keep each within `Money.maximum`.
    public func account(through date: BusinessDate? = nil) -> AccountTotals {
        var totals = AccountTotals()
        for flow in flows where date.map({ flow.on <= $0 }) ?? true {
            let magnitude = flow.amount.isNegative ? Money.zero.subtracting(saturating: flow.amount) : flow.amount
            func add(_ total: inout Money) { total = total.adding(saturating: magnitude) }
            switch flow.kind {
            case .contribution: add(&totals.contributedFen)
            case .contributionReturned: add(&totals.contributionsReturnedFen)
            case .compensation: add(&totals.compensationPaidFen)
            case .recoveryShare: add(&totals.recoverySharesFen)
            case .interest: add(&totals.interestFen)
            case .bankCharge: add(&totals.bankChargesFen)
            case .transferIn: add(&totals.transfersInFen)
            case .transferOut: add(&totals.transfersOutFen)
            case .premiumSubsidy: add(&totals.premiumSubsidiesFen)
            }
            totals.balanceFen = totals.balanceFen.adding(saturating: flow.amount)
        }
        return totals
    }

    /// A contributor's contributions (not reversed) received by the end of `date` (all
    /// when nil), less everything returned to it.
    public func netContributions(of contributor: Contributor, through date: BusinessDate? = nil) -> Money {
        var received = Money.zero
        for (id, contribution) in contributions where contribution.contributor == contributor && !reversed.contains(id) {
            if let date, contribution.receivedOn > date { continue }
            received = received.adding(saturating: contribution.amountFen)
        }
        return received.subtracting(saturating: returnedToContributors[contributor] ?? .zero)
    }

    /// Reversing a contribution must leave its contributor with at least what was returned to it.
    func checkReturnsCovered(reversing eventId: UUID) throws {
        guard let contribution = contributions[eventId], let returned = returnedToContributors[contribution.contributor],
            returned.isPositive
        else { return }
        let left = netContributions(of: contribution.contributor).subtracting(saturating: contribution.amountFen)
        guard !left.isNegative else {
            throw DomainError(
                .limitExceeded, field: "reversed_event_id",
                "\(returned) was returned to the \(contribution.contributor.rawValue) contributor; without this contribution of \(contribution.amountFen) it would have got back more than it put in"
            )
        }
    }

    /// Folds the account's movements; `Fund.evolve` calls it first.
    mutating func applyAccount(_ recorded: RecordedEvent) {
        func negative(_ amount: Money) -> Money { Money.zero.subtracting(saturating: amount) }
        switch recorded.event {
        case .fundInterestCredited(let e):
            flows.append(.init(on: e.creditedOn, amount: e.amountFen, source: recorded.id, kind: .interest))
        case .fundBankCharged(let e):
            flows.append(.init(on: e.chargedOn, amount: negative(e.amountFen), source: recorded.id, kind: .bankCharge))
        case .fundContributionReturned(let e):
            flows.append(.init(on: e.returnedOn, amount: negative(e.amountFen), source: recorded.id, kind: .contributionReturned))
            returnedToContributors[e.contributor] = (returnedToContributors[e.contributor] ?? .zero).adding(saturating: e.amountFen)
        case .fundTransferredOut(let e):
            flows.append(.init(on: e.transferredOn, amount: negative(e.amountFen), source: recorded.id, kind: .transferOut))
        case .fundTransferredIn(let e):
            flows.append(.init(on: e.transferredOn, amount: e.amountFen, source: recorded.id, kind: .transferIn))
        default:
            break
        }
    }
}

extension Fund {
    /// The account's movements (see `FundCommand`).
    static func decideAccount(_ command: FundCommand, _ state: FundState, fundId: FundId, established: BusinessDate) throws -> [LedgerEvent]
    {
        let totals = state.account()
        /// An outflow dated `on` may take at most the lowest end-of-day balance from `on` on.
        func outflow(_ amount: Money, on: BusinessDate, _ what: String) throws {
            let available = state.lowestBalance(from: on)
            guard amount <= available else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "\(what) of \(amount) on \(on) would take fund \(fundId) below zero: it can pay out at most \(max(available, .zero)) from \(on) on"
                )
            }
        }
        func inflow(_ amount: Money, into total: Money, _ name: String) throws {
            try total.adding(amount, toTotal: "\(name) of fund \(fundId)", field: "amount_fen")
            try state.balance.adding(amount, toTotal: "the balance of fund \(fundId)", field: "amount_fen")
        }
        switch command {
        case .creditInterest(let amount, let on, let reference):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "credited_on", what: "the fund was established")
            try Rules.text(reference, field: "reference")
            try inflow(amount, into: totals.interestFen, "interest credited")
            return [.fundInterestCredited(FundInterestCredited(amountFen: amount, creditedOn: on, reference: reference))]

        case .chargeBank(let amount, let on, let reference, let description):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "charged_on", what: "the fund was established")
            try Rules.text(reference, field: "reference")
            try Rules.text(description, field: "description")
            try outflow(amount, on: on, "a bank charge")
            try totals.bankChargesFen.adding(amount, toTotal: "bank charges of fund \(fundId)", field: "amount_fen")
            return [.fundBankCharged(FundBankCharged(amountFen: amount, chargedOn: on, reference: reference, description: description))]

        case .returnContribution(let amount, let contributor, let on, let reference, let reason):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "returned_on", what: "the fund was established")
            try Rules.text(reference, field: "reference")
            try Rules.text(reason, field: "reason")
            let net = state.netContributions(of: contributor, through: on)
            guard amount <= net else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "the \(contributor.rawValue) contributor's net contributions to fund \(fundId) by \(on) are \(max(net, .zero)); \(amount) cannot be returned"
                )
            }
            try outflow(amount, on: on, "returning")
            return [
                .fundContributionReturned(
                    FundContributionReturned(
                        amountFen: amount, contributor: contributor, returnedOn: on, reference: reference, reason: reason))
            ]

        case .transferOut(let destination, let amount, let on, let reference):
            guard destination != fundId else { throw DomainError.invalid("to_fund_id", "a fund cannot transfer to itself") }
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "transferred_on", what: "fund \(fundId) was established")
            try Rules.text(reference, field: "reference")
            try outflow(amount, on: on, "a transfer")
            try totals.transfersOutFen.adding(amount, toTotal: "transfers out of fund \(fundId)", field: "amount_fen")
            return [
                .fundTransferredOut(FundTransferredOut(toFundId: destination, amountFen: amount, transferredOn: on, reference: reference))
            ]

        case .transferIn(let source, let amount, let on, let reference):
            guard source != fundId else { throw DomainError.invalid("from_fund_id", "a fund cannot transfer to itself") }
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "transferred_on", what: "fund \(fundId) was established")
            try Rules.text(reference, field: "reference")
            try inflow(amount, into: totals.transfersInFen, "transfers in")
            return [.fundTransferredIn(FundTransferredIn(fromFundId: source, amountFen: amount, transferredOn: on, reference: reference))]

        default:
            preconditionFailure("Fund.decide handles \(command)")
        }
    }
}
