/// A ratio in basis points: 10000 = 100%. Coverage, rates, pledge rates, growth and the
/// non-performing ratio are all `Bp`, so no ratio is ever a floating-point number.
public struct Bp: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    public let value: Int64

    public static let zero = Bp(0)

    public init(_ value: Int64) { self.value = value }

    /// A ratio validated to lie in `range` (e.g. a coverage ratio must be 0–100%).
    public init(_ value: Int64, within range: ClosedRange<Int64>, field: String) throws {
        guard range.contains(value) else {
            throw DomainError.invalid(field, "\(value) bp is outside \(range.lowerBound)–\(range.upperBound) bp")
        }
        self.value = value
    }

    /// `numerator ÷ denominator` in basis points, rounded as asked; nil when the denominator
    /// is 0, or when the ratio is beyond ±(2^53 − 1) bp — more than JSON carries exactly, and
    /// reachable only by dividing a huge amount by a few fen.
    public static func ratio(_ numerator: Money, _ denominator: Money, rounding: Rounding) -> Bp? {
        guard denominator.fen != 0 else { return nil }
        let flip = denominator.fen < 0
        let (top, topOverflow) = flip ? Int64(0).subtractingReportingOverflow(numerator.fen) : (numerator.fen, false)
        let (bottom, bottomOverflow) = flip ? Int64(0).subtractingReportingOverflow(denominator.fen) : (denominator.fen, false)
        guard !topOverflow, !bottomOverflow, let scaled = try? Money(fen: top).scaled(by: 10_000, over: bottom, rounding: rounding),
            scaled.fen.magnitude <= UInt64(JSONValue.maxSafeInteger)
        else { return nil }
        return Bp(scaled.fen)
    }

    public static func < (lhs: Bp, rhs: Bp) -> Bool { lhs.value < rhs.value }

    /// `40.00%`: exactly, as every report prints a ratio (see `Percent`).
    public var percent: String { Percent.text(self) }

    public var description: String { "\(value) bp" }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Int64.self)
    }

    public init?(jsonScalar: JSONValue) {
        guard case .integer(let value) = jsonScalar else { return nil }
        self.value = value
    }

    public var jsonScalar: JSONValue? { Self.safeInteger(value) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
