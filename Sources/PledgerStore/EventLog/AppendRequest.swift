import Foundation
import PledgerDomain

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

enum StreamName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
