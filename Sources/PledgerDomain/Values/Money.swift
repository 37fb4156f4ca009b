/// An amount of Chinese yuan in fen (1 yuan = 100 fen), as an exact `Int64`. Arithmetic
/// that would overflow throws instead of wrapping or trapping; there is no floating point.
public struct Money: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    public let fen: Int64

    public static let zero = Money(fen: 0)

    /// 2^53 − 1 fen (90,071,992,547,409.91 yuan): the largest amount or total the ledger
    /// stores. JSON clients that read numbers as doubles (every JavaScript one) are exact only
    /// up to 2^53, so commands carry no more and deciders refuse what would take a running
    /// total past it — which also keeps any sum of stored amounts far from Int64's limit.
    public static let maximum = Money(fen: JSONValue.maxSafeInteger)

    public init(fen: Int64) { self.fen = fen }

    public init(yuan: Int64) throws {
        let (value, overflow) = yuan.multipliedReportingOverflow(by: 100)
        guard !overflow else { throw DomainError.invalid("amount", "\(yuan) yuan is too large") }
        fen = value
    }

    /// Parses `12345.67`, `12,345.67`, `-0.5`, `100` (yuan, at most two decimals; thousands
    /// separators only in groups of three).
    public init(parsing text: String, field: String = "amount") throws {
        var digits = Substring(text.trimmingCharactersInWhitespace())
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integerPart = parts.first, !integerPart.isEmpty else {
            throw DomainError.invalid(field, "\"\(text)\" is not an amount in yuan like 12345.67")
        }
        let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                throw DomainError.invalid(field, "\"\(text)\" has misplaced thousands separators")
            }
        }
        let whole = groups.joined()
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else {
            throw DomainError.invalid(field, "\"\(text)\" is not an amount in yuan like 12345.67")
        }
        guard fraction.count <= 2, !(parts.count == 2 && fraction.isEmpty) else {
            throw DomainError.invalid(field, "\"\(text)\" has more than two decimals (amounts are exact to the fen)")
        }
        guard whole.count <= 17, let yuan = Int64(whole), let cents = Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0))
        else {
            throw DomainError.invalid(field, "\"\(text)\" is too large")
        }
        let (scaled, overflow) = yuan.multipliedReportingOverflow(by: 100)
        let (total, overflow2) = scaled.addingReportingOverflow(cents)
        guard !overflow, !overflow2, total <= Money.maximum.fen else {
            throw DomainError.invalid(field, "\"\(text)\" is above the ledger's maximum amount of \(Money.maximum)")
        }
        fen = negative ? -total : total
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    public static func + (lhs: Money, rhs: Money) throws -> Money {
        let (value, overflow) = lhs.fen.addingReportingOverflow(rhs.fen)
        guard !overflow else {
            throw DomainError(.limitExceeded, field: "amount", "\(lhs) + \(rhs) overflows; the ledger holds at most \(maximum)")
        }
        return Money(fen: value)
    }

    public static func - (lhs: Money, rhs: Money) throws -> Money {
        let (value, overflow) = lhs.fen.subtractingReportingOverflow(rhs.fen)
        guard !overflow else {
            throw DomainError(.limitExceeded, field: "amount", "\(lhs) − \(rhs) overflows; the ledger holds at most \(maximum)")
        }
        return Money(fen: value)
    }

    public static func += (lhs: inout Money, rhs: Money) throws { lhs = try lhs + rhs }
    public static func -= (lhs: inout Money, rhs: Money) throws { lhs = try lhs - rhs }

    /// `self + amount` as the new value of a running total a decider keeps, refused with
    /// `.limitExceeded` on the command's `field` when it would pass `maximum`. `total` names
    /// the total in the refusal ("repaid interest of loan B/C").
    @discardableResult
    public func adding(_ amount: Money, toTotal total: String, field: String) throws -> Money {
        let (sum, overflow) = fen.addingReportingOverflow(amount.fen)
        guard !overflow, sum <= Money.maximum.fen else {
            throw DomainError(
                .limitExceeded, field: field,
                "\(total) is \(self); \(amount) more would take it above the ledger's maximum of \(Money.maximum)")
        }
        return Money(fen: sum)
    }

    /// The sum of `amounts` for a report, refused with `.limitExceeded` on `field` when it
    /// would pass `maximum` — which only a log holding amounts the deciders now refuse can do.
    public static func total(_ amounts: some Sequence<Money>, of total: String, field: String) throws -> Money {
        var sum = Money.zero
        for amount in amounts {
            let (value, overflow) = sum.fen.addingReportingOverflow(amount.fen)
            guard !overflow, value.magnitude <= maximum.fen.magnitude else {
                throw DomainError(.limitExceeded, field: field, "\(total) exceeds the ledger's maximum of \(maximum)")
            }
            sum = Money(fen: value)
        }
        return sum
    }

    /// `self + other` held within ±`maximum`, for folds. Deciders keep every total within
    /// `maximum`, so for logs they wrote this is exact addition and never saturates; it only
    /// keeps a hostile log written before they did foldable, where a trap would make every
    /// replay fail forever.
    public func adding(saturating other: Money) -> Money {
        let (value, overflow) = fen.addingReportingOverflow(other.fen)
        if overflow { return fen < 0 ? Money(fen: -Money.maximum.fen) : .maximum }
        return Money(fen: min(max(value, -Money.maximum.fen), Money.maximum.fen))
    }

    /// `self − other`, held within ±`maximum` as `adding(saturating:)` is.
    public func subtracting(saturating other: Money) -> Money {
        let (negated, overflow) = Int64(0).subtractingReportingOverflow(other.fen)
        return adding(saturating: overflow ? .maximum : Money(fen: negated))
    }

    public var isPositive: Bool { fen > 0 }
    public var isNegative: Bool { fen < 0 }

    /// `self × numerator ÷ denominator` computed in 128 bits, rounded as asked. The only way
    /// the ledger scales money — so every rounding is explicit at its call site.
    public func scaled(by numerator: Int64, over denominator: Int64, rounding: Rounding) throws -> Money {
        guard denominator > 0 else { throw DomainError.invalid("amount", "cannot divide by \(denominator)") }
        let negative = (fen < 0) != (numerator < 0)
        let product = fen.magnitude.multipliedFullWidth(by: numerator.magnitude)
        guard product.high < UInt64(denominator) else { throw DomainError.invalid("amount", "result overflows") }
        let (exact, remainder) = UInt64(denominator).dividingFullWidth(product)
        // Magnitude first, then the direction: away from zero for .up on positives and
        // .down on negatives, toward zero otherwise.
        let (quotient, carried) = remainder != 0 && (rounding == .up) != negative ? exact.addingReportingOverflow(1) : (exact, false)
        guard !carried, quotient <= UInt64(Int64.max) else { throw DomainError.invalid("amount", "result overflows") }
        return Money(fen: negative ? -Int64(quotient) : Int64(quotient))
    }

    /// `self × bp ÷ 10000`.
    public func applying(_ ratio: Bp, rounding: Rounding) throws -> Money {
        try scaled(by: Int64(ratio.value), over: 10_000, rounding: rounding)
    }

    /// Plain yuan with two decimals: `-12345.67`.
    public var plainYuan: String {
        let magnitude = fen.magnitude
        let text = "\(magnitude / 100).\(magnitude % 100 < 10 ? "0" : "")\(magnitude % 100)"
        return fen < 0 ? "-" + text : text
    }

    /// Yuan with thousands separators: `-12,345.67`.
    public var description: String {
        let magnitude = fen.magnitude
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + whole + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    public init(from decoder: any Decoder) throws {
        fen = try decoder.singleValueContainer().decode(Int64.self)
    }

    public init?(jsonScalar: JSONValue) {
        guard case .integer(let fen) = jsonScalar else { return nil }
        self.fen = fen
    }

    public var jsonScalar: JSONValue? { Self.safeInteger(fen) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}

/// Which way an inexact division goes. The ledger always states it, and picks the
/// direction that favours the public fund (payouts and limits down, returns up).
public enum Rounding: Sendable {
    /// Toward negative infinity (floor).
    case down
    /// Toward positive infinity (ceiling).
    case up
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) && isASCII }
}

extension StringProtocol {
    func trimmingCharactersInWhitespace() -> Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
