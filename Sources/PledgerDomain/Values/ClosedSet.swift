/// A string enumeration as JSON reads it: a value outside the set is refused with the
/// allowed values named ("must be one of approve, reject"), never with a Swift type's name.
public protocol ClosedSet: RawRepresentable, CaseIterable, Codable, JSONScalarValue where RawValue == String {}

extension ClosedSet {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be one of \(Self.allowedValues) (got \"\(shown)\")")
        }
        self = value
    }

    /// The raw values in declaration order, for messages and help texts.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
