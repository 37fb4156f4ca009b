/// A calendar month, `2022-08`.
public struct YearMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int, field: String = "month") throws {
        guard (1900...2200).contains(year), (1...12).contains(month) else {
            throw DomainError.invalid(field, "\(year)-\(month) is not a month between 1900-01 and 2200-12")
        }
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init(parsing text: String, field: String = "month") throws {
        let b = Array(text.utf8)
        guard b.count == 7, b[4] == UInt8(ascii: "-"), let y = CivilCalendar.digits(b[0..<4]), let m = CivilCalendar.digits(b[5..<7]) else {
            throw DomainError.invalid(field, "\"\(text)\" is not a month like 2022-08")
        }
        try self.init(year: y, month: m, field: field)
    }

    /// The month a date falls in.
    public init(containing date: BusinessDate) {
        year = date.year
        month = date.month
    }

    /// Months since year 0, for arithmetic.
    public var index: Int { year * 12 + month - 1 }
    public init(index: Int) {
        year = index >= 0 ? index / 12 : (index - 11) / 12
        month = index - year * 12 + 1
    }

    public func adding(months: Int) -> YearMonth { YearMonth(index: index + months) }

    public var firstDay: BusinessDate { BusinessDate(dayNumber: CivilCalendar.dayNumber(year: year, month: month, day: 1)) }
    public var lastDay: BusinessDate {
        BusinessDate(dayNumber: CivilCalendar.dayNumber(year: year, month: month, day: CivilCalendar.daysIn(year: year, month: month)))
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool { lhs.index < rhs.index }
    public var description: String { "\(CivilCalendar.pad(year, 4))-\(CivilCalendar.pad(month, 2))" }
}

/// The months `from` through `to`, both included — e.g. the plan's acceptance period
/// `2022-08:2025-08` — which the growth report splits into consecutive 12-month periods
/// from `from`: 2022-08..2023-07, 2023-08..2024-07, 2024-08..2025-07 and, because the
/// window runs on into 2025-08, a final **partial** period 2025-08..2025-08. A window
/// starting in January is a range of calendar years (its periods are labelled `2024`).
///
/// The first period is the base: growth and CAGR are measured from it. A partial final
/// period is shown, compared with the same months one period earlier, and left out of the
/// CAGR and of the every-period verdict (see `GrowthReport`). To judge exactly three whole
/// periods of growth, give a window of four whole periods ending the month before, e.g.
/// `2021-08:2025-07`.
public struct MonthWindow: Sendable, Hashable, CustomStringConvertible {
    public let from: YearMonth
    public let to: YearMonth

    public init(from: YearMonth, to: YearMonth, field: String = "window") throws {
        guard from <= to else { throw DomainError.invalid(field, "the window must run forwards (got \(from):\(to))") }
        self.from = from
        self.to = to
    }

    /// Parses `2022-08:2025-08` (first and last month, both included).
    public init(parsing text: String, field: String = "window") throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw DomainError.invalid(field, "\"\(text)\" is not a window of months like 2022-08:2025-08") }
        try self.init(
            from: try YearMonth(parsing: String(parts[0]), field: field), to: try YearMonth(parsing: String(parts[1]), field: field),
            field: field)
    }

    /// The calendar years `from` through `to`: January of the first to December of the last.
    public static func years(_ from: Int, _ to: Int) throws -> MonthWindow {
        guard (1900...2200).contains(from), (1900...2200).contains(to), from <= to else {
            throw DomainError.invalid("from", "years must run forwards within 1900–2200 (got \(from)–\(to))")
        }
        return try MonthWindow(from: try YearMonth(year: from, month: 1), to: try YearMonth(year: to, month: 12))
    }

    /// How many months the window holds.
    public var months: Int { to.index - from.index + 1 }
    /// Whether its periods are calendar years (it starts in January).
    public var isCalendarYears: Bool { from.month == 1 }
    public var description: String { "\(from):\(to)" }
}

extension GrowthReport {
    /// How much of a period the report covers.
    public enum PeriodState: String, Sendable, Hashable, CaseIterable {
        /// All twelve months, all before (or on) `asOf`.
        case complete
        /// Cut at `asOf`, which falls inside it: counted from its start through `asOf` and
        /// compared with the same span one period earlier (同比). Provisional.
        case yearToDate = "ytd"
        /// The window's final period, shorter than twelve months; compared with the same
        /// months one period earlier.
        case partial
        /// Begins after `asOf`: nothing counted, nothing judged.
        case notBegun = "not_begun"
    }

    /// One period of a window before any loan is counted.
    struct Span {
        var label: String
        var year: Int
        var start: BusinessDate
        var end: BusinessDate
        var through: BusinessDate?
        var state: PeriodState
        /// The same span one period (twelve months) earlier.
        var base: ClosedRange<BusinessDate>?
    }

    /// Splits a window into 12-month periods and cuts them at `asOf`.
    static func spans(_ window: MonthWindow, asOf: BusinessDate?) -> [Span] {
        var spans: [Span] = []
        var first = window.from
        while first <= window.to {
            let last = min(first.adding(months: 11), window.to)
            let label = window.isCalendarYears ? String(first.year) : "\(first)..\(last)"
            let start = first.firstDay
            let end = last.lastDay
            var span = Span(
                label: label, year: first.year, start: start, end: end, through: end,
                state: last == first.adding(months: 11) ? .complete : .partial)
            if let asOf, asOf < start {
                span.state = .notBegun
                span.through = nil
            } else if let asOf, asOf < end {
                span.state = .yearToDate
                span.through = asOf
            }
            if !spans.isEmpty, let through = span.through {
                span.base = start.adding(months: -12)...sameDayLastYear(through)
            }
            spans.append(span)
            first = first.adding(months: 12)
        }
        return spans
    }

    /// The day twelve months before, for a same-period comparison: the last day of a month
    /// maps to the last day of that month a year earlier (through 2025-02-28 compares with
    /// through 2024-02-29 — all of February either way), any other day to the same day
    /// (2028-02-29 → 2027-02-28 by clamping).
    static func sameDayLastYear(_ date: BusinessDate) -> BusinessDate {
        let month = YearMonth(containing: date)
        if date == month.lastDay { return month.adding(months: -12).lastDay }
        return date.adding(months: -12)
    }
}
