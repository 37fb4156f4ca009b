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
        var stream = stream
        var type = type
        var data = data
        var meta = meta
        stream.withUTF8 { stream in
            type.withUTF8 { type in
                data.withUTF8 { data in
                    meta.withUTF8 { meta in
                        Self.writeCanonical(
                            position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema,
                            data: data, meta: meta, recordedAt: recordedAt, chain: chain, into: &out)
                    }
                }
            }
        }
    }

    /// The canonical envelope of an event from its stored parts, its text columns as UTF-8
    /// bytes — the bytes `canonicalBytes` gives for the same event, appended to `out`
    /// without building an envelope or its strings (for verifying the log row by row).
    public static func writeCanonical(
        position: Int64, stream: UnsafeBufferPointer<UInt8>, version: Int32, eventId: UUID, type: UnsafeBufferPointer<UInt8>,
        schema: Int32, data: UnsafeBufferPointer<UInt8>, meta: UnsafeBufferPointer<UInt8>, recordedAt: RecordedTime,
        into out: inout [UInt8]
    ) {
        writeCanonical(
            position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema, data: data,
            meta: meta, recordedAt: recordedAt, chain: nil, into: &out)
    }

    private static func writeCanonical(
        position: Int64, stream: UnsafeBufferPointer<UInt8>, version: Int32, eventId: UUID, type: UnsafeBufferPointer<UInt8>,
        schema: Int32, data: UnsafeBufferPointer<UInt8>, meta: UnsafeBufferPointer<UInt8>, recordedAt: RecordedTime,
        chain: (previous: LedgerHash, hash: LedgerHash)?, into out: inout [UInt8]
    ) {
        // The keys with their punctuation, one append each (appends are most of the cost
        // besides the hash when a ledger is verified).
        func put(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        put("{\"data\":")
        out.append(contentsOf: data)
        put(",\"event_id\":\"")
        writeLowercase(eventId, into: &out)
        if let chain {
            put("\",\"hash\":\"")
            LedgerHash.writeHex(chain.hash.bytes, into: &out)
        }
        put("\",\"meta\":")
        out.append(contentsOf: meta)
        put(",\"position\":")
        CanonicalJSON.writeInteger(position, into: &out)
        if let chain {
            put(",\"prev_hash\":\"")
            LedgerHash.writeHex(chain.previous.bytes, into: &out)
            put("\",\"recorded_at\":\"")
        } else {
            put(",\"recorded_at\":\"")
        }
        recordedAt.write(into: &out)
        put("\",\"schema\":")
        CanonicalJSON.writeInteger(Int64(schema), into: &out)
        put(",\"stream\":")
        CanonicalJSON.writeString(utf8: stream, into: &out)
        put(",\"type\":")
        CanonicalJSON.writeString(utf8: type, into: &out)
        put(",\"version\":")
        CanonicalJSON.writeInteger(Int64(version), into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// `uuidString.lowercased()`, as bytes.
    private static func writeLowercase(_ id: UUID, into out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        // 36 bytes into a stack buffer, then one append.
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { raw in
            let b = raw.bindMemory(to: UInt8.self)
            var at = 0
            withUnsafeBytes(of: id.uuid) { bytes in
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        b[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    b[at] = digits.utf8Start[Int(byte >> 4)]
                    b[at + 1] = digits.utf8Start[Int(byte & 0xF)]
                    at += 2
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<36]))
        }
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
