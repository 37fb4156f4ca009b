/// The growth report reduced to sums that can be kept up to date one borrower at a time
/// (the read side's `rm_growth` table) and from which every figure of the report follows
/// exactly: a national ledger's current report reads a few hundred summed rows instead of
/// every loan.
///
/// An entry counts the loans of one slice value originated on one day. Loans and principal
/// add up; distinct borrowers do not — so each entry also says in which month the same
/// borrower's previous loan (in the same scope and slice value) was made. A period starting
/// on the first of month M has as many distinct borrowers as it has loans whose previous
/// loan came before M: each borrower counts once, through its first loan in the period.
public struct GrowthEntry: Sendable, Hashable {
    /// Whose loans: every bank's, or one bank's own (a bank's slice counts its borrowers
    /// among its own loans only, as a report filtered to that bank does).
    public var scope: String
    public var series: GrowthReport.Series
    public var value: String
    public var day: BusinessDate
    /// The month of the borrower's previous loan in this scope and value; nil for its first,
    /// and when the previous one came twelve or more months earlier — it is then the first in
    /// whichever period holds this day, and the sums need fewer rows.
    public var previousMonth: YearMonth?

    /// The scope of every bank's loans.
    public static let allBanks = "*"

    public init(scope: String, series: GrowthReport.Series, value: String, day: BusinessDate, previousMonth: YearMonth?) {
        self.scope = scope
        self.series = series
        self.value = value
        self.day = day
        self.previousMonth = previousMonth
    }
}

/// What an entry (or a cell) adds up. Plain integers: the read side applies differences,
/// which may be negative; `GrowthReport` checks totals against `Money.maximum`.
public struct GrowthSums: Sendable, Hashable {
    public var loans: Int64
    public var principalFen: Int64

    public init(loans: Int64, principalFen: Int64) {
        self.loans = loans
        self.principalFen = principalFen
    }

    public static let zero = GrowthSums(loans: 0, principalFen: 0)
    public var isZero: Bool { self == .zero }

    public static func + (lhs: GrowthSums, rhs: GrowthSums) -> GrowthSums {
        GrowthSums(loans: lhs.loans &+ rhs.loans, principalFen: lhs.principalFen.addingSaturating(rhs.principalFen))
    }

    /// In place: `sums[entry, default: .zero] += more` finds the entry once.
    public static func += (lhs: inout GrowthSums, rhs: GrowthSums) { lhs = lhs + rhs }

    public static prefix func - (sums: GrowthSums) -> GrowthSums { GrowthSums(loans: -sums.loans, principalFen: -sums.principalFen) }
}

extension GrowthReport {
    /// One way of slicing the loans as the read side keeps it: the whole, or one dimension
    /// (regions at each level apiece, since a borrower's previous loan is looked for in
    /// the rolled-up value).
    public struct Series: Sendable, Hashable, CustomStringConvertible {
        public let dimension: Dimension?
        public let regionLevel: RegionLevel

        public init(_ dimension: Dimension?, regionLevel: RegionLevel = .district) {
            self.dimension = dimension
            self.regionLevel = dimension == .region ? regionLevel : .district
        }

        public static let total = Series(nil)
        /// Every series the read side keeps.
        public static let all: [Series] =
            [.total]
            + Dimension.allCases.flatMap { dimension in
                dimension == .region ? RegionLevel.allCases.map { Series(.region, regionLevel: $0) } : [Series(dimension)]
            }

        /// `total`, `bank`, …, `region.city`: the name stored in the read side.
        public var description: String {
            guard let dimension else { return "total" }
            return dimension == .region ? "region.\(regionLevel.rawValue)" : dimension.rawValue
        }

        public init?(named name: String) {
            guard let series = Self.all.first(where: { $0.description == name }) else { return nil }
            self = series
        }

        /// The slice values a loan counts under, with the principal it brings to each.
        func contributions(of loan: LoanSnapshot) -> [(value: String, principal: Money)] {
            guard let dimension else { return [("total", loan.principalFen)] }
            switch dimension {
            case .bank: return [(loan.bankId.value, loan.principalFen)]
            case .industry: return [(loan.industry?.division ?? "unknown", loan.principalFen)]
            case .region: return [(loan.region?.rolledUp(to: regionLevel) ?? "unknown", loan.principalFen)]
            case .enrolled: return [(loan.fundId == nil ? "not_enrolled" : "enrolled", loan.principalFen)]
            case .scheme: return [(loan.schemeId?.value ?? "none", loan.principalFen)]
            case .kind: return loan.principalByKind.map { ($0.kind.rawValue, $0.principalFen) }
            }
        }
    }
}

