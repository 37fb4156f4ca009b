/// Annual growth of IP pledge financing (DESIGN §5): by year of origination, the loans,
/// principal and distinct borrowers, year-on-year growth, CAGR, and whether the target
/// (15% by default) was met — in total, per slice, and month by month.
public struct GrowthReport: Sendable, Hashable {
    /// How the loans may be sliced.
    public enum Dimension: String, Sendable, Hashable, CaseIterable {
        case bank, kind, industry, region, enrolled
    }

    public struct Year: Sendable, Hashable {
        public var year: Int
        public var loans: Int
        public var principalFen: Money
        public var borrowers: Int
        /// (principal − previous) ÷ previous, rounded down; nil for the first year or when the previous was 0.
        public var principalGrowthBp: Bp?
        public var loanGrowthBp: Bp?
        /// Whether principal growth reached the target; nil when there is no growth figure.
        public var targetMet: Bool?
    }

    public struct Month: Sendable, Hashable {
        public var month: String
        public var loans: Int
        public var principalFen: Money
    }

    public struct Slice: Sendable, Hashable {
        public var value: String
        public var years: [Year]
        public var cagrBp: Bp?
    }

    public var fromYear: Int
    public var toYear: Int
    public var targetBp: Bp
    public var years: [Year]
    /// Compound annual growth of principal from the first to the last year, rounded down.
    public var cagrBp: Bp?
    public var monthly: [Month]
    public var dimension: Dimension?
    public var slices: [Slice]

    /// Builds the report from loan snapshots (cancelled loans are left out). A year's or a
    /// month's principal beyond `Money.maximum` (only loans the deciders now refuse can sum
    /// to that) is a `.limitExceeded` on `principal_fen`, never a trap.
    public static func compute(
        _ snapshots: [LoanSnapshot], from fromYear: Int, to toYear: Int, target: Bp = Bp(1500), by dimension: Dimension? = nil
    ) throws -> GrowthReport {
        guard (1900...2200).contains(fromYear), (1900...2200).contains(toYear), fromYear <= toYear else {
            throw DomainError.invalid("from", "years must run forwards within 1900–2200 (got \(fromYear)–\(toYear))")
        }
        let loans = snapshots.filter { $0.status != .cancelled && (fromYear...toYear).contains($0.originatedOn.year) }
        // One contribution per loan and slice value: (slice value, principal share).
        let contributions: [(value: String, loan: LoanSnapshot, principal: Money)] = loans.flatMap { loan in
            guard let dimension else { return [("total", loan, loan.principalFen)] }
            switch dimension {
            case .bank: return [(loan.bankId.value, loan, loan.principalFen)]
            case .industry: return [(loan.industry?.division ?? "unknown", loan, loan.principalFen)]
            case .region: return [(loan.region?.value ?? "unknown", loan, loan.principalFen)]
            case .enrolled: return [(loan.fundId == nil ? "not_enrolled" : "enrolled", loan, loan.principalFen)]
            case .kind: return loan.principalByKind.map { ($0.kind.rawValue, loan, $0.principalFen) }
            }
        }
        let total = try years(loans.map { ($0, $0.principalFen) }, fromYear, toYear, target, "")
        var slices: [Slice] = []
        if let dimension {
            for value in Set(contributions.map(\.value)).sorted() {
                let rows = try years(contributions.filter { $0.value == value }.map { ($0.loan, $0.principal) }, fromYear, toYear, target,
                                     " (\(dimension.rawValue) \(value))")
                slices.append(Slice(value: value, years: rows, cagrBp: cagr(rows)))
            }
        }
        let byMonth = Dictionary(grouping: loans) { String($0.originatedOn.description.prefix(7)) }
        let monthly = try byMonth.keys.sorted().map { month in
            Month(month: month, loans: byMonth[month]!.count,
                  principalFen: try Money.total(byMonth[month]!.map(\.principalFen), of: "the principal lent in \(month)", field: "principal_fen"))
        }
        return GrowthReport(
            fromYear: fromYear, toYear: toYear, targetBp: target, years: total, cagrBp: cagr(total),
            monthly: monthly, dimension: dimension, slices: slices)
    }

    static func years(_ items: [(loan: LoanSnapshot, principal: Money)], _ from: Int, _ to: Int, _ target: Bp, _ slice: String) throws -> [Year] {
        var rows: [Year] = []
        for year in from...to {
            let inYear = items.filter { $0.loan.originatedOn.year == year }
            let principal = try Money.total(inYear.map(\.principal), of: "the principal lent in \(year)\(slice)", field: "principal_fen")
            var row = Year(year: year, loans: Set(inYear.map(\.loan.key)).count, principalFen: principal,
                           borrowers: Set(inYear.map(\.loan.borrower)).count)
            if let previous = rows.last {
                // Growth rounds down: the target is met only if really reached. Both years are
                // within ±maximum, so their difference cannot overflow.
                row.principalGrowthBp = Bp.ratio(try principal - previous.principalFen, previous.principalFen, rounding: .down)
                row.loanGrowthBp = Bp.ratio(Money(fen: Int64(row.loans - previous.loans)), Money(fen: Int64(previous.loans)), rounding: .down)
                row.targetMet = row.principalGrowthBp.map { $0 >= target }
            }
            rows.append(row)
        }
        return rows
    }

    /// The largest rate g (in bp) such that compounding the first year's principal by g for
    /// each later year does not exceed the last year's — CAGR rounded down, computed with
    /// integer arithmetic only (each compounding step rounds down to the fen).
    static func cagr(_ rows: [Year]) -> Bp? {
        guard rows.count >= 2, let first = rows.first?.principalFen, let last = rows.last?.principalFen, first.isPositive else { return nil }
        let periods = rows.count - 1
        func compounds(_ rate: Int64) -> Bool {
            var value = first
            for _ in 0..<periods {
                guard let next = try? value.scaled(by: 10_000 + rate, over: 10_000, rounding: .down) else { return false }
                value = next
                if value > last { return false }
            }
            return true
        }
        var low: Int64 = -10_000, high: Int64 = 10_000_000
        guard compounds(low) else { return nil }
        while low < high {
            let mid = low + (high - low + 1) / 2
            if compounds(mid) { low = mid } else { high = mid - 1 }
        }
        return Bp(low)
    }
}
