import Foundation

/// The rules a risk-compensation fund applies. Validated by `validated()`
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

    // Eligibility rules a policy may set (schema 3 of `FundEstablished`/`FundPolicyAmended`;
    // each absent — not set, and not encoded — unless the policy says so).

    /// Maximum principal per loan by the borrower's firm size. When set, a size it does not
    /// name is not eligible, and a borrower whose size is not recorded cannot be enrolled.
    public var maxPrincipalFenByFirmSize: FirmSizeCaps?
    /// Maximum cover granted to one borrower per calendar year (Σ principal of its loans
    /// enrolled that year, cancelled ones excepted).
    public var maxPrincipalPerFirmPerYearFen: Money?
    /// Maximum annual rate above the 1-year LPR in force on the origination date.
    public var maxRateOverLprBp: Bp?
    /// Only borrowers registered in the fund's region (its code with trailing "00" pairs
    /// stripped is a prefix of theirs: fund 211300 takes 2113xx). Encoded only when true.
    public var borrowerInRegion: Bool
    /// Maximum covered principal of one bank's loans.
    public var bankQuotaFen: Money?

    public init(
        coverageBp: Bp, perLoanCapFen: Money, perBorrowerCapFen: Money, maxLeverage: Int64, claimAfterOverdueDays: Int,
        nplSuspendBp: Bp, eligibleKinds: [AssetKind], maxTermMonths: Int, maxPledgeRateBp: Bp, maxValuationAgeMonths: Int = 12,
        maxPrincipalFenByFirmSize: FirmSizeCaps? = nil, maxPrincipalPerFirmPerYearFen: Money? = nil, maxRateOverLprBp: Bp? = nil,
        borrowerInRegion: Bool = false, bankQuotaFen: Money? = nil, recoveryReturnDays: Int? = nil
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
        self.maxPrincipalFenByFirmSize = maxPrincipalFenByFirmSize
        self.maxPrincipalPerFirmPerYearFen = maxPrincipalPerFirmPerYearFen
        self.maxRateOverLprBp = maxRateOverLprBp
        self.borrowerInRegion = borrowerInRegion
        self.bankQuotaFen = bankQuotaFen
        self.recoveryReturnDays = recoveryReturnDays
    }

    enum CodingKeys: String, CodingKey {
        case coverageBp, perLoanCapFen, perBorrowerCapFen, maxLeverage, claimAfterOverdueDays, nplSuspendBp
        case eligibleKinds, maxTermMonths, maxPledgeRateBp, maxValuationAgeMonths
        case maxPrincipalFenByFirmSize, maxPrincipalPerFirmPerYearFen, maxRateOverLprBp, borrowerInRegion, bankQuotaFen
        case recoveryReturnDays
    }

    /// `max_valuation_age_months` may be omitted in requests (default 12); stored events
    /// always carry it (schema 2, or upcast from schema 1).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            coverageBp: try c.decode(Bp.self, forKey: .coverageBp), perLoanCapFen: try c.decode(Money.self, forKey: .perLoanCapFen),
            perBorrowerCapFen: try c.decode(Money.self, forKey: .perBorrowerCapFen),
            maxLeverage: try c.decode(Int64.self, forKey: .maxLeverage),
            claimAfterOverdueDays: try c.decode(Int.self, forKey: .claimAfterOverdueDays),
            nplSuspendBp: try c.decode(Bp.self, forKey: .nplSuspendBp),
            eligibleKinds: try c.decode([AssetKind].self, forKey: .eligibleKinds),
            maxTermMonths: try c.decode(Int.self, forKey: .maxTermMonths),
            maxPledgeRateBp: try c.decode(Bp.self, forKey: .maxPledgeRateBp),
            maxValuationAgeMonths: try c.decodeIfPresent(Int.self, forKey: .maxValuationAgeMonths) ?? 12,
            maxPrincipalFenByFirmSize: try c.decodeIfPresent(FirmSizeCaps.self, forKey: .maxPrincipalFenByFirmSize),
            maxPrincipalPerFirmPerYearFen: try c.decodeIfPresent(Money.self, forKey: .maxPrincipalPerFirmPerYearFen),
            maxRateOverLprBp: try c.decodeIfPresent(Bp.self, forKey: .maxRateOverLprBp),
            borrowerInRegion: try c.decodeIfPresent(Bool.self, forKey: .borrowerInRegion) ?? false,
            bankQuotaFen: try c.decodeIfPresent(Money.self, forKey: .bankQuotaFen),
            recoveryReturnDays: try c.decodeIfPresent(Int.self, forKey: .recoveryReturnDays))
    }

    /// Rules that are not set are not encoded, so a policy without them has exactly the JSON
    /// it had before they existed (events already stored re-encode byte for byte).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(coverageBp, forKey: .coverageBp)
        try c.encode(perLoanCapFen, forKey: .perLoanCapFen)
        try c.encode(perBorrowerCapFen, forKey: .perBorrowerCapFen)
        try c.encode(maxLeverage, forKey: .maxLeverage)
        try c.encode(claimAfterOverdueDays, forKey: .claimAfterOverdueDays)
        try c.encode(nplSuspendBp, forKey: .nplSuspendBp)
        try c.encode(eligibleKinds, forKey: .eligibleKinds)
        try c.encode(maxTermMonths, forKey: .maxTermMonths)
        try c.encode(maxPledgeRateBp, forKey: .maxPledgeRateBp)
        try c.encode(maxValuationAgeMonths, forKey: .maxValuationAgeMonths)
        try c.encodeIfPresent(maxPrincipalFenByFirmSize, forKey: .maxPrincipalFenByFirmSize)
        try c.encodeIfPresent(maxPrincipalPerFirmPerYearFen, forKey: .maxPrincipalPerFirmPerYearFen)
        try c.encodeIfPresent(maxRateOverLprBp, forKey: .maxRateOverLprBp)
        if borrowerInRegion { try c.encode(true, forKey: .borrowerInRegion) }
        try c.encodeIfPresent(bankQuotaFen, forKey: .bankQuotaFen)
        try c.encodeIfPresent(recoveryReturnDays, forKey: .recoveryReturnDays)
    }

    /// Days to return a recovery share when the policy does not say: 30.
    public static let defaultRecoveryReturnDays = 30

    /// `recovery_return_days`, or the default of 30 when the policy does not set it.
    public var effectiveRecoveryReturnDays: Int { recoveryReturnDays ?? Self.defaultRecoveryReturnDays }

    /// Throws naming the first field that is not sane.
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
        if let caps = maxPrincipalFenByFirmSize {
            try check(
                !caps.named.isEmpty, "max_principal_fen_by_firm_size",
                "name the cap of at least one firm size (micro, small, medium, large)")
            for (size, cap) in caps.named {
                try check(
                    cap.isPositive, "max_principal_fen_by_firm_size.\(size.rawValue)", "the cap for \(size.rawValue) firms must be positive"
                )
                try Rules.atMostMaximum(cap, field: "policy.max_principal_fen_by_firm_size.\(size.rawValue)")
            }
        }
        if let cap = maxPrincipalPerFirmPerYearFen {
            try check(cap.isPositive, "max_principal_per_firm_per_year_fen", "the cap per firm per year must be positive")
            try Rules.atMostMaximum(cap, field: "policy.max_principal_per_firm_per_year_fen")
        }
        if let spread = maxRateOverLprBp {
            try check((0...10_000).contains(spread.value), "max_rate_over_lpr_bp", "the spread over the LPR must be 0–10000 bp")
        }
        if let quota = bankQuotaFen {
            try check(quota.isPositive, "bank_quota_fen", "the per-bank quota must be positive")
            try Rules.atMostMaximum(quota, field: "policy.bank_quota_fen")
        }
        try check(
            recoveryReturnDays.map { (1...3650).contains($0) } ?? true, "recovery_return_days",
            "the time to return a recovery share must be 1–3650 days")
        return self
    }
}