extension GrowthEntry {
    /// The entries of `loans` in `series`, for every bank's scope and — with `byBank` — each
    /// bank's own (`GrowthTally`, as entries).
    public static func tally(_ loans: [LoanSnapshot], series: [GrowthReport.Series] = GrowthReport.Series.all, byBank: Bool = false)
        -> [GrowthEntry: GrowthSums]
    {
        GrowthTally(loans, series: series, byBank: byBank).entries
    }

    /// Whether `after` counts in growth otherwise than `before` did (nil: the loan is new):
    /// made, cancelled, enrolled, its borrower or slices changed. A repayment or a claim
    /// leaves the sums as they were, so the read side skips such loans.
    public static func counts(_ before: LoanSnapshot?, differentlyFrom after: LoanSnapshot) -> Bool {
        guard let before else { return true }
        func facts(_ loan: LoanSnapshot) -> [String] {
            [
                "\(loan.status == .cancelled)", loan.originatedOn.description, loan.borrower.value,
            ]
                + GrowthReport.Series.all.flatMap { series in
                    series.contributions(of: loan).map { "\(series)=\($0.value):\($0.principal.fen)" }
                }
        }
        return facts(before) != facts(after)
    }

    /// What changes in the entries when the loans `before` become `after` (the same
    /// borrowers' loans, each borrower's complete): `after`'s entries minus `before`'s,
    /// without the entries that stay as they were.
    public static func difference(from before: [LoanSnapshot], to after: [LoanSnapshot]) -> GrowthTally {
        var change = GrowthTally(after, byBank: true)
        change.add(GrowthTally(before, byBank: true), negated: true)
        return change
    }
}

/// Growth entries summed under integer keys: a run (scope, series and slice value),
/// numbered in the order met, the day and the previous month.
/// A national ledger's loans make millions of additions to a few hundred thousand entries
/// and only a few hundred runs; keyed by their strings, hashing them was most of a
/// rebuild's growth step. Entries left at zero are dropped.
public struct GrowthTally: Sendable {
    /// One scope, series and slice value.
    public struct Run: Sendable, Hashable {
        public let scope: String
        public let series: GrowthReport.Series
        public let value: String
        /// `series.description`, made once per run rather than once per entry written.
        public let seriesName: String

        public init(scope: String, series: GrowthReport.Series, value: String) {
            self.scope = scope
            self.series = series
            self.value = value
            seriesName = series.description
        }
    }

    /// One entry of the tally, as its key reads.
    public struct Entry: Sendable {
        public var run: Run
        public var day: BusinessDate
        public var previousMonth: YearMonth?
        public var sums: GrowthSums
    }

    /// The runs met, by number.
    public private(set) var runs: [Run] = []
    private var runNumbers: [Run: Int] = [:]
    private(set) var sums = SumsByKey()

    /// An entry's key in one integer: its run's number (the top 24 bits), its day's number
    /// offset by 2^23 (the next 24: years 1970 ± 22,900) and its previous month's index plus
    /// one, or zero for none (the low 16: years up to 5461). Dates are years 1900–2200.
    private static func key(run: Int, day: Int, previousMonth: Int?) -> UInt64 {
        guard let key = key(inRange: run, day: day, previousMonth: previousMonth) else {
            preconditionFailure(
                "a growth entry outside the tally's key range: run \(run), day \(day), previous month \(String(describing: previousMonth))")
        }
        return key
    }

    /// The key, or nil for parts outside its range (a row read back from the database).
    static func key(inRange run: Int, day: Int, previousMonth: Int?) -> UInt64? {
        let offsetDay = day + 1 << 23
        let month = previousMonth.map { $0 + 1 } ?? 0
        guard (0..<(1 << 24 - 1)).contains(run) && (0..<(1 << 24)).contains(offsetDay) && (0..<(1 << 16)).contains(month) else {
            return nil
        }
        return UInt64(run) << 40 | UInt64(offsetDay) << 16 | UInt64(month)
    }

    private static func parts(_ key: UInt64) -> (run: Int, day: Int, previousMonth: Int?) {
        let month = Int(key & 0xFFFF)
        return (Int(key >> 40), Int(key >> 16 & 0xFF_FFFF) - 1 << 23, month == 0 ? nil : month - 1)
    }

    public init() {}

