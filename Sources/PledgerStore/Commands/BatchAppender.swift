import Foundation
import PledgerDomain

/// Appends what a `LedgerSession` decided, in atomic chunks of consecutive events. Each
/// chunk names, for every stream it writes, the version that stream had before the chunk
/// — so if anyone else wrote meanwhile, the chunk is refused and nothing of it is written.
public struct BatchAppender: Sendable {
    public let store: EventStore
    public var maxEventsPerAppend = 2000

    public init(store: EventStore) { self.store = store }

    /// Appends all recorded events in order; returns the last position written.
    @discardableResult
    public func append(_ recorded: [(stream: StreamRef, event: RecordedEvent)], meta: JSONObject = JSONObject(),
                       backfill: Bool = false, idempotencyKey: String? = nil,
                       progress: (Int, Int) -> Void = { _, _ in }) async throws -> AppendResult? {
        var last: AppendResult?
        var start = 0
        while start < recorded.count {
            let end = min(start + maxEventsPerAppend, recorded.count)
            let request = try Self.request(recorded[start..<end], meta: meta, backfill: backfill,
                                           idempotencyKey: idempotencyKey.map { recorded.count <= maxEventsPerAppend ? $0 : "\($0)#\(start)" })
            last = try await store.append(request)
            start = end
            progress(start, recorded.count)
        }
        return last
    }

    static func request(_ slice: ArraySlice<(stream: StreamRef, event: RecordedEvent)>, meta: JSONObject, backfill: Bool, idempotencyKey: String?) throws -> AppendRequest {
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
        return AppendRequest(parts, idempotencyKey: idempotencyKey)
    }
}
