import Foundation

/// The rules a risk-compensation fund applies (DESIGN §4). Validated by `validated()`
/// whenever a command sets it.
public struct FundPolicy: Sendable, Hashable, Codable {
    /// Share of the principal loss the fund bears.
    public var coverageBp: Bp
    public var perLoanCapFen: Money
    public var perBorrowerCapFen: Money
    /// Maximum covered outstanding principal ÷ fund balance, in times.
    public var maxLeverage: Int64
    /// Days overdue before a claim may be filed.
    public var claimAfterOverdueDays: Int
    /// Non-performing ratio above which the fund suspends new enrolments.
    public var nplSuspendBp: Bp
    public var eligibleKinds: [AssetKind]
    public var maxTermMonths: Int
    /// Maximum principal ÷ appraised value of the collateral.
    public var maxPledgeRateBp: Bp
    /// Oldest valuation accepted at origination (schema 2; schema-1 events are upcast to 12).
    public var maxValuationAgeMonths: Int
    /// Days a bank has to return the fund's share of a recovery before it is overdue
    /// (schema 3; absent — in older events and when not set — means
    /// `FundPolicy.defaultRecoveryReturnDays`, 30). Written only when set.
    public var recoveryReturnDays: Int?

    public init(
        coverageBp: Bp, perLoanCapFen: Money, perBorrowerCapFen: Money, maxLeverage: Int64, claimAfterOverdueDays: Int,
        nplSuspendBp: Bp, eligibleKinds: [AssetKind], maxTermMonths: Int, maxPledgeRateBp: Bp, maxValuationAgeMonths: Int = 12,
        recoveryReturnDays: Int? = nil
    ) {
        self.coverageBp = coverageBp
        self.perLoanCapFen = perLoanCapFen
        self.perBorrowerCapFen = perBorrowerCapFen
        self.maxLeverage = maxLeverage
        self.claimAfterOverdueDays = claimAfterOverdueDays
        self.nplSuspendBp = nplSuspendBp
        self.eligibleKinds = eligibleKinds
        self.maxTermMonths = maxTermMonths
        self.maxPledgeRateBp = maxPledgeRateBp
        self.maxValuationAgeMonths = maxValuationAgeMonths
        self.recoveryReturnDays = recoveryReturnDays
    }

    enum CodingKeys: String, CodingKey {
        case coverageBp, perLoanCapFen, perBorrowerCapFen, maxLeverage, claimAfterOverdueDays, nplSuspendBp
        case eligibleKinds, maxTermMonths, maxPledgeRateBp, maxValuationAgeMonths, recoveryReturnDays
    }

