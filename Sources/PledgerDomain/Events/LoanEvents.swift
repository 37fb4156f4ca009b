/// One pledged asset as the loan recorded it at origination.
public struct Collateral: Sendable, Hashable, Codable {
    public var assetId: AssetId
    public var kind: AssetKind
    public var valuationId: ValuationId
    public var appraisedValueFen: Money
    public var registrationNo: String
}

public struct LoanOriginated: EventPayload {
    public static let type = "LoanOriginated"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var principalFen: Money
    public var rateBp: Bp
    public var originatedOn: BusinessDate
    public var maturesOn: BusinessDate
    public var collateral: [Collateral]
    /// Principal ÷ Σ appraised value, rounded up (the conservative direction).
    public var pledgeRateBp: Bp
    public var fundId: FundId?
}

public struct RepaymentReceived: EventPayload {
    public static let type = "RepaymentReceived"
    public var principalFen: Money
    public var interestFen: Money
    public var paidOn: BusinessDate
}

public struct LoanDefaulted: EventPayload {
    public static let type = "LoanDefaulted"
    /// Schema 2 added `missed_due_on`; a schema-1 event is read with missed_due_on =
    /// defaulted_on − days_overdue, which is what its days overdue meant.
    public static let schema: Int32 = 2
    public var defaultedOn: BusinessDate
    /// The due date the borrower missed (an instalment or the maturity): after origination,
    /// on or before maturity, before the default. The waiting period for claims runs from it.
    public var missedDueOn: BusinessDate
    /// defaulted_on − missed_due_on (derived; kept for readers of schema 1).
    public var daysOverdue: Int
    public var outstandingFen: Money
    public var classification: LoanClassification
}

public struct CompensationClaimed: EventPayload {
    public static let type = "CompensationClaimed"
    public var claimNo: Int
    public var amountFen: Money
    public var claimedOn: BusinessDate
    /// The most the claim could have been: min(coverage × outstanding at default, per-loan cap, borrower cap left).
    public var limitFen: Money
}

public struct CompensationApproved: EventPayload {
    public static let type = "CompensationApproved"
    public var claimNo: Int
    public var amountFen: Money
    public var approvedOn: BusinessDate
}

public struct CompensationRejected: EventPayload {
    public static let type = "CompensationRejected"
    public var claimNo: Int
    public var rejectedOn: BusinessDate
    public var reason: String
}

/// One payment on an approved claim. Schema 2 added `remaining_fen`, what is still unpaid
/// of the approved amount after this payment: a fund pays up to its balance and queues the
/// rest, so a claim may be paid in parts. Schema-1 payments were always the whole approved
/// amount (the decider refused anything else), so they are upcast with `remaining_fen` 0.
public struct CompensationPaid: EventPayload {
    public static let type = "CompensationPaid"
    public static let schema: Int32 = 2
    public var claimNo: Int
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var paymentRef: String
    public var remainingFen: Money
}

public struct RecoveryReceived: EventPayload {
    public static let type = "RecoveryReceived"
    public var recoveryNo: Int
    public var amountFen: Money
    public var receivedOn: BusinessDate
    public var source: String
}

public struct RecoveryReturnedToFund: EventPayload {
    public static let type = "RecoveryReturnedToFund"
    public var recoveryNo: Int
    /// recovery × paid ÷ loss, rounded up (in the fund's favour), never more than was paid in total.
    public var amountFen: Money
    public var returnedOn: BusinessDate
    public var reference: String
}

public struct LoanWrittenOff: EventPayload {
    public static let type = "LoanWrittenOff"
    public var writtenOffOn: BusinessDate
    public var amountFen: Money
    public var reason: String
}

public struct LoanClosed: EventPayload {
    public static let type = "LoanClosed"
    public var closedOn: BusinessDate
}

public struct LoanCancelled: EventPayload {
    public static let type = "LoanCancelled"
    public var cancelledOn: BusinessDate
    public var reason: String
}

extension LoanOriginated {
    public var key: LoanKey { LoanKey(bank: bankId, contract: contractNo) }
}
