/// What a fund holds and what it may owe, on a date (DESIGN §5): balance, covered
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
    }

    public var fundId: FundId
    public var fundName: String
    public var asOf: BusinessDate
    public var contributionsByContributor: [Contributor: Money]
    public var contributedFen: Money
    public var paidOutFen: Money
    public var recoveriesReturnedFen: Money
    public var balanceFen: Money
    public var coveredLoans: Int
    public var coveredOutstandingFen: Money
    /// Σ min(coverage × outstanding, per-loan cap) over covered loans without a claim, each
    /// borrower's total capped by what is left of its per-borrower cap. Rounded down per loan.
    public var contingentLiabilityFen: Money
    /// Claims filed (amount claimed) and approved but unpaid (amount approved).
    public var pendingClaimsFen: Money
    public var pendingFiled: Int
    public var pendingApproved: Int
    /// Covered outstanding ÷ balance, in bp (10000 = 1×); nil when the balance is not positive.
    public var leverageBp: Bp?
    public var maxLeverageBp: Bp
    public var leverageBreached: Bool
    /// Balance ÷ (contingent liability + pending claims), in bp; nil when nothing is owed.
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

    public static func compute(fund: FundState, loans: [LoanSnapshot], asOf: BusinessDate, topBorrowers: Int = 10) throws -> ExposureReport {
        guard let id = fund.id, let policy = fund.policy(on: asOf) else {
            throw DomainError(.notFound, field: "fund_id", "no such fund")
        }
        var contributions: [Contributor: Money] = [:]
        for (eventId, contribution) in fund.contributions where !fund.reversed.contains(eventId) && contribution.receivedOn <= asOf {
            contributions[contribution.contributor] = try (contributions[contribution.contributor] ?? .zero) + contribution.amountFen
        }
        let (_, paidOut, returned) = fund.totals(through: asOf)
        let contributed = Money(fen: contributions.values.reduce(0) { $0 + $1.fen })
        let balance = fund.balance(on: asOf)

        let enrolled = loans.filter { $0.fundId == id && $0.status != .cancelled }
        let covered = enrolled.filter(\.isCovered)
        // Per-loan liability for loans with no claim in progress.
        var liabilityByBorrower: [Uscc: Money] = [:]
        var liabilityByLoan: [LoanKey: Money] = [:]
        for loan in covered where !loan.pendingClaimFen.isPositive {
            let amount = min(try loan.outstandingFen.applying(policy.coverageBp, rounding: .down), policy.perLoanCapFen)
            liabilityByLoan[loan.key] = amount
            liabilityByBorrower[loan.borrower] = try (liabilityByBorrower[loan.borrower] ?? .zero) + amount
        }
        // Per-borrower cap: what is left after compensation already committed and pending claims.
        var cappedByBorrower: [Uscc: Money] = [:]
        for (borrower, amount) in liabilityByBorrower {
            let pending = enrolled.filter { $0.borrower == borrower }.reduce(Int64(0)) { $0 + $1.pendingClaimFen.fen }
            let committed = fund.committedByBorrower[borrower]?.fen ?? 0
            let left = max(0, policy.perBorrowerCapFen.fen - committed - pending)
            cappedByBorrower[borrower] = Money(fen: min(amount.fen, left))
        }
        let contingent = Money(fen: cappedByBorrower.values.reduce(0) { $0 + $1.fen })
        let pending = Money(fen: enrolled.reduce(0) { $0 + $1.pendingClaimFen.fen })
        let coveredOutstanding = Money(fen: covered.reduce(0) { $0 + $1.outstandingFen.fen })
        let nonPerforming = Money(fen: covered.filter(\.isNonPerforming).reduce(0) { $0 + $1.outstandingFen.fen })

        // Borrower caps scale each loan's liability down proportionally for the breakdowns
        // (rounded down), so that breakdowns never exceed the capped total.
        func loanLiability(_ loan: LoanSnapshot) -> Money {
            guard let raw = liabilityByLoan[loan.key], let total = liabilityByBorrower[loan.borrower], total.isPositive else { return .zero }
            return (try? raw.scaled(by: cappedByBorrower[loan.borrower]!.fen, over: total.fen, rounding: .down)) ?? .zero
        }
        func breakdown(_ key: String, _ group: [LoanSnapshot]) -> Breakdown {
            let onBooks = group.filter(\.isCovered)
            return Breakdown(
                key: key, loans: onBooks.count,
                coveredOutstandingFen: Money(fen: onBooks.reduce(0) { $0 + $1.outstandingFen.fen }),
                contingentLiabilityFen: Money(fen: onBooks.reduce(0) { $0 + loanLiability($1).fen }),
                nonPerformingFen: Money(fen: onBooks.filter(\.isNonPerforming).reduce(0) { $0 + $1.outstandingFen.fen }),
                pendingClaimsFen: Money(fen: group.reduce(0) { $0 + $1.pendingClaimFen.fen }))
        }
        let banks = Dictionary(grouping: enrolled, by: { $0.bankId.value }).map { breakdown($0.key, $0.value) }.sorted { $0.key < $1.key }
        let borrowers = Dictionary(grouping: enrolled, by: { $0.borrower.value }).map { breakdown($0.key, $0.value) }
            .sorted { ($0.coveredOutstandingFen, $1.key) > ($1.coveredOutstandingFen, $0.key) }

        let leverage = balance.isPositive ? Bp.ratio(coveredOutstanding, balance, rounding: .up) : nil
        let maxLeverage = Bp(policy.maxLeverage * 10_000)
        let owed = try contingent + pending
        let ratio = Bp.ratio(nonPerforming, coveredOutstanding, rounding: .up)
        return ExposureReport(
            fundId: id, fundName: fund.name, asOf: asOf, contributionsByContributor: contributions, contributedFen: contributed,
            paidOutFen: paidOut, recoveriesReturnedFen: returned, balanceFen: balance, coveredLoans: covered.count,
            coveredOutstandingFen: coveredOutstanding, contingentLiabilityFen: contingent, pendingClaimsFen: pending,
            pendingFiled: enrolled.filter { $0.pendingClaimFen.isPositive && !$0.pendingClaimApproved }.count,
            pendingApproved: enrolled.filter { $0.pendingClaimFen.isPositive && $0.pendingClaimApproved }.count,
            leverageBp: leverage, maxLeverageBp: maxLeverage,
            leverageBreached: balance.isPositive ? leverage! > maxLeverage : coveredOutstanding.isPositive,
            coverageAdequacyBp: owed.isPositive ? Bp.ratio(balance, owed, rounding: .down) : nil,
            nonPerformingFen: nonPerforming, nonPerformingRatioBp: ratio, suspendThresholdBp: policy.nplSuspendBp,
            suspensionBreached: (ratio ?? .zero) > policy.nplSuspendBp, suspended: fund.isSuspended(on: asOf),
            byBank: banks, topBorrowers: Array(borrowers.prefix(topBorrowers)))
    }
}
