/// Growth of IP pledge financing against the plan's target of an average annual
/// growth (年均增幅) of at least 15% by default: by period of origination — calendar years,
/// or consecutive 12-month periods of a `MonthWindow` — the loans, principal and distinct
/// borrowers, growth on the same span one period earlier, and two verdicts: on average (the
/// CAGR) and period by period; in total, per slice, and month by month.
///
/// **The current period.** Given `asOf` (the CLI and API pass today when no date is asked
/// for), the period containing it is year-to-date (`ytd`): counted from its start through
/// `asOf` and compared with the previous period's loans originated up to the same month-day
/// (同比; the last day of a month compares with the last day of that month a year earlier).
/// That verdict is provisional, and a year-to-date with nothing lent yet has no growth figure
/// and no verdict at all — late-recorded loans are normal, so an empty current year is "no
/// data yet", never −100%. Periods starting after `asOf` are listed as `not_begun`, empty
/// and unjudged. Without `asOf` every period counts as complete (reports of past periods).
///
/// **The average.** CAGR runs from the first period to the last *complete* one: the
/// year-to-date, a window's partial final period and periods not begun are left out,
/// because a fraction of a year compounds with nothing (scaling it up to a year would
/// guess at seasonality). So `2023–2026` asked on 2026-11-29 reports the CAGR 2023–2025
/// and 2026's year-to-date growth beside it. `targetMetOnAverage` is CAGR ≥ target;
/// `targetMetEveryPeriod` is whether every complete period with a growth figure met it.
///
/// Growth and CAGR round down (toward −∞): a target is met only if really reached.
public struct GrowthReport: Sendable, Hashable {
    /// How the loans may be sliced.
    public enum Dimension: String, Sendable, Hashable, CaseIterable {
        case bank, kind, industry, region, enrolled, scheme
    }

    /// The same span one period earlier, which a period's growth is measured against.
    public struct Base: Sendable, Hashable {
        public var start: BusinessDate
        public var end: BusinessDate
        public var loans: Int
        public var principalFen: Money
    }

    /// One period: a calendar year, or twelve months of a window.
    public struct Period: Sendable, Hashable {
        /// The calendar year the period starts in (for calendar periods, the year).
        public var year: Int
        /// `2024`, or `2022-08..2023-07` for a window not starting in January.
        public var label: String
        /// The period's first and last day (a partial final period ends with the window).
        public var start: BusinessDate
        public var end: BusinessDate
        /// The last day counted: `end`, or `asOf` for the year-to-date; nil when not begun.
        public var through: BusinessDate?
        public var state: PeriodState
        public var loans: Int
        public var principalFen: Money
        public var borrowers: Int
        /// What the growth is measured against; nil for the first period and one not begun.
        public var base: Base?
        /// (principal − base) ÷ base, rounded down; nil for the first period, when the base
        /// was 0, and for a year-to-date with nothing lent yet.
        public var principalGrowthBp: Bp?
        public var loanGrowthBp: Bp?
        /// Whether principal growth reached the target; nil when there is no growth figure.
        /// Provisional for the year-to-date.
        public var targetMet: Bool?

        /// Cut at `asOf`: year-to-date.
        public var ytd: Bool { state == .yearToDate }
    }

    /// Former name of `Period`, kept for callers.
    public typealias Year = Period

    /// The two verdicts on a series of periods.
    public struct Summary: Sendable, Hashable {
        /// Compound annual growth of principal from the first to the last complete period,
        /// rounded down; nil with fewer than two complete periods or a first principal ≤ 0.
        public var cagrBp: Bp?
        /// Labels of the first and last period the CAGR spans (nil with fewer than two).
        public var cagrFrom: String?
        public var cagrTo: String?
        /// Compounding steps: complete periods − 1 (0 when fewer than two).
        public var cagrPeriods: Int
        /// CAGR ≥ target — the plan's 年均增幅 verdict; nil without a CAGR.
        public var targetMetOnAverage: Bool?
        /// Complete periods that have a growth figure, and how many of them met the target.
        public var periodsJudged: Int
        public var periodsMet: Int
        /// Every judged complete period met the target; nil when none was judged.
        public var targetMetEveryPeriod: Bool?
    }

    public struct Month: Sendable, Hashable {
        public var month: String
        public var loans: Int
        public var principalFen: Money
    }

    public struct Slice: Sendable, Hashable {
        public var value: String
        public var years: [Period]
        public var summary: Summary
        public var cagrBp: Bp? { summary.cagrBp }
    }

    public var fromYear: Int
    public var toYear: Int
    /// The months covered; for a report by years, January of `fromYear` to December of `toYear`.
    public var window: MonthWindow
    /// The date the year-to-date is cut at; nil when every period is taken as complete.
    public var asOf: BusinessDate?
    public var targetBp: Bp
    /// The periods in order (named `years` since the report was by calendar year only).
    public var years: [Period]
    public var summary: Summary
    /// Compound annual growth over the complete periods (`summary.cagrBp`).
    public var cagrBp: Bp? { summary.cagrBp }
    public var monthly: [Month]
    public var dimension: Dimension?
    /// The level region slices are grouped at; nil unless sliced by region.
    public var regionLevel: RegionLevel?
    public var slices: [Slice]
    /// Published figures beside ours, by calendar year (`comparing(with:)`); nil without.
    public var benchmark: [BenchmarkRow]?
    /// Years of the published figures outside the report's periods (not compared).
    public var benchmarkYearsOutside: [Int] = []

