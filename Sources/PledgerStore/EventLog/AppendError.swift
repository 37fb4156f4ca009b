import Foundation
import PledgerDomain

/// Why an append was refused. Nothing was written.
public enum AppendError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: Int32)
    case idempotencyConflict(key: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream \(stream) is at version \(actual), the append expected \(expected); reload and retry"
        case .idempotencyConflict(let key):
            "idempotency key \"\(key)\" was already used for a different request"
        case .invalid(let reason): reason
        }
    }
}
