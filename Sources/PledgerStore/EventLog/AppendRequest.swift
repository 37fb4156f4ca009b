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

    public init(eventId: UUID = UUID(), type: String, schema: Int32 = 1, data: JSONValue, meta: JSONObject = JSONObject(), recordedAt: RecordedTime? = nil) throws {
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
    public init(eventId: UUID = UUID(), type: String, schema: Int32 = 1, canonicalData: String, meta: JSONObject = JSONObject()) throws {
        let parsed = try JSONParser.parse(canonicalData)
        guard CanonicalJSON.string(parsed) == canonicalData else {
            throw AppendError.invalid("event data of \(type) is not in canonical JSON form")
        }
        try self.init(eventId: eventId, type: type, schema: schema, data: parsed, meta: meta)
    }
}

/// The events to append to one stream, and the version the stream must be at.
public struct StreamAppend: Sendable, Hashable {
    public let stream: String
    public let expected: ExpectedVersion
    public let events: [NewEvent]

    public init(stream: String, expected: ExpectedVersion, events: [NewEvent]) {
        self.stream = stream
        self.expected = expected
        self.events = events
    }
}

/// One atomic append: one or more streams, all written or none. Parts are applied in
/// order; a stream may appear in several parts, each part's expected version being
/// checked against the version the earlier parts left.
public struct AppendRequest: Sendable, Hashable {
    public let streams: [StreamAppend]
    public let idempotency: Idempotency?

    public init(_ streams: [StreamAppend], idempotency: Idempotency?) {
        self.streams = streams
        self.idempotency = idempotency
    }

    /// With a plain key, "the same request" means the same streams, expected versions and
    /// event contents (for callers whose retries rebuild exactly the same append).
    public init(_ streams: [StreamAppend], idempotencyKey: String? = nil) {
        self.streams = streams
        idempotency = idempotencyKey.map { Idempotency(key: $0, fingerprint: Self.contentFingerprint(streams)) }
    }

    public init(stream: String, expected: ExpectedVersion, events: [NewEvent], idempotencyKey: String? = nil) {
        self.init([StreamAppend(stream: stream, expected: expected, events: events)], idempotencyKey: idempotencyKey)
    }

    public var idempotencyKey: String? { idempotency?.key }

    var eventCount: Int { streams.reduce(0) { $0 + $1.events.count } }

    func validate() throws {
        guard !streams.isEmpty, eventCount > 0 else { throw AppendError.invalid("an append needs at least one event") }
        for part in streams {
            guard StreamName.isValid(part.stream) else {
                throw AppendError.invalid("stream name \"\(part.stream)\" is not valid (1–200 characters, no control characters)")
            }
            if case .exact(let version) = part.expected, version < 1 {
                throw AppendError.invalid("expected version of \(part.stream) must be ≥ 1, or no_stream")
            }
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 300 {
            throw AppendError.invalid("an idempotency key must have 1–300 bytes")
        }
    }

    /// SHA-256 over what the append asks for — not over event ids, which a retrying caller
    /// may generate afresh.
    static func contentFingerprint(_ streams: [StreamAppend]) -> [UInt8] {
        var canonical: [JSONValue] = []
        for part in streams {
            var events: [JSONValue] = []
            for event in part.events {
                events.append(.array([.string(event.type), .integer(Int64(event.schema)), .string(event.data), .object(event.meta)]))
            }
            canonical.append(.array([.string(part.stream), .string(part.expected.description), .array(events)]))
        }
        return Digest.sha256(CanonicalJSON.bytes(.array(canonical)))
    }
}

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

enum StreamName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

/// What an append wrote: its global positions and each stream's new version.
public struct AppendResult: Sendable, Hashable, Codable {
    public let firstPosition: Int64
    public let lastPosition: Int64
    public let streamVersions: [String: Int32]
    public let eventIds: [UUID]
    public let recordedAt: RecordedTime
    /// True when this is the stored answer to an earlier request with the same idempotency key.
    public var replayed: Bool = false
    /// The answer stored with the idempotency key (see `Idempotency.reply`).
    public var reply: String?

    enum CodingKeys: String, CodingKey {
        case firstPosition = "first_position", lastPosition = "last_position", streamVersions = "stream_versions"
        case eventIds = "event_ids", recordedAt = "recorded_at"
    }
}

/// Why an append was refused. Nothing was written.
public enum AppendError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: Int32)
    case idempotencyConflict(key: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream \(stream) is at version \(actual), the append expected \(expected); reload and retry"
        case .idempotencyConflict(let key):
            "idempotency key \"\(key)\" was already used for a different request"
        case .invalid(let reason): reason
        }
    }
}
