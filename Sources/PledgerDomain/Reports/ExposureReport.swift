/// What a fund holds and what it may owe, on a date: balance, covered
/// outstanding principal, contingent liability, pending claims, leverage, coverage
/// adequacy and the non-performing ratio against the suspension threshold — in total,
/// by bank and for the largest borrowers.
public struct ExposureReport: Sendable, Hashable {
    public struct Breakdown: Sendable, Hashable {
        public var key: String
        public var loans: Int
        public var coveredOutstandingFen: Money
        public var contingentLiabilityFen: Money
        public var nonPerformingFen: Money
        public var pendingClaimsFen: Money
        /// Recovery shares the loans' banks have not returned to the fund yet.
        public var owedToFundFen: Money

        public init(
            key: String, loans: Int, coveredOutstandingFen: Money, contingentLiabilityFen: Money, nonPerformingFen: Money,
            pendingClaimsFen: Money, owedToFundFen: Money
        ) {
            self.key = key
            self.loans = loans
            self.coveredOutstandingFen = coveredOutstandingFen
            self.contingentLiabilityFen = contingentLiabilityFen
            self.nonPerformingFen = nonPerformingFen
            self.pendingClaimsFen = pendingClaimsFen
            self.owedToFundFen = owedToFundFen
        }
    }

    public var fundId: FundId
    public var fundName: String
    public var asOf: BusinessDate
    public var contributionsByContributor: [Contributor: Money]
    public var contributedFen: Money
    public var paidOutFen: Money
    public var recoveriesReturnedFen: Money
    public var balanceFen: Money
    /// The account's other movements up to `asOf`: interest credited, bank charges, money
    /// returned to contributors, transfers in and out (`FundState.account(through:)`).
    public var interestFen: Money
    public var bankChargesFen: Money
    public var contributionsReturnedFen: Money
    public var transfersInFen: Money
    public var transfersOutFen: Money
    /// Pledge-insurance premiums subsidised for insured firms.
    public var premiumSubsidiesFen: Money
    /// Σ over the fund's loans of the recovery shares owed to it and not returned yet.
    public var owedToFundFen: Money
    public var coveredLoans: Int
    public var coveredOutstandingFen: Money
    /// Σ min(coverage × outstanding, per-loan cap) over covered loans without a claim, each
    /// borrower's total capped by what is left of its per-borrower cap. Rounded down per loan.
    /// Each loan on its own terms (`FundState.terms(forLoanEnrolledOn:asOf:)`); a borrower
    /// whose loans have different terms is capped by the largest of their per-borrower caps
    /// (no claim can take the borrower past it, and the report does not understate).
    public var contingentLiabilityFen: Money
    /// Claims filed (amount claimed) and approved but unpaid (amount approved).
    public var pendingClaimsFen: Money
    public var pendingFiled: Int
    public var pendingApproved: Int
    /// Covered outstanding ÷ balance, in bp (10000 = 1×); nil when the balance is not positive
    /// or the ratio is beyond what a `Bp` carries (then it is breached).
    public var leverageBp: Bp?
    public var maxLeverageBp: Bp
    public var leverageBreached: Bool
    /// Balance ÷ (contingent liability + pending claims), in bp; nil when nothing is owed, or
    /// when the ratio is beyond what a `Bp` carries.
    public var coverageAdequacyBp: Bp?
    public var nonPerformingFen: Money
    /// Non-performing outstanding ÷ covered outstanding, in bp, rounded up (the cautious side).
    public var nonPerformingRatioBp: Bp?
    public var suspendThresholdBp: Bp
    /// True when the ratio exceeds the fund's suspension threshold: new enrolments should stop.
    public var suspensionBreached: Bool
    public var suspended: Bool
    public var byBank: [Breakdown]
    public var topBorrowers: [Breakdown]
    /// The fund's part in the risk-sharing schemes that name it, beside its own cover: per
    /// scheme, its contingent share of the performing loans (were they to default now), its
    /// shares due, paid and still owed on shared losses, and what came back (`RiskSharingReport`).
    public var schemeShares: [RiskSharingReport.SchemeShare] = []
    public var schemeContingentFen: Money { schemeShares.reduce(.zero) { $0.adding(saturating: $1.row.contingentFen) } }
    public var schemeOwedFen: Money { schemeShares.reduce(.zero) { $0.adding(saturating: $1.row.owedFen) } }

    // The figures enrolment is decided on, from the fund stream (definitions: `CoverBook`).

    /// Σ principal of enrolled loans not closed or cancelled.
    public var coveredPrincipalFen: Money
    /// Σ outstanding at default of enrolled loans that defaulted and are not closed
    /// (compensated and written-off ones included).
    public var coverNonPerformingFen: Money
    /// coverNonPerformingFen ÷ coveredPrincipalFen in bp, rounded up; nil when nothing is covered.
    public var coverNplRatioBp: Bp?
    /// Balance × max leverage − covered principal (not below zero): what more may be enrolled.
    public var enrolmentHeadroomFen: Money
    /// Banks whose new enrolments are suspended.
    public var suspendedBanks: [BankId]