    /// The report by calendar years `fromYear`…`toYear`. A year's or a month's principal
    /// beyond `Money.maximum` (only loans the deciders now refuse can sum to that) is a
    /// `.limitExceeded` on `principal_fen`, never a trap.
    public static func compute(
        _ snapshots: [LoanSnapshot], from fromYear: Int, to toYear: Int, asOf: BusinessDate? = nil, target: Bp = Bp(1500),
        by dimension: Dimension? = nil, regionLevel: RegionLevel = .district
    ) throws -> GrowthReport {
        try compute(
            snapshots, window: try MonthWindow.years(fromYear, toYear), asOf: asOf, target: target, by: dimension, regionLevel: regionLevel)
    }

    /// The report over a window of months in consecutive 12-month periods (see `MonthWindow`),
    /// from loan snapshots (cancelled loans are left out). `regionLevel` groups region slices
    /// (`by: .region` only) at district, city or province level.
    public static func compute(
        _ snapshots: [LoanSnapshot], window: MonthWindow, asOf: BusinessDate? = nil, target: Bp = Bp(1500),
        by dimension: Dimension? = nil, regionLevel: RegionLevel = .district
    ) throws -> GrowthReport {
        try checkRollup(dimension, regionLevel)
        let series = [Series.total] + (dimension.map { [Series($0, regionLevel: regionLevel)] } ?? [])
        return try compute(
            cells: GrowthCell.cells(GrowthEntry.tally(snapshots, series: series), window: window, asOf: asOf), window: window,
            asOf: asOf, target: target, by: dimension, regionLevel: regionLevel)
    }

    /// The same report from cells (`GrowthCell`) — the read side's sums, or a fold's loans
    /// reduced to them — holding the total series and the one `dimension` asks for.
    public static func compute(
        cells: [GrowthCell], window: MonthWindow, asOf: BusinessDate? = nil, target: Bp = Bp(1500),
        by dimension: Dimension? = nil, regionLevel: RegionLevel = .district
    ) throws -> GrowthReport {
        try checkRollup(dimension, regionLevel)
        let spans = spans(window, asOf: asOf)
        let lastDay = asOf.map { min($0, window.to.lastDay) } ?? window.to.lastDay
        let inWindow =
            lastDay < window.from.firstDay ? [] : try cells.filter { try $0.dates.inside(window.from.firstDay...lastDay, "the window") }
        let total = try periods(inWindow.filter { $0.series == .total }, spans, target, "")
        var slices: [Slice] = []
        if let dimension {
            let series = Series(dimension, regionLevel: regionLevel)
            let grouped = Dictionary(grouping: inWindow.filter { $0.series == series }, by: \.value)
            for value in grouped.keys.sorted() {
                let rows = try periods(grouped[value]!, spans, target, " (\(dimension.rawValue) \(value))")
                slices.append(Slice(value: value, years: rows, summary: summary(rows, target)))
            }
        }
        let byMonth = Dictionary(grouping: inWindow.filter { $0.series == .total }, by: \.month)
        let monthly = try byMonth.keys.sorted().compactMap { month -> Month? in
            let cells = byMonth[month]!
            let loans = cells.reduce(0) { $0 + $1.sums.loans }
            guard loans > 0 else { return nil }
            return Month(
                month: month.description, loans: Int(loans),
                principalFen: try principal(cells, of: "the principal lent in \(month)"))
        }
        return GrowthReport(
            fromYear: window.from.year, toYear: window.to.year, window: window, asOf: asOf, targetBp: target, years: total,
            summary: summary(total, target), monthly: monthly, dimension: dimension, regionLevel: dimension == .region ? regionLevel : nil,
            slices: slices, benchmark: nil)
    }

    private static func checkRollup(_ dimension: Dimension?, _ regionLevel: RegionLevel) throws {
        guard regionLevel == .district || dimension == .region else {
            throw DomainError.invalid("rollup", "grouping regions at \(regionLevel.rawValue) level needs the report sliced by region")
        }
    }

    /// The principal of `cells`, checked against `Money.maximum`.
    private static func principal(_ cells: [GrowthCell], of what: String) throws -> Money {
        try Money.total(cells.map { Money(fen: $0.sums.principalFen) }, of: what, field: "principal_fen")
    }

