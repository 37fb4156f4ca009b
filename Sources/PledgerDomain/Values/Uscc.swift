/// 统一社会信用代码 — the 18-character Unified Social Credit Code of a Chinese organisation
/// (GB 32100-2015), with its check character verified. An invalid code cannot be constructed.
public struct Uscc: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    /// The 31 characters the standard allows (no I, O, S, V, Z).
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public init(_ text: String, field: String = "uscc") throws {
        let characters = Array(text)
        guard characters.count == 18 else {
            throw DomainError.invalid(field, "\"\(text)\" has \(characters.count) characters; a USCC has 18")
        }
        var sum = 0
        for (index, character) in characters.prefix(17).enumerated() {
            guard let code = Self.alphabet.firstIndex(of: character) else {
                let hint = character.isLowercase ? " (use capital letters)" : " (allowed: digits and ABCDEFGHJKLMNPQRTUWXY)"
                throw DomainError.invalid(field, "\"\(text)\" has '\(character)' at position \(index + 1)\(hint)")
            }
            sum += code * Self.weights[index]
        }
        let check = Self.alphabet[(31 - sum % 31) % 31]
        guard characters[17] == check else {
            throw DomainError.invalid(field, "\"\(text)\" fails the GB 32100 check: the 18th character should be '\(check)'")
        }
        value = text
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

    public static func < (lhs: Uscc, rhs: Uscc) -> Bool { lhs.value < rhs.value }
    public var description: String { value }

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
