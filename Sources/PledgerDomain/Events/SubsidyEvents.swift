import Foundation

// Subsidy programmes (Aggregates/SubsidyProgramme.swift): one stream per programme, holding
// its terms and every application, approval and payment, so its budget is decided on one tally.

/// What a programme pays a share of.
public enum SubsidyKind: String, Sendable, Hashable, ClosedSet {
    /// 贴息: a share of the interest a firm actually paid on its IP pledge loans in a year.
    case interest
    /// 评估费补贴: a share of the fee a firm paid for an IP valuation.
    case appraisalFee = "appraisal_fee"
}

/// A programme: `rate_bp` of what was paid, at most `cap_fen` per firm per year (interest)
/// or per valuation (appraisal fee), within `budget_fen`, for payments from `starts_on` to
/// `ends_on`.
public struct SubsidyProgrammeEstablished: EventPayload {
    public static let type = "SubsidyProgrammeEstablished"
    public var programmeId: SubsidyProgrammeId
    public var name: String
    public var kind: SubsidyKind
    public var rateBp: Bp
    public var capFen: Money
    public var budgetFen: Money
    public var startsOn: BusinessDate
    public var endsOn: BusinessDate

    public init(
        programmeId: SubsidyProgrammeId, name: String, kind: SubsidyKind, rateBp: Bp, capFen: Money, budgetFen: Money,
        startsOn: BusinessDate, endsOn: BusinessDate
    ) {
        self.programmeId = programmeId
        self.name = name
        self.kind = kind
        self.rateBp = rateBp
        self.capFen = capFen
        self.budgetFen = budgetFen
        self.startsOn = startsOn
        self.endsOn = endsOn
    }
}

/// A firm applies for its interest subsidy of one year, citing its loans. `interest_fen` is
/// the interest it paid on them that year (repayments not reversed, within the programme's
/// dates); `entitlement_fen` = min(interest × rate rounded down, cap) − what was approved
/// for the firm and year before.
public struct InterestSubsidyApplied: EventPayload {
    public static let type = "InterestSubsidyApplied"
    public var applicationNo: Int
    public var borrower: Uscc
    public var year: Int
    public var loans: [LoanKey]
    public var interestFen: Money
    public var entitlementFen: Money
    public var appliedOn: BusinessDate
}

/// A firm applies for its appraisal-fee subsidy of one valuation of its asset, stating the
/// fee and the invoice. `entitlement_fen` = min(fee × rate rounded down, cap) − what was
/// approved for the valuation before.
public struct AppraisalFeeSubsidyApplied: EventPayload {
    public static let type = "AppraisalFeeSubsidyApplied"
    public var applicationNo: Int
    public var borrower: Uscc
    public var assetId: AssetId
    public var valuationId: ValuationId
    public var feeFen: Money
    public var invoiceRef: String
    public var entitlementFen: Money
    public var appliedOn: BusinessDate
}

/// An application approved for `amount_fen` (at most its entitlement), committed against the budget.
public struct SubsidyApproved: EventPayload {
    public static let type = "SubsidyApproved"
    public var applicationNo: Int
    public var amountFen: Money
    public var approvedOn: BusinessDate
}

/// An application refused: nothing is committed.
public struct SubsidyRejected: EventPayload {
    public static let type = "SubsidyRejected"
    public var applicationNo: Int
    public var rejectedOn: BusinessDate
    public var reason: String
}

/// Money paid to the firm on an approved application (in one payment or several).
public struct SubsidyPaid: EventPayload {
    public static let type = "SubsidyPaid"
    public var applicationNo: Int
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var reference: String
}
