import Foundation

/// Canonical JSON: UTF-8, keys sorted by code point, no whitespace, integers
/// only, strings escaped as RFC 8785 does. Byte-identical to Python's
/// `json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
public enum CanonicalJSON {
    public static func string(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    /// Encodes a `Codable` value canonically. Fails if it contains a floating-point number.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        string(try jsonValue(value))
    }

    public static func jsonValue<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONParser.parse(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decode(type, from: string(value))
    }

    /// Re-serialises any JSON text canonically (validating it on the way).
    public static func canonicalize(_ text: String) throws -> String {
        string(try JSONParser.parse(text))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Escapes as RFC 8785 / Python with `ensure_ascii=False`: the two mandatory escapes,
    /// the five short control escapes, other C0 controls as `\u00xx`, everything else literal.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        writeString(bytes: text.utf8, into: &out)
    }

    /// `writeString` through a cursor with room for six bytes a byte and the quotes.
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to cursor: inout ByteCursor) {
        guard bytes.contains(where: needsEscape) else {
            cursor.put(UInt8(ascii: "\""))
            cursor.put(bytes)
            cursor.put(UInt8(ascii: "\""))
            return
        }
        var escaped: [UInt8] = []
        writeString(bytes: bytes, into: &escaped)
        escaped.withUnsafeBufferPointer { cursor.put($0) }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// `String(number)`'s bytes.
    public static func writeInteger(_ number: Int64, into out: inout [UInt8]) {
        withDecimal(number) { out.append(contentsOf: $0) }
    }

    /// `writeInteger` through a cursor (with room for 20 bytes).
    static func writeInteger(_ number: Int64, to cursor: inout ByteCursor) {
        withDecimal(number) { cursor.put($0) }
    }

    /// `String(number)`'s bytes, written right to left into a stack buffer (it runs three
    /// times per event when the chain is verified; a rebuild's `COPY` rows use it too).
    public static func withDecimal(_ number: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var magnitude = number.magnitude
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "-")
            }
            body(UnsafeBufferPointer(rebasing: buffer[index...]))
        }
    }

    /// How many bytes `String(number)` has, sign included.
    static func decimalLength(_ number: Int64) -> Int {
        var magnitude = number.magnitude
        var length = number < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            length += 1
        }
        return length
    }

    private static func writeString<Bytes: Sequence<UInt8>>(bytes: Bytes, into out: inout [UInt8]) {
        // Most text needs no escape: then it is appended whole (every key and string value
        // of an event's data, when its canonical text is written).
        let plain = bytes.withContiguousStorageIfAvailable { text in
            guard !text.contains(where: needsEscape) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: text)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if plain == true { return }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [
                    0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
