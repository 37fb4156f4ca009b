/// A value the ledger stores as one JSON scalar — an amount, a ratio, a date, an id, a code,
/// one of a closed set of words. Every event read from the log holds several; reading them
/// through a `Decoder` (a decoder, a container and a coding path made for each) was most of
/// what decoding an event cost. `JSONValueDecoder` reads them straight from the scalar.
public protocol JSONScalarValue: Decodable {
    /// The value the scalar stands for, or nil where `init(from:)` would refuse it: the decoder
    /// then takes that path, so a refusal is the same error as before.
    init?(jsonScalar: JSONValue)
}

extension ClosedSet {
    public init?(jsonScalar: JSONValue) {
        guard case .string(let text) = jsonScalar else { return nil }
        self.init(rawValue: text)
    }
}
