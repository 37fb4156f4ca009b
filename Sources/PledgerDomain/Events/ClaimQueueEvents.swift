/// A claim withdrawn by the bank or the fund's administrator: a filed claim, or the unpaid
/// remainder of an approved one. `amount_fen` is the part of the claim that will now never
/// be paid: the amount claimed for a filed claim, approved − paid for an approved one.
/// For an approved claim it is written with the fund's `CompensationReleased`.
public struct CompensationWithdrawn: EventPayload {
    public static let type = "CompensationWithdrawn"
    public var claimNo: Int
    public var withdrawnOn: BusinessDate
    public var reason: String
    public var amountFen: Money
}

/// The fund's side of a withdrawn approved claim: the unpaid remainder is no longer owed,
/// so what is committed to the borrower and the loan (the caps) goes down by it and the
/// claim leaves the payment queue.
public struct CompensationReleased: EventPayload {
    public static let type = "CompensationReleased"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var claimNo: Int
    public var amountFen: Money
    public var releasedOn: BusinessDate
}
