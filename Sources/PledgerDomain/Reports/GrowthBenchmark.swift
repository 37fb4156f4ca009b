/// Published figures of IP pledge financing (a statistics bulletin, the IP office's annual
/// report…) to print beside the ledger's own: a CSV with a header row
///
///     year,amount_yuan,source
///     2023,"1,250,000,000.00",区统计公报 2023
///     2024,1480000000,
///
/// `year` and `amount_yuan` are required (yuan with at most two decimals; thousands
/// separators allowed in a quoted field), `source` is optional. Each year at most once.
/// Every error is a `CSV.ParseError` naming the line, as for the other CSV files.
public struct GrowthBenchmark: Sendable, Hashable {
    public struct Figure: Sendable, Hashable {
        public var year: Int
        public var amountFen: Money
        /// Where the figure was published; "" when not given.
        public var source: String
        /// The line of the file it came from.
        public var line: Int

        public init(year: Int, amountFen: Money, source: String = "", line: Int = 0) {
            self.year = year
            self.amountFen = amountFen
            self.source = source
            self.line = line
        }
    }

    /// In the file's order.
    public var figures: [Figure]

    public init(figures: [Figure]) { self.figures = figures }

    public static let columns = (required: ["year", "amount_yuan"], optional: ["source"])

    /// Parses the bytes of a file (UTF-8, a byte-order mark tolerated).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws -> GrowthBenchmark where Bytes.Element == UInt8 {
        try parse(rows: try CSV.parse(bytes))
    }

    public static func parse(_ text: String) throws -> GrowthBenchmark {
        try parse(rows: try CSV.parse(text))
    }

    static func parse(rows: [CSV.Row]) throws -> GrowthBenchmark {
        let table = try CSV.Table(rows, required: columns.required, optional: columns.optional)
        guard !table.rows.isEmpty else { throw CSV.ParseError(line: rows[0].line, message: "the file has a header but no figures") }
        var figures: [Figure] = []
        var lineOfYear: [Int: Int] = [:]
        for row in table.rows {
            let yearText = table.value(row, "year")
            guard yearText.count == 4, yearText.allSatisfy(\.isASCIIDigit), let year = Int(yearText), (1900...2200).contains(year) else {
                throw CSV.ParseError(line: row.line, message: "year \"\(yearText)\" is not a year like 2024")
            }
            if let earlier = lineOfYear[year] {
                throw CSV.ParseError(line: row.line, message: "year \(year) is already given on line \(earlier); keep one figure per year")
            }
            let amountText = table.value(row, "amount_yuan")
            guard !amountText.isEmpty else {
                throw CSV.ParseError(line: row.line, message: "amount_yuan is empty; give the amount in yuan like 1250000000.00")
            }
            let amount: Money
            do { amount = try Money(parsing: amountText, field: "amount_yuan") } catch let error as DomainError {
                throw CSV.ParseError(line: row.line, message: "amount_yuan: \(error.message)")
            }
            guard !amount.isNegative else {
                throw CSV.ParseError(line: row.line, message: "amount_yuan \(amountText) is negative; financing lent cannot be")
            }
            lineOfYear[year] = row.line
            figures.append(Figure(year: year, amountFen: amount, source: table.value(row, "source"), line: row.line))
        }
        return GrowthBenchmark(figures: figures)
    }
}

extension GrowthReport {
    /// One calendar year: the published figure, ours (the total principal lent that year),
    /// and ours − published.
    public struct BenchmarkRow: Sendable, Hashable {
        public var year: Int
        /// How much of the year our figure covers; a difference is given for complete years only.
        public var state: PeriodState
        public var publishedFen: Money?
        public var source: String?
        public var oursFen: Money
        /// ours − published; nil when nothing was published for the year or ours is incomplete.
        public var differenceFen: Money?
        /// (ours − published) ÷ published, rounded down; nil also when published is 0.
        public var differenceBp: Bp?
    }

    /// This report with published figures beside its (total) figures, one row per period.
    /// Published figures are by calendar year, so the report must be by calendar years (a
    /// window starting in January). A year-to-date or partial year shows both figures but
    /// no difference: a fraction of a year set against a whole one says nothing.
    public func comparing(with benchmark: GrowthBenchmark) throws -> GrowthReport {
        guard window.isCalendarYears else {
            throw DomainError.invalid(
                "benchmark", "published figures are by calendar year; compare them with a report by years, not the window \(window)")
        }
        // A hand-built benchmark may repeat a year (the parser refuses that): the first figure counts.
        let published = Dictionary(benchmark.figures.map { ($0.year, $0) }, uniquingKeysWith: { first, _ in first })
        var copy = self
        copy.benchmark = try years.map { period in
            let figure = published[period.year]
            var row = BenchmarkRow(
                year: period.year, state: period.state, publishedFen: figure?.amountFen, source: figure?.source,
                oursFen: period.principalFen)
            if let figure, period.state == .complete {
                let difference = try period.principalFen - figure.amountFen
                row.differenceFen = difference
                row.differenceBp = Bp.ratio(difference, figure.amountFen, rounding: .down)
            }
            return row
        }
        let covered = Set(years.map(\.year))
        copy.benchmarkYearsOutside = benchmark.figures.map(\.year).filter { !covered.contains($0) }.sorted()
        return copy
    }
}
