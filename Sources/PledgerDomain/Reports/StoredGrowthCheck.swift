/// The growth tables as stored (`rm_growth` by day, `rm_growth_months` by month), checked
/// row by row against the tally a rebuild made: when each stored row is one of the tally's
/// entries with the same sums, and there are as many rows as entries, the tables already hold
/// the tally and the rebuild need not write them. Checking here costs a read of the tables;
/// sending the tally to the database to be compared there cost a national rebuild two
/// seconds of the server's one busy core. The first row that differs settles it (`differs`),
/// and the rebuild then compares in the database as before.
public struct StoredGrowthCheck: Sendable {
    private struct RunName: Hashable {
        let scope: String, series: String, value: String
    }

    private let days: SumsByKey
    private let months: SumsByKey
    private let runs: [RunName: Int]
    /// Each run's names, by number: a stored name is the tally's only byte for byte (Swift's
    /// `==` on strings also takes canonically equivalent spellings, "K" for the Kelvin sign).
    private let names: [RunName]
    private var matchedDays = 0
    private var matchedMonths = 0
    /// A row was read that the tally does not hold as it is.
    public private(set) var differs = false

    public init(_ tally: GrowthTally) {
        days = tally.sums
        months = tally.monthSums
        names = tally.runs.map { RunName(scope: $0.scope, series: $0.seriesName, value: $0.value) }
        var runs: [RunName: Int] = [:]
        for (number, name) in names.enumerated() { runs[name] = number }
        self.runs = runs
    }

    /// One row of the table by day: `day` as its number (days since 1970-01-01), `month` and
    /// `previousMonth` as month indexes (`YearMonth.index`; −1 for no previous month).
    public mutating func day(scope: String, series: String, value: String, day: Int, month: Int, previousMonth: Int, sums: GrowthSums) {
        guard !differs, let key = key(scope, series, value, day, previousMonth), days[key] == sums,
            YearMonth(containing: BusinessDate(dayNumber: day)).index == month
        else {
            differs = true
            return
        }
        matchedDays += 1
    }

    /// One row of the table by month.
    public mutating func month(scope: String, series: String, value: String, month: Int, previousMonth: Int, sums: GrowthSums) {
        guard !differs, let key = key(scope, series, value, month, previousMonth), months[key] == sums else {
            differs = true
            return
        }
        matchedMonths += 1
    }

    /// Whether the rows read so far are exactly the tally's entries by day.
    public var daysMatch: Bool { !differs && matchedDays == days.count }
    /// Whether they are exactly its entries by day and by month: the tables hold the tally.
    public var holdsTally: Bool { daysMatch && matchedMonths == months.count }

    private func key(_ scope: String, _ series: String, _ value: String, _ day: Int, _ previousMonth: Int) -> UInt64? {
        guard previousMonth >= -1, let run = runs[RunName(scope: scope, series: series, value: value)],
            names[run].scope.utf8.elementsEqual(scope.utf8), names[run].series.utf8.elementsEqual(series.utf8),
            names[run].value.utf8.elementsEqual(value.utf8)
        else { return nil }
        return GrowthTally.key(inRange: run, day: day, previousMonth: previousMonth < 0 ? nil : previousMonth)
    }
}
