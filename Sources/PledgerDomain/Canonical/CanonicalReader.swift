/// Reads an event's stored data member by member where it is in canonical form (keys sorted,
/// no whitespace, no escapes), without building a `JSONValue` tree: a rebuild decodes a loan's
/// founding event 170,000 times at national size, and parsing it into a tree, reading the
/// tree and freeing it was most of the rebuild's decoding.
///
/// Every read returns nil, never a guess, where the text is not exactly what the reader
/// expects: another key, a key missing, whitespace, an escape, a number `JSONParser` reads
/// otherwise or refuses, a scalar its type refuses. The caller then parses the text
/// (`LedgerEvent.decode`), which gives the same value or its usual error; so an event is
/// read the same either way (`CanonicalReaderTests`).
struct CanonicalReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Whether every byte was read.
    var atEnd: Bool { index == bytes.count }

    /// Steps over `text` if it comes next (punctuation and keys: `{"bank_id":`).
    mutating func skip(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// Whether `byte` comes next (not stepped over).
    func next(is byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    /// A string without escapes, as `JSONParser` reads one: nil at an escape (the parser reads
    /// those), a control character or invalid UTF-8 (it refuses those).
    mutating func string() -> String? {
        guard skip("\"") else { return nil }
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return ascii ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        return nil
    }

    /// An integer as `JSONParser` reads one, but only where it reads it plainly: digits without
    /// a leading zero, at most 16 of them and within ±(2^53 − 1), not followed by a fraction
    /// or an exponent; "-0" is left to the parser.
    mutating func integer() -> Int64? {
        var at = index
        let negative = at < bytes.count && bytes[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        let digits = at
        var magnitude: Int64 = 0
        while at < bytes.count, at - digits < 17, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) {
            magnitude = magnitude * 10 + Int64(bytes[at] - UInt8(ascii: "0"))
            at += 1
        }
        let count = at - digits
        guard count > 0, count <= 16, magnitude <= JSONValue.maxSafeInteger,
            !(bytes[digits] == UInt8(ascii: "0") && (count > 1 || negative))
        else { return nil }
        if at < bytes.count,
            [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[at])
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at])
        {
            return nil
        }
        index = at
        return negative ? -magnitude : magnitude
    }

    mutating func bool() -> Bool? {
        if skip("true") { return true }
        if skip("false") { return false }
        return nil
    }

    /// A scalar member's value read as `JSONMembers` reads it: the string or integer, given to
    /// `Value(jsonScalar:)`.
    mutating func scalar<Value: JSONScalarValue>(_ type: Value.Type = Value.self) -> Value? {
        if next(is: UInt8(ascii: "\"")) { return string().flatMap { Value(jsonScalar: .string($0)) } }
        return integer().flatMap { Value(jsonScalar: .integer($0)) }
    }

    /// The value of the member `key` (written as `,"key":`, or with `{` for the first) if it
    /// comes next; `.some(nil)` when it does not (an optional left out), nil when it does and
    /// its value is refused.
    mutating func optional<Value: JSONScalarValue>(_ key: StaticString, _ type: Value.Type = Value.self) -> Value?? {
        guard skip(key) else { return .some(nil) }
        return scalar(Value.self).map { .some($0) }
    }
}
