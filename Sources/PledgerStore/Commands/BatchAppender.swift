import Foundation
import PledgerDomain

/// Appends what a `LedgerSession` decided, in atomic chunks of consecutive events. Each
/// chunk names, for every stream it writes, the version that stream had before the chunk
/// — so if anyone else wrote meanwhile, the chunk is refused and nothing of it is written.
public struct BatchAppender: Sendable {
    public let store: EventStore
    /// Each append is a commit, its WAL flushed: 20,000 events per append loaded the demo at
    /// `--scale 1400` (1.7 M events) about 4 s sooner than 2,000 (41.4 s against 45.2 s).
    public var maxEventsPerAppend = 20_000

    public init(store: EventStore) { self.store = store }

    /// Appends what a session decided (`LedgerSession.decided`), in order; returns the last
    /// append's result.
    /// `atomic`: all in one transaction; otherwise chunks of about `maxEventsPerAppend`
    /// events, never splitting one command's events.
    /// An `idempotency` key needs `atomic`: one key answers for one append.
    @discardableResult
    public func append(
        _ decided: LedgerSession.Decided, meta: JSONObject = JSONObject(), atomic: Bool = false, backfill: Bool = false,
        idempotency: Idempotency? = nil, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> AppendResult? {
        guard idempotency == nil || atomic else { throw AppendError.invalid("an idempotency key covers one atomic append") }
        let recorded = decided.recorded
        var chunks: [Range<Int>] = []
        if atomic {
            if !recorded.isEmpty { chunks = [0..<recorded.count] }
        } else {
            var start = 0
            for end in decided.commandEnds where end - start >= maxEventsPerAppend || end == recorded.count {
                chunks.append(start..<end)
                start = end
            }
        }
        // Each chunk is encoded while the one before is written, so the client's work and the
        // database's overlap (alone, each side waited for the other: a third of two cores idle).
        var last: AppendResult?
        var encoded = try chunks.first.map { try Self.request(recorded[$0], meta: meta, backfill: backfill, idempotency: idempotency) }
        for (index, chunk) in chunks.enumerated() {
            async let following =
                index + 1 < chunks.count
                ? Self.request(recorded[chunks[index + 1]], meta: meta, backfill: backfill, idempotency: idempotency) : nil
            guard let request = encoded else { break }
            last = try await store.append(request)
            progress(chunk.upperBound, recorded.count)
            encoded = try await following
        }
        return last
    }

    static func request(
        _ slice: ArraySlice<(stream: StreamRef, event: RecordedEvent)>, meta: JSONObject, backfill: Bool, idempotency: Idempotency?
    ) throws -> AppendRequest {
        var parts: [StreamAppend] = []
        var current: (stream: StreamRef, firstVersion: Int32, events: [NewEvent])?
        func flush() {
            guard let part = current else { return }
            let before = part.firstVersion - 1
            parts.append(StreamAppend(stream: part.stream.name, expected: before == 0 ? .noStream : .exact(before), events: part.events))
        }
        for (stream, recorded) in slice {
            let event = try NewEvent(
                eventId: recorded.id, type: recorded.event.type, schema: recorded.event.schema, data: try recorded.event.jsonData(),
                meta: meta, recordedAt: backfill ? recorded.recordedAt : nil)
            if current?.stream == stream {
                current!.events.append(event)
            } else {
                flush()
                current = (stream, recorded.version, [event])
            }
        }
        flush()
        return AppendRequest(parts, idempotency: idempotency)
    }
}