    /// Every total is checked against `Money.maximum`: one that passes it (possible only
    /// with loans or contributions the deciders now refuse) is a `.limitExceeded` naming the
    /// report's field, never a trap.
    public static func compute(fund: FundState, loans: [LoanSnapshot], asOf: BusinessDate, topBorrowers: Int = 10) throws -> ExposureReport
    {
        guard let id = fund.id, fund.policy(on: asOf) != nil else {
            throw DomainError(.notFound, field: "fund_id", "no such fund")
        }
        let enrolled = loans.filter { $0.fundId == id && $0.status != .cancelled }
        let parts = try Dictionary(grouping: enrolled, by: \.borrower).sorted { $0.key < $1.key }.compactMap {
            try BorrowerPart.compute($0.key, loans: $0.value, fund: fund, asOf: asOf)
        }
        return try compute(fund: fund, loans: try LoanFigures(parts, topBorrowers: topBorrowers), asOf: asOf)
    }

    /// The report from the loans' figures already summed (the read side's `rm_exposure`).
    public static func compute(fund: FundState, loans figures: LoanFigures, asOf: BusinessDate) throws -> ExposureReport {
        guard let id = fund.id, let policy = fund.policy(on: asOf) else {
            throw DomainError(.notFound, field: "fund_id", "no such fund")
        }
        let counted = fund.contributions.filter { !fund.reversed.contains($0.key) && $0.value.receivedOn <= asOf }.map(\.value)
        var contributions: [Contributor: Money] = [:]
        for contributor in Contributor.allCases {
            let amounts = counted.filter { $0.contributor == contributor }.map(\.amountFen)
            guard !amounts.isEmpty else { continue }
            contributions[contributor] = try Money.total(
                amounts, of: "the \(contributor.rawValue) contributions to fund \(id)", field: "contributions_fen")
        }
        let contributed = try Money.total(contributions.values, of: "the contributions to fund \(id)", field: "contributed_fen")
        let (_, paidOut, returned) = fund.totals(through: asOf)
        let balance = fund.balance(on: asOf)
        let account = fund.account(through: asOf)
        let total = figures.total
        let (contingent, pending, coveredOutstanding) = (total.contingentLiabilityFen, total.pendingClaimsFen, total.coveredOutstandingFen)
        let (nonPerforming, owedToFund) = (total.nonPerformingFen, total.owedToFundFen)

        let leverage = balance.isPositive ? Bp.ratio(coveredOutstanding, balance, rounding: .up) : nil
        // Policies are validated to 1–100×; the clamp only keeps a corrupt one from trapping.
        let maxLeverage = Bp(min(max(policy.maxLeverage, 0), 100) * 10_000)
        let owed = try contingent + pending
        let ratio = Bp.ratio(nonPerforming, coveredOutstanding, rounding: .up)
        return ExposureReport(
            fundId: id, fundName: fund.name, asOf: asOf, contributionsByContributor: contributions, contributedFen: contributed,
            paidOutFen: paidOut, recoveriesReturnedFen: returned, balanceFen: balance,
            interestFen: account.interestFen, bankChargesFen: account.bankChargesFen,
            contributionsReturnedFen: account.contributionsReturnedFen,
            transfersInFen: account.transfersInFen, transfersOutFen: account.transfersOutFen,
            premiumSubsidiesFen: account.premiumSubsidiesFen, owedToFundFen: owedToFund,
            coveredLoans: total.loans,
            coveredOutstandingFen: coveredOutstanding, contingentLiabilityFen: contingent, pendingClaimsFen: pending,
            pendingFiled: figures.pendingFiled, pendingApproved: figures.pendingApproved,
            leverageBp: leverage, maxLeverageBp: maxLeverage,
            leverageBreached: balance.isPositive ? leverage.map { $0 > maxLeverage } ?? true : coveredOutstanding.isPositive,
            coverageAdequacyBp: owed.isPositive ? Bp.ratio(balance, owed, rounding: .down) : nil,
            nonPerformingFen: nonPerforming, nonPerformingRatioBp: ratio, suspendThresholdBp: policy.nplSuspendBp,
            // The ratio the fund enforces (defaulted cover, compensated included) decides; a log
            // older than cover events falls back to the outstanding-based ratio.
            suspensionBreached: ((fund.cover.total.coveredPrincipal.isPositive ? fund.cover.total.nplRatio : ratio) ?? .zero)
                > policy.nplSuspendBp,
            suspended: fund.isSuspended(on: asOf),
            byBank: figures.byBank, topBorrowers: figures.topBorrowers,
            coveredPrincipalFen: fund.cover.total.coveredPrincipal, coverNonPerformingFen: fund.cover.total.nonPerforming,
            coverNplRatioBp: fund.cover.total.nplRatio,
            enrolmentHeadroomFen: max(.zero, fund.coverLimit(on: asOf).subtracting(saturating: fund.cover.total.coveredPrincipal)),
            suspendedBanks: fund.cover.bankSuspensions.keys.filter { fund.isBankSuspended($0, on: asOf) }.sorted())
    }
}
