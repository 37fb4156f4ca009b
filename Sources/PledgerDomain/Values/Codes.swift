/// A GB/T 2260 administrative division code: six digits whose first two name a province.
public struct RegionCode: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    public let value: String

    static let provinces: Set<String> = [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ]

    public init(_ text: String, field: String = "region") throws {
        guard text.count == 6, text.allSatisfy(\.isASCIIDigit), Self.provinces.contains(String(text.prefix(2))) else {
            throw DomainError.invalid(field, "\"\(text)\" is not a GB/T 2260 region code (six digits, e.g. 211303)")
        }
        value = text
    }

    /// The province-level code, `21` → `210000`.
    public var province: String { String(value.prefix(2)) + "0000" }

    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.value < rhs.value }
    public var description: String { value }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder) { try RegionCode($0) } }
    public init?(jsonScalar: JSONValue) { self.init(validating: jsonScalar) { try RegionCode($0) } }
    public var jsonScalar: JSONValue? { .string(value) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// A GB/T 4754 industry code: a section letter (A–T), optionally with a 2-, 3- or 4-digit
/// division, group or class — e.g. `C`, `C38`, `C384`, `C3841` (lithium-ion batteries).
public struct IndustryCode: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    public let value: String

    public init(_ text: String, field: String = "industry") throws {
        // ASCII first: a Character range test admits "B" followed by a combining mark.
        let characters = Array(text)
        guard text.unicodeScalars.allSatisfy(\.isASCII), let section = characters.first, ("A"..."T").contains(section),
            [1, 3, 4, 5].contains(characters.count),
            characters.dropFirst().allSatisfy(\.isASCIIDigit)
        else {
            throw DomainError.invalid(field, "\"\(text)\" is not a GB/T 4754 industry code (e.g. C3841)")
        }
        value = text
    }

    /// The section letter: `C` for manufacturing.
    public var section: String { String(value.prefix(1)) }
    /// The two-digit division when present: `C38`.
    public var division: String { String(value.prefix(3)) }

    public static func < (lhs: IndustryCode, rhs: IndustryCode) -> Bool { lhs.value < rhs.value }
    public var description: String { value }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder) { try IndustryCode($0) } }
    public init?(jsonScalar: JSONValue) { self.init(validating: jsonScalar) { try IndustryCode($0) } }
    public var jsonScalar: JSONValue? { .string(value) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// Decodes a string and validates it with a throwing initializer, so invalid stored or
/// submitted JSON is a decoding error naming the field.
func decodeValidated<T>(_ decoder: any Decoder, _ make: (String) throws -> T) throws -> T {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
        return try make(text)
    } catch let error as DomainError {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
    }
}

extension JSONScalarValue {
    /// `decodeValidated`'s reading of a string, without a decoder: nil where it would throw.
    init?(validating scalar: JSONValue, _ make: (String) throws -> Self) {
        guard case .string(let text) = scalar, let value = try? make(text) else { return nil }
        self = value
    }
}
