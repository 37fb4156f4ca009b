import Foundation
import Testing

@testable import PledgerDomain

/// `pledger verify` hashes rows as the database hands them over (`HashChainVerifier`'s byte
/// path). These pin that path to the definition in docs/ledger-format.md, built independently
/// here with `CanonicalJSON` over parsed values, and to the envelope path.
@Suite("Hashing stored rows without building envelopes")
struct StoredRowHashingTests {
    static let awkward: [EventEnvelope] = [
        envelope(position: 1, stream: "loan-LCRCB-LC-2024-0001", data: #"{"principal_fen":300000000}"#, micros: 1_700_000_000_123_456),
        envelope(position: 2, stream: "s\"q\\b\u{1}\n\t/é中", type: "T\u{7f}\u{1f}", data: #"{"x":"\u0000 é"}"#, micros: 0),
        envelope(position: 3, stream: "borrower-91330100MA2", data: #"{"a":[1,-2,{"b":null}],"c":true}"#, micros: -1),
        envelope(position: 4, stream: "far", version: Int32.max, schema: 7, data: "{}", micros: 253_402_300_799_999_999),
        envelope(position: 9_007_199_254_740_991, stream: "f", data: #"{"n":-9007199254740991}"#, micros: -62_135_596_800_000_000),
        // Past year 9999 and long before year 0 (the time written digit by digit), and text that
        // escapes to six bytes a byte (the most room the canonical bytes take beside data and meta).
        envelope(position: 5, stream: "y", data: "{}", micros: 253_402_300_800_000_000),
        envelope(
            position: 6, stream: String(repeating: "\u{1}", count: 300), type: String(repeating: "\u{1f}", count: 40), data: "{}",
            micros: Int64.min / 2),
    ]

    static func envelope(
        position: Int64, stream: String, version: Int32 = 1, type: String = "LoanOriginated", schema: Int32 = 1, data: String,
        micros: Int64
    ) -> EventEnvelope {
        EventEnvelope(
            position: position, stream: stream, version: version, eventId: UUID(), type: type, schema: schema, data: data,
            meta: #"{"actor":"bank:LCRCB","request_id":"r-1"}"#, recordedAt: RecordedTime(microseconds: micros))
    }

    /// The envelope as the format document defines it: an object of parsed values, canonical;
    /// with `chain`, an export line's (the envelope plus its hashes in hex).
    static func reference(_ envelope: EventEnvelope, chain: (previous: LedgerHash, hash: LedgerHash)? = nil) throws -> [UInt8] {
        var object = try JSONObject([
            ("data", try JSONParser.parse(envelope.data)), ("event_id", .string(envelope.eventId.uuidString.lowercased())),
            ("meta", try JSONParser.parse(envelope.meta)), ("position", .integer(envelope.position)),
            ("recorded_at", .string(envelope.recordedAt.description)), ("schema", .integer(Int64(envelope.schema))),
            ("stream", .string(envelope.stream)), ("type", .string(envelope.type)), ("version", .integer(Int64(envelope.version))),
        ])
        if let chain {
            object.set("hash", .string(chain.hash.hex))
            object.set("prev_hash", .string(chain.previous.hex))
        }
        return CanonicalJSON.bytes(.object(object))
    }

    static func rowBytes(_ envelope: EventEnvelope) -> [UInt8] {
        let parts = [envelope.stream, envelope.type, envelope.data, envelope.meta].map { Array($0.utf8) }
        return parts[0].withUnsafeBufferPointer { stream in
            parts[1].withUnsafeBufferPointer { type in
                parts[2].withUnsafeBufferPointer { data in
                    parts[3].withUnsafeBufferPointer { meta in
                        [UInt8](writingAtMost: EventEnvelope.canonicalRoom(stream: stream, type: type, data: data, meta: meta)) {
                            EventEnvelope.writeCanonical(
                                position: envelope.position, stream: stream, version: envelope.version, eventId: envelope.eventId,
                                type: type, schema: envelope.schema, data: data, meta: meta, recordedAt: envelope.recordedAt, to: &$0)
                        }
                    }
                }
            }
        }
    }

    static func check(_ verifier: inout HashChainVerifier, _ envelope: EventEnvelope, previous: LedgerHash, hash: LedgerHash) -> ChainBreak?
    {
        let parts: [[UInt8]] = [
            Array(envelope.stream.utf8), Array(envelope.type.utf8), Array(envelope.data.utf8), Array(envelope.meta.utf8), previous.bytes,
            hash.bytes,
        ]
        return parts[0].withUnsafeBufferPointer { stream in
            parts[1].withUnsafeBufferPointer { type in
                parts[2].withUnsafeBufferPointer { data in
                    parts[3].withUnsafeBufferPointer { meta in
                        parts[4].withUnsafeBufferPointer { previous in
                            parts[5].withUnsafeBufferPointer { hash in
                                verifier.check(
                                    position: envelope.position, stream: stream, version: envelope.version, eventId: envelope.eventId,
                                    type: type, schema: envelope.schema, data: data, meta: meta, recordedAt: envelope.recordedAt,
                                    storedPrevious: previous, storedHash: hash)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("row bytes, envelope bytes and the format's definition agree", arguments: awkward)
    func sameBytes(_ envelope: EventEnvelope) throws {
        let reference = try Self.reference(envelope)
        #expect(Self.rowBytes(envelope) == reference)
        #expect(envelope.canonicalBytes == reference)
        let chain = (previous: LedgerHash.zero, hash: envelope.hash(after: .zero))
        #expect(Array(envelope.exportLine(previous: chain.previous, hash: chain.hash).utf8) == (try Self.reference(envelope, chain: chain)))
    }

    @Test("recorded_at prints the same at the edges of the calendar")
    func recordedTimeEdges() {
        #expect(RecordedTime(microseconds: 0).description == "1970-01-01T00:00:00.000000Z")
        #expect(RecordedTime(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(RecordedTime(microseconds: 253_402_300_799_999_999).description == "9999-12-31T23:59:59.999999Z")
        #expect(RecordedTime(microseconds: -62_135_596_800_000_000).description == "0001-01-01T00:00:00.000000Z")
        #expect(RecordedTime(microseconds: -62_198_755_200_000_000).description == "00-1-01-01T00:00:00.000000Z")
    }

    @Test("the row path finds what the envelope path finds, at the same position, for the same reason")
    func sameVerdicts() throws {
        var hashes: [LedgerHash] = []
        var previous = LedgerHash.zero
        let chain = Self.awkward.enumerated().map { offset, envelope in
            EventEnvelope(
                position: Int64(offset + 1), stream: envelope.stream, version: envelope.version, eventId: envelope.eventId,
                type: envelope.type, schema: envelope.schema, data: envelope.data, meta: envelope.meta, recordedAt: envelope.recordedAt)
        }
        for envelope in chain {
            previous = envelope.hash(after: previous)
            hashes.append(previous)
        }
        func prev(_ index: Int) -> LedgerHash { index == 0 ? .zero : hashes[index - 1] }

        var rows = HashChainVerifier()
        for (index, envelope) in chain.enumerated() {
            #expect(Self.check(&rows, envelope, previous: prev(index), hash: hashes[index]) == nil)
        }
        #expect(rows.verified == Int64(chain.count) && rows.previous == hashes.last)

        let third = chain[2]
        let tampered: [(String, EventEnvelope, LedgerHash, LedgerHash)] = [
            ("data", Self.replacing(third, data: #"{"a":[1,-2,{"b":null}],"c":false}"#), prev(2), hashes[2]),
            ("stream", Self.replacing(third, stream: third.stream + "x"), prev(2), hashes[2]),
            ("recorded_at", Self.replacing(third, micros: third.recordedAt.microseconds + 1), prev(2), hashes[2]),
            ("position", Self.replacing(third, position: 4), prev(2), hashes[2]),
            ("prev_hash", third, hashes[0], hashes[2]),
            ("hash", third, prev(2), hashes[0]),
        ]
        for (field, envelope, storedPrevious, storedHash) in tampered {
            var byEnvelope = HashChainVerifier()
            var byRow = HashChainVerifier()
            for index in 0..<2 {
                _ = byEnvelope.check(chain[index], storedPrevious: prev(index), storedHash: hashes[index])
                _ = Self.check(&byRow, chain[index], previous: prev(index), hash: hashes[index])
            }
            let expected = byEnvelope.check(envelope, storedPrevious: storedPrevious, storedHash: storedHash)
            #expect(expected != nil, "\(field)")
            #expect(Self.check(&byRow, envelope, previous: storedPrevious, hash: storedHash) == expected, "\(field)")
        }
    }

    static func replacing(
        _ envelope: EventEnvelope, position: Int64? = nil, stream: String? = nil, data: String? = nil, micros: Int64? = nil
    ) -> EventEnvelope {
        EventEnvelope(
            position: position ?? envelope.position, stream: stream ?? envelope.stream, version: envelope.version,
            eventId: envelope.eventId, type: envelope.type, schema: envelope.schema, data: data ?? envelope.data, meta: envelope.meta,
            recordedAt: micros.map(RecordedTime.init) ?? envelope.recordedAt)
    }
}
