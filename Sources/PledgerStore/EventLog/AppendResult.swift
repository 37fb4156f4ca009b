import Foundation
import PledgerDomain

/// What an append wrote: its global positions and each stream's new version, and the hash
/// sealing the log up to its last event — a receipt: whoever keeps (position, hash) can later
/// prove the history they were shown was not rewritten (`pledger verify --receipts`).
public struct AppendResult: Sendable, Hashable, Codable {
    public let firstPosition: Int64
    public let lastPosition: Int64
    public let streamVersions: [String: Int32]
    public let eventIds: [UUID]
    public let recordedAt: RecordedTime
    /// The chain hash at `lastPosition` (hex); nil only in answers stored before it was kept.
    public var lastHash: String?
    /// True when this is the stored answer to an earlier request with the same idempotency key.
    public var replayed: Bool = false
    /// The answer stored with the idempotency key (see `Idempotency.reply`).
    public var reply: String?

    enum CodingKeys: String, CodingKey {
        case firstPosition = "first_position"
        case lastPosition = "last_position"
        case streamVersions = "stream_versions"
        case eventIds = "event_ids"
        case recordedAt = "recorded_at"
        case lastHash = "last_hash"
    }
}