    /// `max_valuation_age_months` may be omitted in requests (default 12); stored events
    /// always carry it (schema 2, or upcast from schema 1).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            coverageBp: try c.decode(Bp.self, forKey: .coverageBp), perLoanCapFen: try c.decode(Money.self, forKey: .perLoanCapFen),
            perBorrowerCapFen: try c.decode(Money.self, forKey: .perBorrowerCapFen), maxLeverage: try c.decode(Int64.self, forKey: .maxLeverage),
            claimAfterOverdueDays: try c.decode(Int.self, forKey: .claimAfterOverdueDays), nplSuspendBp: try c.decode(Bp.self, forKey: .nplSuspendBp),
            eligibleKinds: try c.decode([AssetKind].self, forKey: .eligibleKinds), maxTermMonths: try c.decode(Int.self, forKey: .maxTermMonths),
            maxPledgeRateBp: try c.decode(Bp.self, forKey: .maxPledgeRateBp),
            maxValuationAgeMonths: try c.decodeIfPresent(Int.self, forKey: .maxValuationAgeMonths) ?? 12,
            recoveryReturnDays: try c.decodeIfPresent(Int.self, forKey: .recoveryReturnDays))
    }

    /// Throws naming the first field that is not sane.
    /// Days to return a recovery share when the policy does not say: 30.
    public static let defaultRecoveryReturnDays = 30

    /// `recovery_return_days`, or the default of 30 when the policy does not set it.
    public var effectiveRecoveryReturnDays: Int { recoveryReturnDays ?? Self.defaultRecoveryReturnDays }

    public func validated() throws -> FundPolicy {
        func check(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw DomainError.invalid("policy.\(field)", message) }
        }
        try check((0...10_000).contains(coverageBp.value), "coverage_bp", "coverage must be 0–10000 bp (0–100%)")
        try check(perLoanCapFen.isPositive, "per_loan_cap_fen", "the per-loan cap must be positive")
        try Rules.atMostMaximum(perLoanCapFen, field: "policy.per_loan_cap_fen")
        try check(perBorrowerCapFen.isPositive, "per_borrower_cap_fen", "the per-borrower cap must be positive")
        try Rules.atMostMaximum(perBorrowerCapFen, field: "policy.per_borrower_cap_fen")
        try check(maxLeverage >= 1 && maxLeverage <= 100, "max_leverage", "leverage must be 1–100 times the fund balance")
        try check((0...3650).contains(claimAfterOverdueDays), "claim_after_overdue_days", "the waiting period must be 0–3650 days")
        try check((0...10_000).contains(nplSuspendBp.value), "npl_suspend_bp", "the suspension threshold must be 0–10000 bp")
        try check(!eligibleKinds.isEmpty, "eligible_kinds", "at least one asset kind must be eligible")
        try check(Set(eligibleKinds).count == eligibleKinds.count, "eligible_kinds", "an asset kind is listed twice")
        try check((1...600).contains(maxTermMonths), "max_term_months", "the maximum term must be 1–600 months")
        try check((1...100_000).contains(maxPledgeRateBp.value), "max_pledge_rate_bp", "the maximum pledge rate must be 1–100000 bp")
        try check((1...120).contains(maxValuationAgeMonths), "max_valuation_age_months", "valuations may be 1–120 months old")
        try check(recoveryReturnDays.map { (1...3650).contains($0) } ?? true, "recovery_return_days", "the time to return a recovery share must be 1–3650 days")
        return self
    }
}

public struct FundEstablished: EventPayload {
    public static let type = "FundEstablished"
    public static let schema: Int32 = 3
    public var fundId: FundId
    public var name: String
    public var region: RegionCode
    public var policy: FundPolicy
    public var establishedOn: BusinessDate
}

public struct FundPolicyAmended: EventPayload {
    public static let type = "FundPolicyAmended"
    public static let schema: Int32 = 3
    public var policy: FundPolicy
    public var effectiveOn: BusinessDate
    public var reason: String
}

public struct FundContributionReceived: EventPayload {
    public static let type = "FundContributionReceived"
    public var amountFen: Money
    public var contributor: Contributor
    public var receivedOn: BusinessDate
    public var reference: String
}

public struct BankJoined: EventPayload {
    public static let type = "BankJoined"
    public var bankId: BankId
    public var agreement: String
    public var effectiveOn: BusinessDate
}

public struct FundSuspended: EventPayload {
    public static let type = "FundSuspended"
    public var suspendedOn: BusinessDate
    public var reason: String
}

public struct FundResumed: EventPayload {
    public static let type = "FundResumed"
    public var resumedOn: BusinessDate
    public var reason: String
}

/// The fund's side of an approved claim: it now owes `amount` for this loan. Written
/// together with the loan's `CompensationApproved`, so per-borrower caps are enforced
/// against one consistent tally on the fund stream.
public struct CompensationCommitted: EventPayload {
    public static let type = "CompensationCommitted"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var claimNo: Int
    public var amountFen: Money
    public var approvedOn: BusinessDate
}

/// The fund's side of a payout: money left the fund account. Written with the loan's
/// `CompensationPaid`; the fund balance can never go below zero because of it.
public struct CompensationDisbursed: EventPayload {
    public static let type = "CompensationDisbursed"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var claimNo: Int
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var paymentRef: String
}

/// The fund's side of a recovery share returned by a bank. Written with the loan's
/// `RecoveryReturnedToFund`.
public struct RecoveryShareReceived: EventPayload {
    public static let type = "RecoveryShareReceived"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var recoveryNo: Int
    public var amountFen: Money
    public var returnedOn: BusinessDate
    public var reference: String
}

/// A reversible entry (repayment, recovery, contribution) taken back. The reversed event
/// stays in the log; projections honour the reversal.
public struct EntryReversed: EventPayload {
    public static let type = "EntryReversed"
    public var reversedEventId: UUID
    public var reversedType: String
    public var reversedOn: BusinessDate
    public var reason: String
}
