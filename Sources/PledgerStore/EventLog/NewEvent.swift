import Foundation
import PledgerDomain

/// An event ready to be appended: type, schema version, and canonical JSON payload.
/// Built only from a `JSONValue` object (or text that is already canonical), so nothing
/// that cannot be reproduced byte for byte reaches the hash chain.
public struct NewEvent: Sendable, Hashable {
    public let eventId: UUID
    public let type: String
    public let schema: Int32
    public let data: String
    public let meta: JSONObject
    /// Backfill only (demo, import of history): the time to record instead of now. It must
    /// not precede the ledger's head nor lie in the future — history can be loaded, never
    /// inserted into the past.
    public var recordedAt: RecordedTime?

    public init(
        eventId: UUID = .timeOrdered(), type: String, schema: Int32 = 1, data: JSONValue, meta: JSONObject = JSONObject(),
        recordedAt: RecordedTime? = nil
    ) throws {
        guard case .object = data else { throw AppendError.invalid("event data of \(type) must be a JSON object") }
        guard !type.isEmpty, schema > 0 else { throw AppendError.invalid("an event needs a type and a schema ≥ 1") }
        self.eventId = eventId
        self.type = type
        self.schema = schema
        self.data = CanonicalJSON.string(data)
        self.meta = meta
        self.recordedAt = recordedAt
    }

    /// `data` must already be a canonical JSON object; it is checked.
    public init(eventId: UUID = .timeOrdered(), type: String, schema: Int32 = 1, canonicalData: String, meta: JSONObject = JSONObject())
        throws
    {
        let parsed = try JSONParser.parse(canonicalData)
        guard CanonicalJSON.string(parsed) == canonicalData else {
            throw AppendError.invalid("event data of \(type) is not in canonical JSON form")
        }
        try self.init(eventId: eventId, type: type, schema: schema, data: parsed, meta: meta)
    }

    /// `data` made by `CanonicalJSON.string` in this process (an import's staged events):
    /// canonical by construction, so not parsed and written again.
    init(eventId: UUID, type: String, schema: Int32, madeCanonical data: String, meta: JSONObject) {
        self.eventId = eventId
        self.type = type
        self.schema = schema
        self.data = data
        self.meta = meta
    }
}
