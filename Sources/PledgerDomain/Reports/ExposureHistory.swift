/// The dates an exposure page draws the fund at: the end of each month from the month the
/// fund was established, at most `monthLimit` months, through `asOf` — whose own date closes
/// the series when it is not a month end, so the last point is the report the page prints.
/// Each point is a whole `ExposureReport` as of its date (the same figures
/// `report exposure --as-of` gives), so a chart never shows a figure no report would.
public enum ExposureHistory {
    /// Five years of month ends: enough to see a trend, few enough folds to stay quick.
    public static let monthLimit = 60

    public static func dates(establishedOn: BusinessDate?, through asOf: BusinessDate, limit: Int = monthLimit) -> [BusinessDate] {
        let last = YearMonth(containing: asOf)
        var first = last.adding(months: -(max(limit, 1) - 1))
        if let establishedOn { first = max(first, YearMonth(containing: establishedOn)) }
        guard first <= last else { return [asOf] }
        var dates: [BusinessDate] = []
        var month = first
        while month < last {
            dates.append(month.lastDay)
            month = month.adding(months: 1)
        }
        dates.append(asOf)
        return dates
    }
}
