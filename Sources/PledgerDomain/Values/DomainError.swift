/// A business rule refused a command, or a value failed validation. Carries the field at
/// fault (snake_case, as in the JSON) and a sentence for a person; `code` is stable and
/// becomes the problem+json `type` and the CLI's message prefix.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Code
    public let field: String
    public let message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }

    /// Classes of refusal; each maps to one documented problem type.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A value is malformed (bad USCC, negative amount, unparseable date…).
        case invalidValue = "invalid-value"
        /// The thing the command refers to does not exist.
        case notFound = "not-found"
        /// The thing already exists or was already done (registered twice, paid twice…).
        case duplicate = "duplicate"
        /// The command does not fit the current state (repay a closed loan, claim before default…).
        case invalidState = "invalid-state"
        /// An amount exceeds what the rules allow (repayment above outstanding, claim above its limit…).
        case limitExceeded = "limit-exceeded"
        /// Dates out of order (maturity before origination, repayment before origination…).
        case dateOrder = "date-order"
        /// The fund's policy forbids it (suspended fund, ineligible asset, term or pledge rate too high…).
        case policyViolation = "policy-violation"
    }
}

extension DomainError {
    public static func invalid(_ field: String, _ message: String) -> DomainError { DomainError(.invalidValue, field: field, message) }
}
