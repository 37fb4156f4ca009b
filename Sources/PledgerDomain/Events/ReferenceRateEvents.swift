/// The tenors of the Loan Prime Rate (贷款市场报价利率) the PBoC publishes monthly.
public enum LprTenor: String, Sendable, Hashable, ClosedSet {
    case oneYear = "1y"
    case fiveYears = "5y"
}

/// An LPR fixing, in force from `effective_on` until the next one of the same tenor.
/// Stream `reference-lpr`; funds that cap rates at LPR + N bp read it at enrolment.
public struct LprPublished: EventPayload {
    public static let type = "LprPublished"
    public var tenor: LprTenor
    public var rateBp: Bp
    public var effectiveOn: BusinessDate
}
