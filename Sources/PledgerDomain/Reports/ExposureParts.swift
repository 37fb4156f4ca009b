/// A fund's exposure on its loans is a sum over borrowers: the per-borrower cap is the only
/// rule that looks across loans, and it looks only at one borrower's. So the read side keeps
/// each borrower's part (`BorrowerPart`, recomputed when one of its loans or its committed
/// compensation changes) and their sums (`LoanFigures`), and a current exposure report reads
/// a handful of summed rows and the largest borrowers — the same figures `compute` adds up
/// from the loans themselves.
extension ExposureReport {
    /// One borrower's part of a fund's exposure.
    public struct BorrowerPart: Sendable, Hashable {
        /// The borrower's breakdown (its contingent liability summed loan by loan, each
        /// scaled down to the borrower's cap and rounded down).
        public var borrower: Breakdown
        /// Its loans' part in each bank's breakdown, by bank.
        public var banks: [Breakdown]
        /// Its contingent liability after the per-borrower cap, before the per-loan rounding:
        /// what the fund's total counts.
        public var cappedFen: Money
        public var pendingFiled: Int
        public var pendingApproved: Int

        /// The part of `borrower`'s `loans` in `fund` (cancelled ones and other funds' are
        /// left out; nil when none is left), with the terms in force on `asOf`.
        public static func compute(_ borrower: Uscc, loans: [LoanSnapshot], fund: FundState, asOf: BusinessDate) throws -> BorrowerPart? {
            guard let id = fund.id, let policy = fund.policy(on: asOf) else {
                throw DomainError(.notFound, field: "fund_id", "no such fund")
            }
            let enrolled = loans.filter { $0.fundId == id && $0.status != .cancelled && $0.borrower == borrower }
            guard !enrolled.isEmpty else { return nil }
            // Per-loan liability for loans with no claim in progress.
            var liabilityByLoan: [LoanKey: Money] = [:]
            var liability: Money = .zero
            var cap: Money?
            for loan in enrolled.filter(\.isCovered) where !loan.pendingClaimFen.isPositive {
                let terms = fund.terms(forLoanEnrolledOn: loan.originatedOn, asOf: asOf) ?? policy
                let amount = min(try loan.outstandingFen.applying(terms.coverageBp, rounding: .down), terms.perLoanCapFen)
                cap = max(cap ?? .zero, terms.perBorrowerCapFen)
                liabilityByLoan[loan.key] = amount
                liability = try Money.total(
                    [liability, amount], of: "the contingent liability for borrower \(borrower)", field: "contingent_liability_fen")
            }
            // Per-borrower cap: what is left after compensation already committed and pending claims.
            var capped: Money = .zero
            if cap != nil {
                let pending = try Money.total(
                    enrolled.map(\.pendingClaimFen), of: "the pending claims of borrower \(borrower)", field: "pending_claims_fen")
                let committed = fund.committedByBorrower[borrower] ?? .zero
                capped = min(liability, max(.zero, try (cap ?? policy.perBorrowerCapFen) - committed - pending))
            }
            // The cap scales each loan's liability down proportionally for the breakdowns
            // (rounded down), so that breakdowns never exceed the capped total.
            func loanLiability(_ loan: LoanSnapshot) -> Money {
                guard let raw = liabilityByLoan[loan.key], liability.isPositive else { return .zero }
                return (try? raw.scaled(by: capped.fen, over: liability.fen, rounding: .down)) ?? .zero
            }
            func breakdown(_ key: String, _ group: [LoanSnapshot]) throws -> Breakdown {
                let onBooks = group.filter(\.isCovered)
                return Breakdown(
                    key: key, loans: onBooks.count,
                    coveredOutstandingFen: try Money.total(
                        onBooks.map(\.outstandingFen), of: "the covered outstanding principal of \(key)", field: "covered_outstanding_fen"),
                    contingentLiabilityFen: try Money.total(
                        onBooks.map(loanLiability), of: "the contingent liability of \(key)", field: "contingent_liability_fen"),
                    nonPerformingFen: try Money.total(
                        onBooks.filter(\.isNonPerforming).map(\.outstandingFen), of: "the non-performing principal of \(key)",
                        field: "non_performing_fen"),
                    pendingClaimsFen: try Money.total(
                        group.map(\.pendingClaimFen), of: "the pending claims of \(key)", field: "pending_claims_fen"),
                    owedToFundFen: try Money.total(
                        group.map(\.owedToFundFen), of: "the recovery shares \(key) owes", field: "owed_to_fund_fen"))
            }
            return BorrowerPart(
                borrower: try breakdown(borrower.value, enrolled),
                banks: try Dictionary(grouping: enrolled, by: \.bankId.value).sorted { $0.key < $1.key }.map {
                    try breakdown($0.key, $0.value)
                },
                cappedFen: capped,
                pendingFiled: enrolled.filter { $0.pendingClaimFen.isPositive && !$0.pendingClaimApproved }.count,
                pendingApproved: enrolled.filter { $0.pendingClaimFen.isPositive && $0.pendingClaimApproved }.count)
        }
    }