/// Per-loan principal caps by firm size: `{"micro": …, "small": …, "medium": …}`. Sizes not
/// named are absent (and not encoded) — and not eligible.
public struct FirmSizeCaps: Sendable, Hashable, Codable {
    public var micro: Money?
    public var small: Money?
    public var medium: Money?
    public var large: Money?

    public init(micro: Money? = nil, small: Money? = nil, medium: Money? = nil, large: Money? = nil) {
        self.micro = micro
        self.small = small
        self.medium = medium
        self.large = large
    }

    public subscript(size: FirmSize) -> Money? {
        switch size {
        case .micro: micro
        case .small: small
        case .medium: medium
        case .large: large
        }
    }

    /// The sizes with a cap, smallest first.
    public var named: [(size: FirmSize, cap: Money)] {
        FirmSize.allCases.compactMap { size in self[size].map { (size, $0) } }
    }
}

/// Which loans an amendment's terms (coverage, caps, waiting period) reach.
public enum PolicyScope: String, Sendable, Hashable, ClosedSet {
    /// Loans enrolled on or after the effective date; a loan enrolled earlier keeps the
    /// terms it was enrolled on. What an amendment means unless it says otherwise.
    case newEnrolments = "new_enrolments"
    /// Every loan from the effective date, those enrolled earlier included.
    case allLoans = "all_loans"
}

public struct FundEstablished: EventPayload {
    public static let type = "FundEstablished"
    /// Schema 3: the policy may carry the optional eligibility rules (`bank_quota_fen`…). A
    /// schema-2 policy has none of them, and reads the same; the bump keeps a build that
    /// does not know those rules from loading a policy that has them and ignoring them.
    public static let schema: Int32 = 3
    public var fundId: FundId
    public var name: String
    public var region: RegionCode
    public var policy: FundPolicy
    public var establishedOn: BusinessDate
}

/// A new policy, in force from `effective_on` for the loans `applies_to` names.
///
/// Schema 3 added `applies_to` (and the optional eligibility rules of the policy). Before
/// it, an amendment applied to every loan from its effective date — that is how schema-2
/// amendments were decided and what they still mean: they are read as `all_loans`, so that
/// history keeps the meaning it was decided with. New amendments default to
/// `new_enrolments`.
public struct FundPolicyAmended: EventPayload {
    public static let type = "FundPolicyAmended"
    public static let schema: Int32 = 3
    public var policy: FundPolicy
    public var effectiveOn: BusinessDate
    public var reason: String
    public var appliesTo: PolicyScope
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
