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
    public var canonicalBytes: [UInt8] { canonical(chain: nil) }

    /// `SHA-256(prev_hash ‖ canonical(envelope))`.
    public func hash(after previous: LedgerHash) -> LedgerHash {
        var hasher = SHA256()
        hasher.update(data: previous.bytes)
        hasher.update(data: canonicalBytes)
        return LedgerHash(digest: hasher.finalize())
    }

    /// One line of `pledger export`: the envelope plus `prev_hash` and `hash` in hex.
    public func exportLine(previous: LedgerHash, hash: LedgerHash) -> String {
        String(decoding: canonical(chain: (previous, hash)), as: UTF8.self)
    }

    private func canonical(chain: (previous: LedgerHash, hash: LedgerHash)?) -> [UInt8] {
        var stream = stream
        var type = type
        var data = data
        var meta = meta
        return stream.withUTF8 { stream in
            type.withUTF8 { type in
                data.withUTF8 { data in
                    meta.withUTF8 { meta in
                        [UInt8](writingAtMost: Self.canonicalRoom(stream: stream, type: type, data: data, meta: meta)) {
                            Self.writeCanonical(
                                position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema,
                                data: data, meta: meta, recordedAt: recordedAt, chain: chain, to: &$0)
                        }
                    }
                }
            }
        }
    }

    /// The most bytes a canonical envelope (with its hashes, for an export line) can take:
    /// `data` and `meta` as they are, `stream` and `type` escaped (at most six bytes a byte),
    /// and the keys, the identifier, three integers, the time and two hashes within 512.
    static func canonicalRoom(
        stream: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>, data: UnsafeBufferPointer<UInt8>,
        meta: UnsafeBufferPointer<UInt8>
    ) -> Int {
        data.count + meta.count + 6 * (stream.count + type.count) + 512
    }

    /// The canonical envelope of an event from its stored parts, its text columns as UTF-8
    /// bytes, through a cursor with `canonicalRoom` bytes of room — what `canonicalBytes` and
    /// an export line (with `chain`) are, and what the verifier hashes row by row, without
    /// building an envelope or its strings.
    static func writeCanonical(
        position: Int64, stream: UnsafeBufferPointer<UInt8>, version: Int32, eventId: UUID, type: UnsafeBufferPointer<UInt8>,
        schema: Int32, data: UnsafeBufferPointer<UInt8>, meta: UnsafeBufferPointer<UInt8>, recordedAt: RecordedTime,
        chain: (previous: LedgerHash, hash: LedgerHash)? = nil, to out: inout ByteCursor
    ) {
        out.put("{\"data\":")
        out.put(data)
        out.put(",\"event_id\":\"")
        writeLowercase(eventId, to: &out)
        if let chain {
            out.put("\",\"hash\":\"")
            LedgerHash.writeHex(chain.hash.bytes, to: &out)
        }
        out.put("\",\"meta\":")
        out.put(meta)
        out.put(",\"position\":")
        CanonicalJSON.writeInteger(position, to: &out)
        if let chain {
            out.put(",\"prev_hash\":\"")
            LedgerHash.writeHex(chain.previous.bytes, to: &out)
            out.put("\",\"recorded_at\":\"")
        } else {
            out.put(",\"recorded_at\":\"")
        }
        recordedAt.write(to: &out)
        out.put("\",\"schema\":")
        CanonicalJSON.writeInteger(Int64(schema), to: &out)
        out.put(",\"stream\":")
        CanonicalJSON.writeString(utf8: stream, to: &out)
        out.put(",\"type\":")
        CanonicalJSON.writeString(utf8: type, to: &out)
        out.put(",\"version\":")
        CanonicalJSON.writeInteger(Int64(version), to: &out)
        out.put(UInt8(ascii: "}"))
    }

    /// `uuidString.lowercased()`, as bytes.
    private static func writeLowercase(_ id: UUID, to out: inout ByteCursor) {
        let digits: StaticString = "0123456789abcdef"
        // 36 bytes into a stack buffer, then one copy.
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
            out.put(UnsafeBufferPointer(rebasing: b[0..<36]))
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