    static func periods(_ cells: [GrowthCell], _ spans: [Span], _ target: Bp, _ slice: String) throws -> [Period] {
        func count(_ range: ClosedRange<BusinessDate>?, _ what: String) throws -> (loans: Int, principal: Money, borrowers: Int) {
            let inside = try range.map { range in try cells.filter { try $0.dates.inside(range, what) } } ?? []
            return (
                Int(inside.reduce(0) { $0 + $1.sums.loans }), try principal(inside, of: "the principal lent in \(what)\(slice)"),
                Int(inside.reduce(0) { $0 + $1.borrowers })
            )
        }
        var rows: [Period] = []
        for span in spans {
            let (loans, principal, borrowers) = try count(span.through.map { span.start...$0 }, span.label)
            var row = Period(
                year: span.year, label: span.label, start: span.start, end: span.end, through: span.through, state: span.state,
                loans: loans, principalFen: principal, borrowers: borrowers)
            if let range = span.base {
                let (baseLoans, basePrincipal, _) = try count(range, "\(range.lowerBound)–\(range.upperBound)")
                let base = Base(start: range.lowerBound, end: range.upperBound, loans: baseLoans, principalFen: basePrincipal)
                row.base = base
                // A year-to-date with nothing lent is a ledger not yet told of this year's loans
                // as likely as a collapse: no growth figure and no verdict rather than −100%.
                if !(span.state == .yearToDate && !principal.isPositive) {
                    // Both amounts are within ±maximum, so their difference cannot overflow.
                    row.principalGrowthBp = Bp.ratio(try principal - base.principalFen, base.principalFen, rounding: .down)
                    row.loanGrowthBp = Bp.ratio(Money(fen: Int64(row.loans - base.loans)), Money(fen: Int64(base.loans)), rounding: .down)
                    row.targetMet = row.principalGrowthBp.map { $0 >= target }
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Both verdicts over the complete periods, which always come first (the year-to-date,
    /// a partial period and periods not begun can only end a series).
    static func summary(_ rows: [Period], _ target: Bp) -> Summary {
        let complete = Array(rows.prefix { $0.state == .complete })
        let cagr = cagr(complete)
        let judged = complete.compactMap(\.targetMet)
        return Summary(
            cagrBp: cagr, cagrFrom: complete.count >= 2 ? complete.first?.label : nil,
            cagrTo: complete.count >= 2 ? complete.last?.label : nil,
            cagrPeriods: max(complete.count - 1, 0), targetMetOnAverage: cagr.map { $0 >= target },
            periodsJudged: judged.count, periodsMet: judged.filter { $0 }.count,
            targetMetEveryPeriod: judged.isEmpty ? nil : !judged.contains(false))
    }

    /// The largest rate g (in bp) such that compounding the first period's principal by g
    /// for each later period does not exceed the last one's — CAGR rounded down, computed
    /// with integer arithmetic only (each compounding step rounds down to the fen).
    static func cagr(_ rows: [Period]) -> Bp? {
        guard rows.count >= 2, let first = rows.first?.principalFen, let last = rows.last?.principalFen, first.isPositive else {
            return nil
        }
        let periods = rows.count - 1
        // Down to nothing is −100%, whatever flooring each step to the fen would let pass.
        guard last.isPositive else { return Bp(-10_000) }
        func compounds(_ rate: Int64) -> Bool {
            var value = first
            for _ in 0..<periods {
                guard let next = compoundStep(value, rate) else { return false }
                value = next
                // Stopping early is right only while the path rises: a falling one may pass
                // below `last` after starting above it (4,000,000 → 1,000,000 is −50% a
                // year over two years, though its first step, 2,000,000, is above 1,000,000).
                if rate >= 0 && value > last { return false }
            }
            return value <= last
        }
        var low: Int64 = -10_000
        var high: Int64 = 10_000_000
        guard compounds(low) else { return nil }
        while low < high {
            let mid = low + (high - low + 1) / 2
            if compounds(mid) { low = mid } else { high = mid - 1 }
        }
        return Bp(low)
    }

    /// One period of compounding at `rate` bp, rounded down to the fen; nil on overflow.
    static func compoundStep(_ value: Money, _ rate: Int64) -> Money? {
        try? value.scaled(by: 10_000 + rate, over: 10_000, rounding: .down)
    }

    /// The target path (目标路径) a chart draws beside the periods: the first period's
    /// principal compounded by `target` once per later period, rounded down at each step
    /// exactly as `cagr` compounds — so a complete period's principal reaches its point on
    /// the path exactly when the CAGR from the first period to it meets the target. Only
    /// complete periods have a point (a fraction of a year compounds with nothing); none has
    /// when the first period is incomplete or has no principal.
    public static func targetPath(_ rows: [Period], target: Bp) -> [Money?] {
        var path: [Money?] = Array(repeating: nil, count: rows.count)
        guard let first = rows.first, first.state == .complete, first.principalFen.isPositive else { return path }
        var value: Money? = first.principalFen
        for (index, row) in rows.enumerated() where row.state == .complete {
            if index > 0 { value = value.flatMap { compoundStep($0, target.value) } }
            path[index] = value
        }
        return path
    }

    /// `targetPath` of the report's own periods.
    public var targetPath: [Money?] { Self.targetPath(years, target: targetBp) }
}
