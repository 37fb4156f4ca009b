import Crypto
import Foundation

/// Walks the log in position order and recomputes every link of the hash chain
/// (docs/ledger-format.md). Pure, so the CLI, the HTTP feed and the tests share one definition of
/// "the history is intact".
public struct HashChainVerifier: Sendable {
    /// The hash of the last event checked, kept inline: row by row, a hash held as an array
    /// was an allocation and a release per event.
    private var last = HashBytes()
    public var previous: LedgerHash { last.hash }
    public private(set) var nextPosition: Int64
    public private(set) var verified: Int64 = 0
    /// Room for the canonical bytes of the event being checked, reused from row to row.
    private var scratch: [UInt8] = []

    /// Starts after `position`, whose hash is `hash` (position 0 has the zero hash).
    public init(after position: Int64 = 0, hash: LedgerHash = .zero) {
        last = HashBytes(hash.bytes)
        nextPosition = position + 1
    }

    /// Checks one stored event; returns the first problem found with it, if any.
    public mutating func check(_ envelope: EventEnvelope, storedPrevious: LedgerHash, storedHash: LedgerHash) -> ChainBreak? {
        if let problem = storedPrevious.bytes.withUnsafeBufferPointer({ link(position: envelope.position, storedPrevious: $0) }) {
            return problem
        }
        let recomputed = envelope.hash(after: previous)
        guard recomputed == storedHash else {
            return ChainBreak(
                position: envelope.position,
                reason:
                    "stored hash does not match the event's content (recomputed \(recomputed.hex.prefix(16))…, stored \(storedHash.hex.prefix(16))…)"
            )
        }
        last = HashBytes(storedHash.bytes)
        nextPosition += 1
        verified += 1
        return nil
    }

    /// `check` for an event as read from the database: the same checks on the same bytes
    /// (`EventEnvelope.writeCanonical`), without building an envelope or its strings —
    /// text columns as their UTF-8 bytes, hashes as their stored bytes.
    public mutating func check(
        position: Int64, stream: UnsafeBufferPointer<UInt8>, version: Int32, eventId: UUID, type: UnsafeBufferPointer<UInt8>,
        schema: Int32, data: UnsafeBufferPointer<UInt8>, meta: UnsafeBufferPointer<UInt8>, recordedAt: RecordedTime,
        storedPrevious: UnsafeBufferPointer<UInt8>, storedHash: UnsafeBufferPointer<UInt8>
    ) -> ChainBreak? {
        if let problem = link(position: position, storedPrevious: storedPrevious) { return problem }
        let room = EventEnvelope.canonicalRoom(stream: stream, type: type, data: data, meta: meta)
        if scratch.count < room { scratch = [UInt8](repeating: 0, count: Swift.max(room, 2 * scratch.count)) }
        let recomputed = scratch.withUnsafeMutableBufferPointer { buffer in
            var cursor = ByteCursor(buffer)
            EventEnvelope.writeCanonical(
                position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema, data: data,
                meta: meta, recordedAt: recordedAt, to: &cursor)
            var hasher = SHA256()
            withUnsafeBytes(of: last.words) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer.baseAddress, count: cursor.position - buffer.baseAddress!))
            return hasher.finalize().withUnsafeBytes { HashBytes($0) }
        }
        guard recomputed.equals(storedHash) else {
            return ChainBreak(
                position: position,
                reason:
                    "stored hash does not match the event's content (recomputed \(recomputed.hash.hex.prefix(16))…, stored \(LedgerHash.hex(Array(storedHash)).prefix(16))…)"
            )
        }
        last = recomputed
        nextPosition += 1
        verified += 1
        return nil
    }
}

extension HashChainVerifier {
    /// Whether an event stored at `position` with `storedPrevious` is the next link: the
    /// position after the last one checked, and the prev_hash equal to its hash.
    public func link(position: Int64, storedPrevious: UnsafeBufferPointer<UInt8>) -> ChainBreak? {
        guard position == nextPosition else {
            return ChainBreak(position: nextPosition, reason: "position \(nextPosition) is missing (next stored position is \(position))")
        }
        guard last.equals(storedPrevious) else {
            return ChainBreak(position: position, reason: "prev_hash does not equal the hash of position \(position - 1)")
        }
        return nil
    }

    /// Takes over from `following`, a verifier that checked the events after this one's on
    /// its own — started after the position before its first event, with that event's stored
    /// prev_hash — once `link` has found that first event to be this one's next: the log is
    /// then checked in parts at once (on every core), with the same findings as in one walk.
    public mutating func takeOver(from following: HashChainVerifier) {
        last = following.last
        nextPosition = following.nextPosition
        verified += following.verified
    }
}

/// A SHA-256 hash as four words, compared and copied without the heap.
private struct HashBytes: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    init<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        precondition(bytes.count == 32, "a SHA-256 hash has 32 bytes, not \(bytes.count)")
        withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
    }

    /// A digest's bytes in one copy (byte by byte, a fiftieth of verify's time).
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32, "a SHA-256 hash has 32 bytes, not \(bytes.count)")
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
    }

    func equals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 32, let start = bytes.baseAddress else { return false }
        return withUnsafeBytes(of: words) { memcmp($0.baseAddress!, start, 32) == 0 }
    }

    var hash: LedgerHash { withUnsafeBytes(of: words) { LedgerHash(bytes: Array($0))! } }
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
