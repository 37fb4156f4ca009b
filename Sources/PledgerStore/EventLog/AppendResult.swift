import Foundation
import PledgerDomain

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
        case firstPosition = "first_position"
        case lastPosition = "last_position"
        case streamVersions = "stream_versions"
        case eventIds = "event_ids"
        case recordedAt = "recorded_at"
    }
}