    /// The entries of `loans` in `series`, for every bank's scope and — with `byBank` — each
    /// bank's own. Cancelled loans count nowhere. `loans` must hold every loan of each
    /// borrower it names: an entry's previous month looks at the borrower's other loans.
    public init(_ loans: [LoanSnapshot], series: [GrowthReport.Series] = GrowthReport.Series.all, byBank: Bool = false) {
        // Each borrower's loans in the order they were made: an entry's previous month is the
        // month of the borrower's loan before it in the same run, kept while that
        // borrower's loans are read.
        var byBorrower: [Uscc: [Int]] = [:]
        for index in loans.indices where loans[index].status != .cancelled {
            byBorrower[loans[index].borrower, default: []].append(index)
        }
        sums = SumsByKey(minimumCapacity: loans.count * 4)
        // A run's number found in two steps: the series and value (one string hashed per
        // slice of a loan), then, by integers, the scope. Runs and previous months are then
        // found by index, without hashing.
        struct Slice: Hashable {
            var series: Int, value: String
        }
        var slices: [Slice: Int] = [:]
        var scopes: [String: Int] = [:]
        /// Each slice's run in each scope (-1 while not met).
        var runOfSlice: [[Int]] = []
        /// Each run's month of the borrower's last loan (-1: none yet), reset between borrowers.
        var previous: [Int] = []
        var touched: [Int] = []
        for indices in byBorrower.values {
            for run in touched { previous[run] = -1 }
            touched.removeAll(keepingCapacity: true)
            let ordered =
                indices.count == 1
                ? indices : indices.sorted { (loans[$0].originatedOn, loans[$0].key) < (loans[$1].originatedOn, loans[$1].key) }
            for index in ordered {
                let loan = loans[index]
                let month = YearMonth(containing: loan.originatedOn).index
                var scopeNumbers = [(GrowthEntry.allBanks, 0)]
                if byBank {
                    let bank = loan.bankId.value
                    let number: Int
                    if let known = scopes[bank] {
                        number = known
                    } else {
                        number = scopes.count + 1
                        scopes[bank] = number
                    }
                    scopeNumbers.append((bank, number))
                }
                for (seriesIndex, series) in series.enumerated() {
                    for (value, principal) in series.contributions(of: loan) {
                        let slice: Int
                        if let known = slices[Slice(series: seriesIndex, value: value)] {
                            slice = known
                        } else {
                            slice = slices.count
                            slices[Slice(series: seriesIndex, value: value)] = slice
                            runOfSlice.append([])
                        }
                        for (scope, scopeNumber) in scopeNumbers {
                            if runOfSlice[slice].count <= scopeNumber {
                                runOfSlice[slice].append(contentsOf: repeatElement(-1, count: scopeNumber + 1 - runOfSlice[slice].count))
                            }
                            var run = runOfSlice[slice][scopeNumber]
                            if run < 0 {
                                run = number(Run(scope: scope, series: series, value: value))
                                runOfSlice[slice][scopeNumber] = run
                                previous.append(-1)
                            }
                            let last = previous[run]
                            if last < 0 { touched.append(run) }
                            previous[run] = month
                            let recent = last >= 0 && last > month - 12 ? last : nil
                            sums.add(
                                Self.key(run: run, day: loan.originatedOn.dayNumber, previousMonth: recent),
                                GrowthSums(loans: 1, principalFen: principal.fen))
                        }
                    }
                }
            }
        }
    }

    /// Adds `other`'s sums (subtracts them, `negated`); entries left at zero are dropped.
    public mutating func add(_ other: GrowthTally, negated: Bool = false) {
        if sums.isEmpty && !negated {
            self = other
            return
        }
        let renumbered = other.runs.map { number($0) }
        for (key, more) in other.sums {
            let (run, day, previousMonth) = Self.parts(key)
            sums.add(Self.key(run: renumbered[run], day: day, previousMonth: previousMonth), negated ? -more : more)
        }
    }

    public var isEmpty: Bool { sums.isEmpty }
    public var count: Int { sums.count }

    /// Every entry, in no particular order.
    public var all: [Entry] {
        var all: [Entry] = []
        all.reserveCapacity(sums.count)
        for (key, entry) in sums {
            let (run, day, previousMonth) = Self.parts(key)
            all.append(
                Entry(
                    run: runs[run], day: BusinessDate(dayNumber: day), previousMonth: previousMonth.map(YearMonth.init(index:)), sums: entry
                )
            )
        }
        return all
    }

