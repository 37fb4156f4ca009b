import Foundation
import PledgerDomain

/// What a writer expects a stream's version to be before its events are appended
/// (optimistic concurrency).
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the version is.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be at exactly this version (≥ 1).
    case exact(Int32)

    func admits(current: Int32) -> Bool {
        switch self {
        case .any: true
        case .noStream: current == 0
        case .exact(let version): version == current
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no_stream"
        case .exact(let version): String(version)
        }
    }
}
