/// A value the ledger stores as one JSON scalar — an amount, a ratio, a date, an id, a code,
/// one of a closed set of words. Every event holds several; going through an `Encoder` or a
/// `Decoder` for each (an encoder or decoder, a container and a coding path made per field)
/// was most of what encoding or decoding an event cost. `JSONValueEncoder` and
/// `JSONValueDecoder` read and write them straight from and to the scalar.
public protocol JSONScalarValue: Codable {
    /// The value the scalar stands for, or nil where `init(from:)` would refuse it: the decoder
    /// then takes that path, so a refusal is the same error as before.
    init?(jsonScalar: JSONValue)

    /// The scalar `encode(to:)` writes, or nil where it would throw (the encoder then takes that
    /// path).
    var jsonScalar: JSONValue? { get }
}

extension ClosedSet {
    public init?(jsonScalar: JSONValue) {
        guard case .string(let text) = jsonScalar else { return nil }
        self.init(rawValue: text)
    }

    public var jsonScalar: JSONValue? { .string(rawValue) }
}

extension JSONScalarValue {
    /// An integer as the encoder writes it: nil where it refuses it (beyond ±(2^53 − 1)).
    static func safeInteger(_ value: Int64) -> JSONValue? { try? JSONValueEncoder.integer(value) }
}
