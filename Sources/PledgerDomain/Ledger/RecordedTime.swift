import Foundation

/// When the ledger accepted an event (`recorded_at`): microseconds since the Unix epoch,
/// UTC. Kept as an integer so it survives Postgres, JSON and the hash chain bit for bit.
public struct RecordedTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func now() -> RecordedTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return RecordedTime(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public static func < (lhs: RecordedTime, rhs: RecordedTime) -> Bool { lhs.microseconds < rhs.microseconds }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the form the hash chain covers.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `description`'s bytes (the hash chain writes them for every event).
    public func write(into out: inout [UInt8]) {
        if withFixedWidth({ out.append(contentsOf: $0) }) { return }
        let (y, m, d, secondOfDay, fraction) = parts
        let pad = CivilCalendar.writePadded
        pad(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        pad(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        pad(d, 2, &out)
        out.append(UInt8(ascii: "T"))
        pad(secondOfDay / 3600, 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(secondOfDay / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(secondOfDay % 60, 2, &out)
        out.append(UInt8(ascii: "."))
        pad(fraction, 6, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `write` through a cursor with room for 40 bytes.
    func write(to cursor: inout ByteCursor) {
        if withFixedWidth({ cursor.put($0) }) { return }
        var text: [UInt8] = []
        write(into: &text)
        text.withUnsafeBufferPointer { cursor.put($0) }
    }

    /// The civil date and time of day, UTC.
    private var parts: (year: Int, month: Int, day: Int, secondOfDay: Int, fraction: Int) {
        let micros = microseconds
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = Int(micros - seconds * 1_000_000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = CivilCalendar.civil(dayNumber: Int(days))
        return (y, m, d, Int(seconds - days * 86_400), fraction)
    }

    /// The usual case, years 0…9999: the 27 bytes as fixed-width digits in a stack buffer,
    /// handed to `body` (once per verified event). False, and nothing handed, for other years.
    private func withFixedWidth(_ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        let (y, m, d, secondOfDay, fraction) = parts
        guard (0...9999).contains(y) else { return false }
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { raw in
            let b = raw.bindMemory(to: UInt8.self)
            func put(_ value: Int, _ width: Int, at index: Int) {
                var value = value
                for i in stride(from: index + width - 1, through: index, by: -1) {
                    b[i] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(y, 4, at: 0)
            b[4] = UInt8(ascii: "-")
            put(m, 2, at: 5)
            b[7] = UInt8(ascii: "-")
            put(d, 2, at: 8)
            b[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, 2, at: 11)
            b[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14)
            b[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17)
            b[19] = UInt8(ascii: ".")
            put(fraction, 6, at: 20)
            b[26] = UInt8(ascii: "Z")
            body(UnsafeBufferPointer(rebasing: b[0..<27]))
        }
        return true
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)` and a bare date `YYYY-MM-DD`
    /// (the start of that day in China time, UTC+8, since business dates are China dates).
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let y = CivilCalendar.digits(b[0..<4]), let mo = CivilCalendar.digits(b[5..<7]),
            let d = CivilCalendar.digits(b[8..<10]), (1...12).contains(mo), (1...CivilCalendar.daysIn(year: y, month: mo)).contains(d)
        else { return nil }
        let day = Int64(CivilCalendar.dayNumber(year: y, month: mo, day: d))
        if b.count == 10 {
            self.init(microseconds: (day * 86_400 - 8 * 3600) * 1_000_000)
            return
        }
        guard b.count >= 19, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"),
            let h = CivilCalendar.digits(b[11..<13]), let mi = CivilCalendar.digits(b[14..<16]), let s = CivilCalendar.digits(b[17..<19]),
            h < 24, mi < 60, s < 60
        else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            let start = i + 1
            i = start
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
            guard i > start, i - start <= 6, let f = CivilCalendar.digits(b[start..<i]) else { return nil }
            micros = f
            for _ in 0..<(6 - (i - start)) { micros *= 10 }
        }
        var offsetSeconds = 0
        if i == b.count - 1, b[i] == UInt8(ascii: "Z") {
            offsetSeconds = 0
        } else if i == b.count - 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
            let oh = CivilCalendar.digits(b[(i + 1)..<(i + 3)]), let om = CivilCalendar.digits(b[(i + 4)..<(i + 6)])
        {
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let seconds = day * 86_400 + Int64(h * 3600 + mi * 60 + s - offsetSeconds)
        self.init(microseconds: seconds * 1_000_000 + Int64(micros))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = RecordedTime(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a timestamp like 2025-01-15T08:00:00Z"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Duration {
    /// The duration as floating-point seconds, for rates and progress (never for money).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
