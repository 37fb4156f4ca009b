import Crypto
import Foundation

/// One event as the ledger stores and hashes it. `data` and `meta` hold
/// canonical JSON text, so the bytes that were hashed can always be reproduced.
public struct EventEnvelope: Sendable, Hashable {
    public let position: Int64
    public let stream: String
    public let version: Int32
    public let eventId: UUID
    public let type: String
    public let schema: Int32
    public let data: String
    public let meta: String
    public let recordedAt: RecordedTime

    public init(
        position: Int64, stream: String, version: Int32, eventId: UUID, type: String, schema: Int32,
        data: String, meta: String, recordedAt: RecordedTime
    ) {
        self.position = position
        self.stream = stream
        self.version = version
        self.eventId = eventId
        self.type = type
        self.schema = schema
        self.data = data
        self.meta = meta
        self.recordedAt = recordedAt
    }

    /// The canonical envelope; keys are written in code-point order by construction.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + meta.utf8.count + stream.utf8.count + 160)
        writeCanonical(into: &out, chain: nil)
        return out
    }

    /// `SHA-256(prev_hash ‖ canonical(envelope))`.
    public func hash(after previous: LedgerHash) -> LedgerHash {
        var hasher = SHA256()
        hasher.update(data: previous.bytes)
        hasher.update(data: canonicalBytes)
        return LedgerHash(digest: hasher.finalize())
    }

    /// One line of `pledger export`: the envelope plus `prev_hash` and `hash` in hex.
    public func exportLine(previous: LedgerHash, hash: LedgerHash) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + meta.utf8.count + 320)
        writeCanonical(into: &out, chain: (previous, hash))
        return String(decoding: out, as: UTF8.self)
    }

    private func writeCanonical(into out: inout [UInt8], chain: (previous: LedgerHash, hash: LedgerHash)?) {
        func key(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func quotedASCII(_ text: String) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "{"))
        key("data", first: true)
        out.append(contentsOf: data.utf8)
        key("event_id")
        quotedASCII(eventId.uuidString.lowercased())
        if let chain {
            key("hash")
            quotedASCII(chain.hash.hex)
        }
        key("meta")
        out.append(contentsOf: meta.utf8)
        key("position")
        out.append(contentsOf: String(position).utf8)
        if let chain {
            key("prev_hash")
            quotedASCII(chain.previous.hex)
        }
        key("recorded_at")
        quotedASCII(recordedAt.description)
        key("schema")
        out.append(contentsOf: String(schema).utf8)
        key("stream")
        CanonicalJSON.writeString(stream, into: &out)
        key("type")
        CanonicalJSON.writeString(type, into: &out)
        key("version")
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
    }
}

/// A 32-byte SHA-256 digest in the hash chain.
public struct LedgerHash: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// The `prev_hash` of position 1.
    public static let zero = LedgerHash(uncheckedBytes: [UInt8](repeating: 0, count: 32))

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = LedgerHash.bytes(hex: hex) else { return nil }
        self.bytes = bytes
    }

    init(digest: SHA256.Digest) { bytes = Array(digest) }

    private init(uncheckedBytes: [UInt8]) { bytes = uncheckedBytes }

    public var hex: String { LedgerHash.hex(bytes) }

    public var description: String { hex }
}
