import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Hash chain and export format")
struct HashChainTests {
    /// Rebuilds each envelope of DESIGN's `vectors/export-sample.jsonl` from its fields and
    /// checks that our hashing and export produce the same lines, byte for byte.
    @Test("export-sample.jsonl is reproduced byte for byte")
    func exportSample() throws {
        let lines = try Fixtures.lines("export-sample.jsonl")
        #expect(lines.count == 3)
        var verifier = HashChainVerifier()
        var previous = LedgerHash.zero
        for line in lines {
            let envelope = try Self.envelope(fromExportLine: line)
            let hash = envelope.hash(after: previous)
            #expect(envelope.exportLine(previous: previous, hash: hash) == line)
            #expect(verifier.check(envelope, storedPrevious: previous, storedHash: hash) == nil)
            previous = hash
        }
        #expect(previous.hex == "fac7e05d2871a51254e434404dbf83fd7fa94d4b874e6f4b992160eaa53273af")
    }

    @Test("the verifier names the first altered position")
    func tamperDetected() throws {
        let envelopes = try Fixtures.lines("export-sample.jsonl").map(Self.envelope(fromExportLine:))
        var hashes: [LedgerHash] = []
        var previous = LedgerHash.zero
        for envelope in envelopes {
            previous = envelope.hash(after: previous)
            hashes.append(previous)
        }
        let original = envelopes[1]
        let altered = EventEnvelope(
            position: original.position, stream: original.stream, version: original.version, eventId: original.eventId,
            type: original.type, schema: original.schema, data: original.data.replacingOccurrences(of: "400000000", with: "400000001"),
            meta: original.meta, recordedAt: original.recordedAt)
        var verifier = HashChainVerifier()
        #expect(verifier.check(envelopes[0], storedPrevious: .zero, storedHash: hashes[0]) == nil)
        let problem = verifier.check(altered, storedPrevious: hashes[0], storedHash: hashes[1])
        #expect(problem?.position == 2)
    }

    @Test("recorded_at prints microseconds in UTC and parses back")
    func recordedTime() throws {
        let time = try #require(RecordedTime(parsing: "2023-01-03T01:02:03.000004Z"))
        #expect(time.description == "2023-01-03T01:02:03.000004Z")
        #expect(RecordedTime(parsing: "2023-01-03T09:02:03.000004+08:00") == time)
        #expect(RecordedTime(parsing: "1969-12-31T23:59:59.999999Z")?.microseconds == -1)
        #expect(RecordedTime(parsing: "2024-02-30T00:00:00Z") == nil)
        #expect(RecordedTime(parsing: "2024-02-29")?.description == "2024-02-28T16:00:00.000000Z")
    }

    static func envelope(fromExportLine line: String) throws -> EventEnvelope {
        let value = try JSONParser.parse(line)
        guard case .string(let stream) = value["stream"], case .string(let type) = value["type"],
            case .integer(let position) = value["position"], case .integer(let version) = value["version"],
            case .integer(let schema) = value["schema"], case .string(let id) = value["event_id"],
            case .string(let recorded) = value["recorded_at"], let data = value["data"], let meta = value["meta"],
            let eventId = UUID(uuidString: id), let recordedAt = RecordedTime(parsing: recorded)
        else { throw CanonicalJSONError.notAnObject }
        return EventEnvelope(
            position: position, stream: stream, version: Int32(version), eventId: eventId, type: type, schema: Int32(schema),
            data: CanonicalJSON.string(data), meta: CanonicalJSON.string(meta), recordedAt: recordedAt)
    }
}
