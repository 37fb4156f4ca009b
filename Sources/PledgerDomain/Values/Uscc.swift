/// 统一社会信用代码 — the 18-character Unified Social Credit Code of a Chinese organisation
/// (GB 32100-2015), with its check character verified. An invalid code cannot be constructed.
public struct Uscc: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    /// The 18 ASCII characters packed eight to a word, the first in the highest byte, so that
    /// comparing the words compares the codes. As a `String` every code would be a heap
    /// object of its own (only 15 bytes fit inline), and a national fund's cover book and a
    /// scheme's loans hold one per loan.
    private let head: UInt64
    private let middle: UInt64
    private let tail: UInt16

    public var value: String {
        String(unsafeUninitializedCapacity: 18) { buffer in
            for index in 0..<8 {
                buffer[index] = UInt8(truncatingIfNeeded: head >> (56 - 8 * index))
                buffer[8 + index] = UInt8(truncatingIfNeeded: middle >> (56 - 8 * index))
            }
            buffer[16] = UInt8(truncatingIfNeeded: tail >> 8)
            buffer[17] = UInt8(truncatingIfNeeded: tail)
            return 18
        }
    }

    /// The 31 characters the standard allows (no I, O, S, V, Z).
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public init(_ text: String, field: String = "uscc") throws {
        if let packed = Self.packed(text.utf8) {
            (head, middle, tail) = packed
            return
        }
        let characters = Array(text)
        guard characters.count == 18 else {
            throw DomainError.invalid(field, "\"\(text)\" has \(characters.count) characters; a USCC has 18")
        }
        var sum = 0
        // The alphabet's own ASCII bytes, not the text's: a character Swift takes for one of
        // the alphabet's (U+212A KELVIN SIGN is "K") is stored as the letter it stands for.
        var bytes: [UInt8] = []
        for (index, character) in characters.prefix(17).enumerated() {
            guard let code = Self.alphabet.firstIndex(of: character) else {
                let hint = character.isLowercase ? " (use capital letters)" : " (allowed: digits and ABCDEFGHJKLMNPQRTUWXY)"
                throw DomainError.invalid(field, "\"\(text)\" has '\(character)' at position \(index + 1)\(hint)")
            }
            sum += code * Self.weights[index]
            bytes.append(Self.alphabet[code].asciiValue!)
        }
        let check = Self.alphabet[(31 - sum % 31) % 31]
        guard characters[17] == check else {
            throw DomainError.invalid(field, "\"\(text)\" fails the GB 32100 check: the 18th character should be '\(check)'")
        }
        bytes.append(check.asciiValue!)
        func word(_ range: Range<Int>) -> UInt64 { bytes[range].reduce(0) { $0 << 8 | UInt64($1) } }
        head = word(0..<8)
        middle = word(8..<16)
        tail = UInt16(bytes[16]) << 8 | UInt16(bytes[17])
    }

    /// A code as it is stored: 18 bytes of the alphabet with the right check character, read
    /// without splitting the text into `Character`s. Anything else (an error to describe, a
    /// character that only stands for a letter) is nil and takes the general path.
    private static func packed(_ utf8: String.UTF8View) -> (UInt64, UInt64, UInt16)? {
        guard utf8.count == 18 else { return nil }
        var sum = 0
        var head: UInt64 = 0
        var middle: UInt64 = 0
        var tail: UInt16 = 0
        for (index, byte) in utf8.enumerated() {
            if index < 17 {
                let code = codes[Int(byte)]
                guard code >= 0 else { return nil }
                sum += Int(code) * weights[index]
            } else {
                guard byte == alphabet[(31 - sum % 31) % 31].asciiValue else { return nil }
            }
            switch index {
            case 0..<8: head = head << 8 | UInt64(byte)
            case 8..<16: middle = middle << 8 | UInt64(byte)
            default: tail = tail << 8 | UInt16(byte)
            }
        }
        return (head, middle, tail)
    }

    /// Each byte's place in the alphabet, or −1.
    private static let codes: [Int8] = (0..<256).map { byte in
        alphabet.firstIndex(of: Character(Unicode.Scalar(UInt8(byte)))).map { Int8($0) } ?? -1
    }

    /// Computes the check character for 17 leading characters (for generators and tests).
    public static func checkCharacter(for prefix: String) -> Character? {
        let characters = Array(prefix)
        guard characters.count == 17 else { return nil }
        var sum = 0
        for (index, character) in characters.enumerated() {
            guard let code = alphabet.firstIndex(of: character) else { return nil }
            sum += code * weights[index]
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    public static func < (lhs: Uscc, rhs: Uscc) -> Bool { (lhs.head, lhs.middle, lhs.tail) < (rhs.head, rhs.middle, rhs.tail) }
    public var description: String { value }

    public init?(jsonScalar: JSONValue) { self.init(validating: jsonScalar) { try Uscc($0) } }
    public var jsonScalar: JSONValue? { .string(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            try self.init(try container.decode(String.self))
        } catch let error as DomainError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
