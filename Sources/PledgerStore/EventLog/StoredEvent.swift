import PledgerDomain

/// An event as read back from the log, with the chain links it was stored with.
public struct StoredEvent: Sendable, Hashable {
    public let envelope: EventEnvelope
    public let prevHash: LedgerHash
    public let hash: LedgerHash

    public var position: Int64 { envelope.position }
}

/// The tip of the log: the last position and the hash that seals everything up to it.
public struct LedgerHead: Sendable, Hashable, Codable {
    public let position: Int64
    public let hash: LedgerHash
    public let recordedAt: RecordedTime?

    enum CodingKeys: String, CodingKey {
        case position, hash
        case recordedAt = "recorded_at"
    }

    public init(position: Int64, hash: LedgerHash, recordedAt: RecordedTime?) {
        self.position = position
        self.hash = hash
        self.recordedAt = recordedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        position = try container.decode(Int64.self, forKey: .position)
        let hex = try container.decode(String.self, forKey: .hash)
        guard let hash = LedgerHash(hex: hex) else {
            throw DecodingError.dataCorruptedError(forKey: .hash, in: container, debugDescription: "expected 64 hex digits")
        }
        self.hash = hash
        recordedAt = try container.decodeIfPresent(RecordedTime.self, forKey: .recordedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(position, forKey: .position)
        try container.encode(hash.hex, forKey: .hash)
        try container.encodeIfPresent(recordedAt, forKey: .recordedAt)
    }
}