    /// Every entry in the order of the growth table's key: scope, series, day, value and
    /// previous month (none first), texts by their UTF-8 bytes as PostgreSQL's "C" collation
    /// orders them. A table filled in this order takes each row at the right edge of its
    /// key's index; in no particular order PostgreSQL looked for a leaf per row, and 568,546
    /// rows took its one core 3.3 s where in order they take 1.8 s.
    public var allInKeyOrder: [Entry] {
        Self.inKeyOrder(sums, ranks: runRanks()).map { item in
            Entry(run: runs[item.run], day: BusinessDate(dayNumber: item.time), previousMonth: item.previousMonth, sums: item.sums)
        }
    }

    /// `byMonth` in the order of the monthly table's key: scope, series, month, value and
    /// previous month, as `allInKeyOrder`.
    public var byMonthInKeyOrder: [(run: Run, month: YearMonth, previousMonth: YearMonth?, sums: GrowthSums)] {
        Self.inKeyOrder(monthSums, ranks: runRanks()).map { item in
            (runs[item.run], YearMonth(index: item.time), item.previousMonth, item.sums)
        }
    }

    /// The entries of `sums` (keyed by run, day or month, previous month) sorted by the run's
    /// scope and series, the day or month, the run's value and the previous month (none first).
    private static func inKeyOrder(_ sums: SumsByKey, ranks: (scopeAndSeries: [Int], value: [Int])) -> [(
        run: Int, time: Int, previousMonth: YearMonth?, sums: GrowthSums
    )] {
        var keyed: [(order: (Int, Int, Int, Int), key: UInt64, sums: GrowthSums)] = []
        keyed.reserveCapacity(sums.count)
        for (key, entry) in sums {
            let (run, time, previousMonth) = parts(key)
            keyed.append(((ranks.scopeAndSeries[run], time, ranks.value[run], previousMonth ?? -1), key, entry))
        }
        keyed.sort { $0.order < $1.order }
        return keyed.map { item in
            let (run, time, previousMonth) = parts(item.key)
            return (run, time, previousMonth.map(YearMonth.init(index:)), item.sums)
        }
    }

    /// Each run's rank among the runs by its scope and series, and by its value (equal texts,
    /// equal ranks), their texts compared by their UTF-8 bytes.
    private func runRanks() -> (scopeAndSeries: [Int], value: [Int]) {
        func ranks(_ texts: (Run) -> [String]) -> [Int] {
            let ordered = runs.indices.sorted {
                texts(runs[$0]).lexicographicallyPrecedes(texts(runs[$1])) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            }
            var rank = [Int](repeating: 0, count: runs.count)
            for (place, run) in ordered.enumerated().dropFirst() {
                let previous = ordered[place - 1]
                rank[run] = texts(runs[run]) == texts(runs[previous]) ? rank[previous] : place
            }
            return rank
        }
        return (ranks { [$0.scope, $0.seriesName] }, ranks { [$0.value] })
    }

    /// The entries summed by month: each run's, month's and previous month's, without those
    /// left at zero.
    public var byMonth: [(run: Run, month: YearMonth, previousMonth: YearMonth?, sums: GrowthSums)] {
        let months = monthSums
        var byMonth: [(run: Run, month: YearMonth, previousMonth: YearMonth?, sums: GrowthSums)] = []
        byMonth.reserveCapacity(months.count)
        for (key, sums) in months {
            let (run, month, previousMonth) = Self.parts(key)
            byMonth.append((runs[run], YearMonth(index: month), previousMonth.map(YearMonth.init(index:)), sums))
        }
        return byMonth
    }

    /// The sums by month, keyed as the entries are with the month's index in place of the day.
    var monthSums: SumsByKey {
        var months = SumsByKey()
        for (key, day) in sums {
            let (run, dayNumber, previousMonth) = Self.parts(key)
            months.add(
                Self.key(run: run, day: YearMonth(containing: BusinessDate(dayNumber: dayNumber)).index, previousMonth: previousMonth), day)
        }
        return months
    }

    /// The tally as `GrowthEntry`s.
    public var entries: [GrowthEntry: GrowthSums] {
        var entries: [GrowthEntry: GrowthSums] = Dictionary(minimumCapacity: sums.count)
        for entry in all {
            entries[
                GrowthEntry(
                    scope: entry.run.scope, series: entry.run.series, value: entry.run.value, day: entry.day,
                    previousMonth: entry.previousMonth)] = entry.sums
        }
        return entries
    }

