import Foundation
import PledgerDomain

/// The one idempotency mechanism of the ledger. A key is stored in the same statement as
/// the events it wrote, so it exists exactly when they do: a retry after a crash, a lost
/// connection or a timeout either finds the key and gets the first answer, or finds nothing
/// and may safely write.
///
/// `fingerprint` identifies what the caller asked for (for HTTP: method, route and body —
/// never server-made metadata such as a request id or the expected version the server
/// chose); the same key with another fingerprint is refused. `reply`, if given, renders
/// the caller's answer from the append's result; it is stored with the key and handed back
/// verbatim to every retry, so a retry gets the first answer byte for byte.
public struct Idempotency: Sendable, Hashable {
    public let key: String
    public let fingerprint: [UInt8]
    public let reply: (@Sendable (AppendResult) throws -> String)?

    public init(key: String, fingerprint: [UInt8], reply: (@Sendable (AppendResult) throws -> String)? = nil) {
        self.key = key
        self.fingerprint = fingerprint
        self.reply = reply
    }

    public static func == (lhs: Idempotency, rhs: Idempotency) -> Bool { lhs.key == rhs.key && lhs.fingerprint == rhs.fingerprint }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(fingerprint)
    }
}

/// What is stored under an idempotency key: who asked (fingerprint), what was written, and
/// the answer the caller rendered for it.
public struct IdempotencyRecord: Sendable {
    public let fingerprint: [UInt8]
    public let result: AppendResult
    public let reply: String?
}
