/// The fund's own record of the cover it grants (see `CoverBook` for what is derived from
/// these): written to the fund stream in the same atomic append as the loan event that
/// causes it, so that enrolment limits are decided on one consistent tally, under the fund
/// stream's expected version.

/// A loan was enrolled with the fund: written with its `LoanOriginated`.
public struct CoverGranted: EventPayload {
    public static let type = "CoverGranted"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var principalFen: Money
    public var enrolledOn: BusinessDate
}

/// An enrolled loan defaulted: written with its `LoanDefaulted`.
public struct CoverDefaulted: EventPayload {
    public static let type = "CoverDefaulted"
    public var bankId: BankId
    public var contractNo: ContractNo
    /// The loan's outstanding principal at default (as in `LoanDefaulted`).
    public var outstandingFen: Money
    public var defaultedOn: BusinessDate
}

/// Why a loan's cover ended.
public enum CoverReleaseCause: String, Sendable, Hashable, ClosedSet {
    /// The loan was closed (repaid, or written off and closed).
    case closed
    /// The loan was cancelled as entered in error: its cover never was.
    case cancelled
}

/// An enrolled loan left the books: written with its `LoanClosed` or `LoanCancelled`.
public struct CoverReleased: EventPayload {
    public static let type = "CoverReleased"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var releasedOn: BusinessDate
    public var cause: CoverReleaseCause
}

/// New enrolments through one bank stop: written automatically with the default that took
/// the bank's non-performing ratio above the fund's threshold, or by an administrator.
public struct BankEnrolmentSuspended: EventPayload {
    public static let type = "BankEnrolmentSuspended"
    public var bankId: BankId
    public var suspendedOn: BusinessDate
    public var reason: String
}

/// An administrator lets one bank enrol loans again.
public struct BankEnrolmentResumed: EventPayload {
    public static let type = "BankEnrolmentResumed"
    public var bankId: BankId
    public var resumedOn: BusinessDate
    public var reason: String
}