    private mutating func number(_ run: Run) -> Int {
        if let known = runNumbers[run] { return known }
        runs.append(run)
        runNumbers[run] = runs.count - 1
        return runs.count - 1
    }
}

/// The entries of one scope summed as one report needs them: by month, or by day in the
/// months the report's ranges cut (`GrowthReport.detailedMonths`), with the borrowers
/// counted for the window's periods. What the read side's query returns, and what a fold's
/// loans reduce to — `GrowthReport.compute` reads only cells.
public struct GrowthCell: Sendable, Hashable {
    public var series: GrowthReport.Series
    public var value: String
    public var month: YearMonth
    /// The day of the month; nil when the cell holds the whole month.
    public var day: Int?
    public var sums: GrowthSums
    /// Loans whose borrower has no earlier loan (same scope and value) in the period this
    /// month belongs to: the cell's part of the period's distinct borrowers.
    public var borrowers: Int64

    public init(series: GrowthReport.Series, value: String, month: YearMonth, day: Int?, sums: GrowthSums, borrowers: Int64) {
        self.series = series
        self.value = value
        self.month = month
        self.day = day
        self.sums = sums
        self.borrowers = borrowers
    }

    /// The first and last day the cell holds.
    var dates: ClosedRange<BusinessDate> {
        guard let day else { return month.firstDay...month.lastDay }
        let date = month.firstDay.adding(days: day - 1)
        return date...date
    }

    /// The cells of `entries` (one scope's) over `window` for a report cut at `asOf`.
    public static func cells(_ entries: [GrowthEntry: GrowthSums], window: MonthWindow, asOf: BusinessDate?) -> [GrowthCell] {
        let detailed = GrowthReport.detailedMonths(window, asOf: asOf)
        let days = window.from.firstDay...window.to.lastDay
        var cells: [GrowthCell: (sums: GrowthSums, borrowers: Int64)] = [:]
        for (entry, sums) in entries where days.contains(entry.day) {
            let month = YearMonth(containing: entry.day)
            let key = GrowthCell(
                series: entry.series, value: entry.value, month: month, day: detailed.contains(month) ? entry.day.day : nil, sums: .zero,
                borrowers: 0)
            let first = (entry.previousMonth.map { $0 < window.periodStart(of: month) } ?? true) ? sums.loans : 0
            let sofar = cells[key] ?? (.zero, 0)
            cells[key] = (sofar.sums + sums, sofar.borrowers + first)
        }
        return cells.map { key, value in
            var cell = key
            cell.sums = value.sums
            cell.borrowers = value.borrowers
            return cell
        }
    }
}

extension MonthWindow {
    /// The first month of the 12-month period `month` belongs to.
    public func periodStart(of month: YearMonth) -> YearMonth {
        let offset = month.index - from.index
        return from.adding(months: (offset >= 0 ? offset / 12 : (offset - 11) / 12) * 12)
    }
}

extension GrowthReport {
    /// The months a report over `window` cut at `asOf` needs day by day: those in which a
    /// period, its comparison span or the window itself ends on a day other than the month's
    /// last. Every other month lies wholly inside or wholly outside each range.
    public static func detailedMonths(_ window: MonthWindow, asOf: BusinessDate?) -> Set<YearMonth> {
        var months = Set<YearMonth>()
        func cut(_ day: BusinessDate) {
            let month = YearMonth(containing: day)
            if day != month.lastDay { months.insert(month) }
        }
        for span in spans(window, asOf: asOf) {
            if let through = span.through { cut(through) }
            if let base = span.base { cut(base.upperBound) }
        }
        return months
    }
}

extension ClosedRange<BusinessDate> {
    /// Whether these days lie inside `range` (true) or outside it (false). Straddling its
    /// edge means the cells were summed too coarsely for the report: a defect, never a guess.
    func inside(_ range: ClosedRange<BusinessDate>, _ what: String) throws -> Bool {
        if range.lowerBound <= lowerBound && upperBound <= range.upperBound { return true }
        if upperBound < range.lowerBound || range.upperBound < lowerBound { return false }
        throw CellsTooCoarse(what: what)
    }
}

/// Cells summed by month where a report needed days: a defect of the caller (the read
/// side's query or `GrowthCell.cells` disagree with `detailedMonths`), never bad input.
public struct CellsTooCoarse: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "the growth figures for \(what) were summed by month where the report needs days" }
}

extension Int64 {
    fileprivate func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
