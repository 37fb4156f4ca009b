/// Movements of the fund's bank account that are not contributions, payouts or recovery
/// shares, so that the ledger can hold every line of a real account statement: interest
/// the bank credits (结息), its charges, money returned to a contributor, and transfers
/// between funds. Each is a dated money flow of the fund (`FundState.MoneyFlow`).

/// Interest the bank credited to the fund's account.
public struct FundInterestCredited: EventPayload {
    public static let type = "FundInterestCredited"
    public var amountFen: Money
    public var creditedOn: BusinessDate
    public var reference: String
}

/// A charge the bank took from the fund's account (account fees, transfer fees…).
public struct FundBankCharged: EventPayload {
    public static let type = "FundBankCharged"
    public var amountFen: Money
    public var chargedOn: BusinessDate
    public var reference: String
    public var description: String
}

/// Money paid back to a contributor (a level of government withdrawing part of what it
/// put in). Never more than that contributor's net contributions, never taking the balance
/// below zero on any day.
public struct FundContributionReturned: EventPayload {
    public static let type = "FundContributionReturned"
    public var amountFen: Money
    public var contributor: Contributor
    public var returnedOn: BusinessDate
    public var reference: String
    public var reason: String
}

/// The source side of a transfer between funds; written together with the destination's
/// `FundTransferredIn`, atomically.
public struct FundTransferredOut: EventPayload {
    public static let type = "FundTransferredOut"
    public var toFundId: FundId
    public var amountFen: Money
    public var transferredOn: BusinessDate
    public var reference: String
}

/// The destination side of a transfer between funds.
public struct FundTransferredIn: EventPayload {
    public static let type = "FundTransferredIn"
    public var fromFundId: FundId
    public var amountFen: Money
    public var transferredOn: BusinessDate
    public var reference: String
}
