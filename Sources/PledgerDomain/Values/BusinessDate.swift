/// A business (effective) date, `YYYY-MM-DD`, in China's calendar day (UTC+8, no DST).
/// Stored as a day number so that comparisons and day counts are exact integer operations.
public struct BusinessDate: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    public init(year: Int, month: Int, day: Int, field: String = "date") throws {
        guard (1900...2200).contains(year), (1...12).contains(month), (1...CivilCalendar.daysIn(year: year, month: month)).contains(day)
        else {
            throw DomainError.invalid(field, "\(year)-\(month)-\(day) is not a calendar date between 1900 and 2200")
        }
        dayNumber = CivilCalendar.dayNumber(year: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init(parsing text: String, field: String = "date") throws {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let y = CivilCalendar.digits(b[0..<4]), let m = CivilCalendar.digits(b[5..<7]), let d = CivilCalendar.digits(b[8..<10])
        else { throw DomainError.invalid(field, "\"\(text)\" is not a date like 2025-03-31") }
        try self.init(year: y, month: m, day: d, field: field)
    }

    /// The China calendar day that contains a recorded instant.
    public init(containing time: RecordedTime) {
        let chinaSeconds = time.microseconds / 1_000_000 + 8 * 3600
        dayNumber = Int(chinaSeconds >= 0 ? chinaSeconds / 86_400 : (chinaSeconds - 86_399) / 86_400)
    }

    public var year: Int { CivilCalendar.civil(dayNumber: dayNumber).year }
    public var month: Int { CivilCalendar.civil(dayNumber: dayNumber).month }
    public var day: Int { CivilCalendar.civil(dayNumber: dayNumber).day }

    public static func < (lhs: BusinessDate, rhs: BusinessDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public func adding(days: Int) -> BusinessDate { BusinessDate(dayNumber: dayNumber + days) }

    /// Same day `months` later, clamped to the month's end (2024-01-31 + 1 month = 2024-02-29).
    public func adding(months: Int) -> BusinessDate {
        let (y, m, d) = CivilCalendar.civil(dayNumber: dayNumber)
        let total = y * 12 + (m - 1) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        return BusinessDate(
            dayNumber: CivilCalendar.dayNumber(year: year, month: month, day: min(d, CivilCalendar.daysIn(year: year, month: month))))
    }

    public func days(until later: BusinessDate) -> Int { later.dayNumber - dayNumber }

    /// Whole months from `self` to `later` (a term of 2024-03-15 → 2025-03-15 is 12).
    public func wholeMonths(until later: BusinessDate) -> Int {
        let (y1, m1, d1) = CivilCalendar.civil(dayNumber: dayNumber)
        let (y2, m2, d2) = CivilCalendar.civil(dayNumber: later.dayNumber)
        var months = (y2 - y1) * 12 + (m2 - m1)
        let endOfMonthCatchUp = d2 == CivilCalendar.daysIn(year: y2, month: m2) && d1 > d2
        if d2 < d1 && !endOfMonthCatchUp { months -= 1 }
        return months
    }

    public var description: String {
        let (y, m, d) = CivilCalendar.civil(dayNumber: dayNumber)
        return "\(CivilCalendar.pad(y, 4))-\(CivilCalendar.pad(m, 2))-\(CivilCalendar.pad(d, 2))"
    }

    public init?(jsonScalar: JSONValue) { self.init(validating: jsonScalar) { try BusinessDate(parsing: $0) } }
    public var jsonScalar: JSONValue? { .string(description) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text, field: decoder.codingPath.last?.stringValue ?? "date")
        } catch let error as DomainError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
