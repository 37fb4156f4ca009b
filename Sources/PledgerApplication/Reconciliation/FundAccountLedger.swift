import PledgerDomain
import PledgerStore

/// The fund's bank account as the ledger has it: the fund and its money movements, read
/// from the fund's own events — what `reconcile fund-account` compares with the bank's
/// statement and `fund movements` lists.
public struct FundAccountLedger: Sendable {
    /// What moved the money, in the words of the account's statement.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case contribution, payout, recoveryShare, interest, bankCharge, premiumSubsidy
        case returned(to: Contributor)
        case transferOut(to: FundId)
        case transferIn(from: FundId)

        public var description: String {
            switch self {
            case .contribution: "contribution"
            case .payout: "payout"
            case .recoveryShare: "recovery share"
            case .interest: "interest"
            case .bankCharge: "bank charge"
            case .premiumSubsidy: "premium subsidy"
            case .returned(let contributor): "returned to \(contributor.rawValue)"
            case .transferOut(let fund): "transfer to \(fund)"
            case .transferIn(let fund): "transfer from \(fund)"
            }
        }
    }

    public struct Movement: Sendable, Hashable {
        public var date: BusinessDate
        /// + in, − out.
        public var amount: Money
        public var reference: String
        public var kind: Kind
    }

    public let fund: FundState
    /// In the order the ledger recorded them.
    public let movements: [Movement]

    /// The movements of `events` (the fund's stream), reversed contributions left out.
    public init(fund: FundState, events: [RecordedEvent]) {
        self.fund = fund
        var movements: [Movement] = []
        for recorded in events where !fund.reversed.contains(recorded.id) {
            switch recorded.event {
            case .fundContributionReceived(let e):
                movements.append(Movement(date: e.receivedOn, amount: e.amountFen, reference: e.reference, kind: .contribution))
            case .compensationDisbursed(let e):
                movements.append(Movement(date: e.paidOn, amount: Money(fen: -e.amountFen.fen), reference: e.paymentRef, kind: .payout))
            case .recoveryShareReceived(let e):
                movements.append(Movement(date: e.returnedOn, amount: e.amountFen, reference: e.reference, kind: .recoveryShare))
            case .schemeShareDisbursed(let e):
                movements.append(Movement(date: e.paidOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: .payout))
            case .schemeRecoveryShareReceived(let e):
                movements.append(Movement(date: e.returnedOn, amount: e.amountFen, reference: e.reference, kind: .recoveryShare))
            case .premiumSubsidyPaid(let e):
                movements.append(
                    Movement(date: e.paidOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: .premiumSubsidy))
            case .fundInterestCredited(let e):
                movements.append(Movement(date: e.creditedOn, amount: e.amountFen, reference: e.reference, kind: .interest))
            case .fundBankCharged(let e):
                movements.append(
                    Movement(date: e.chargedOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: .bankCharge))
            case .fundContributionReturned(let e):
                movements.append(
                    Movement(
                        date: e.returnedOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: .returned(to: e.contributor)
                    ))
            case .fundTransferredOut(let e):
                movements.append(
                    Movement(
                        date: e.transferredOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference,
                        kind: .transferOut(to: e.toFundId)))
            case .fundTransferredIn(let e):
                movements.append(
                    Movement(date: e.transferredOn, amount: e.amountFen, reference: e.reference, kind: .transferIn(from: e.fromFundId)))
            default: break
            }
        }
        self.movements = movements
    }

    /// The fund's account as recorded now; nil when the ledger has no such fund.
    public static func read(_ id: FundId, ledger: Ledger) async throws -> FundAccountLedger? {
        let events = try await ledger.log.events(of: .fund(id))
        var states = AggregateStates()
        for event in events { states.apply(event, to: .fund(id)) }
        guard let fund = states.funds[id], fund.exists else { return nil }
        return FundAccountLedger(fund: fund, events: events)
    }
}