    /// The loans' side of a fund's exposure: the borrowers' parts summed, and the largest
    /// borrowers by covered outstanding principal.
    public struct LoanFigures: Sendable, Hashable {
        /// The sums over all borrowers; its contingent liability is the sum of the capped ones.
        public var total: Breakdown
        public var pendingFiled: Int
        public var pendingApproved: Int
        public var byBank: [Breakdown]
        public var topBorrowers: [Breakdown]

        public init(total: Breakdown, pendingFiled: Int, pendingApproved: Int, byBank: [Breakdown], topBorrowers: [Breakdown]) {
            self.total = total
            self.pendingFiled = pendingFiled
            self.pendingApproved = pendingApproved
            self.byBank = byBank
            self.topBorrowers = topBorrowers
        }

        /// Sums `parts`, keeping the `topBorrowers` largest (covered outstanding, then key).
        public init(_ parts: [BorrowerPart], topBorrowers: Int) throws {
            let total = try Breakdown.sum(
                parts.map(\.borrower), key: "the fund",
                capped: try Money.total(parts.map(\.cappedFen), of: "the fund's contingent liability", field: "contingent_liability_fen"))
            let banks = Dictionary(grouping: parts.flatMap(\.banks), by: \.key)
            self.init(
                total: total, pendingFiled: parts.reduce(0) { $0 + $1.pendingFiled },
                pendingApproved: parts.reduce(0) { $0 + $1.pendingApproved },
                byBank: try banks.keys.sorted().map { try Breakdown.sum(banks[$0]!, key: $0) },
                topBorrowers: Array(parts.map(\.borrower).sorted(by: Breakdown.largerFirst).prefix(topBorrowers)))
        }
    }
}

extension ExposureReport.Breakdown {
    /// The order of the largest borrowers: covered outstanding principal down, then key.
    public static func largerFirst(_ a: Self, _ b: Self) -> Bool {
        (a.coveredOutstandingFen, b.key) > (b.coveredOutstandingFen, a.key)
    }

    /// The field-by-field sum of `parts` under `key` (contingent liability: `capped` when
    /// given), each total checked against `Money.maximum`.
    static func sum(_ parts: [Self], key: String, capped: Money? = nil) throws -> Self {
        func total(_ amounts: [Money], _ field: String) throws -> Money {
            try Money.total(amounts, of: "the \(field.replacingOccurrences(of: "_", with: " ")) of \(key)", field: field)
        }
        return Self(
            key: key, loans: parts.reduce(0) { $0 + $1.loans },
            coveredOutstandingFen: try total(parts.map(\.coveredOutstandingFen), "covered_outstanding_fen"),
            contingentLiabilityFen: try capped ?? total(parts.map(\.contingentLiabilityFen), "contingent_liability_fen"),
            nonPerformingFen: try total(parts.map(\.nonPerformingFen), "non_performing_fen"),
            pendingClaimsFen: try total(parts.map(\.pendingClaimsFen), "pending_claims_fen"),
            owedToFundFen: try total(parts.map(\.owedToFundFen), "owed_to_fund_fen"))
    }
}

extension FundState {
    /// The day from which every policy version recorded is in force. From then on no loan's
    /// terms depend on the date any more, so borrower parts computed as of this day hold for
    /// every later day — until another version is recorded.
    public var termsSettledOn: BusinessDate? { policies.map(\.effectiveOn).max() }
}
