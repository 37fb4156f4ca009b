/// Walks the log in position order and recomputes every link of the hash chain
/// (docs/ledger-format.md). Pure, so the CLI, the HTTP feed and the tests share one definition of
/// "the history is intact".
public struct HashChainVerifier: Sendable {
    public private(set) var previous: LedgerHash
    public private(set) var nextPosition: Int64
    public private(set) var verified: Int64 = 0

    /// Starts after `position`, whose hash is `hash` (position 0 has the zero hash).
    public init(after position: Int64 = 0, hash: LedgerHash = .zero) {
        previous = hash
        nextPosition = position + 1
    }

    /// Checks one stored event; returns the first problem found with it, if any.
    public mutating func check(_ envelope: EventEnvelope, storedPrevious: LedgerHash, storedHash: LedgerHash) -> ChainBreak? {
        guard envelope.position == nextPosition else {
            return ChainBreak(
                position: nextPosition, reason: "position \(nextPosition) is missing (next stored position is \(envelope.position))")
        }
        guard storedPrevious == previous else {
            return ChainBreak(position: envelope.position, reason: "prev_hash does not equal the hash of position \(envelope.position - 1)")
        }
        let recomputed = envelope.hash(after: previous)
        guard recomputed == storedHash else {
            return ChainBreak(
                position: envelope.position,
                reason:
                    "stored hash does not match the event's content (recomputed \(recomputed.hex.prefix(16))…, stored \(storedHash.hex.prefix(16))…)"
            )
        }
        previous = storedHash
        nextPosition += 1
        verified += 1
        return nil
    }
}

/// The first place where the stored log disagrees with its hash chain.
public struct ChainBreak: Error, Sendable, Hashable, CustomStringConvertible {
    public let position: Int64
    public let reason: String

    public init(position: Int64, reason: String) {
        self.position = position
        self.reason = reason
    }

    public var description: String { "chain broken at position \(position): \(reason)" }
}
