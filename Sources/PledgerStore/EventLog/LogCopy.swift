import Foundation
import PledgerDomain

/// The log read in position order with binary `COPY` on a libpq connection of its own
/// (`BinaryCopyReader`), a page at a time, each page's events decoded on every core: for the
/// commands that fold the whole ledger (a rebuild, a reconciliation, `pledger replay`).
/// Through the pool's rows an event costs its cells' objects and the network thread's time;
/// here a page is its rows' bytes, and the payload is parsed straight from them.
/// A server's past views read through the pool instead (`LogReading.pool`): its
/// connections, its limits, and a request's cancellation.
final class LogCopy: @unchecked Sendable {
    /// The columns a fold reads, with their sizes in PostgreSQL's binary format.
    static let columns = BinaryCopyReader.Layout([
        ("position", 8), ("stream", nil), ("version", 4), ("event_id", 16), ("type", nil), ("schema", 4), ("data", nil),
        ("recorded_at", 8),
    ])

    /// Used by one page's read at a time (`page` awaits each read before the next starts).
    private let reader: BinaryCopyReader

    private init(reader: BinaryCopyReader) { self.reader = reader }

    static func open(_ store: EventStore) async throws -> LogCopy {
        LogCopy(reader: try await BinaryCopyReader.ofTheLog(store, layout: columns))
    }

    /// The events at positions `after + 1 … through` of `streams` recorded by `knownAt`
    /// (recorded times never decrease along the log, so they are a prefix), decoded.
    func page(after: Int64, through: Int64, knownAt: RecordedTime?, streams: FoldedStreams = .all) async throws -> LogPage {
        guard after < through else { return LogPage(events: [], through: after, cut: true) }
        let (bytes, count) = try await rows(after: after, through: through, streams: streams)
        // The log has every position up to its head: a range that holds none is a log that
        // lost events, not the end of one (a fold cut there would look whole). (A fold of
        // some streams checks the positions at once: `FoldedStreams.namesItsSources`.)
        guard count > 0 || !streams.isAll else { throw StoreError.corrupt("the log has no events at positions \(after + 1)…\(through)") }
        let (rows, cut) = try Self.rowStarts(bytes, count: count, knownAt: knownAt)
        let events = try await Self.events(bytes, at: rows)
        return LogPage(events: events, through: cut ? events.last?.position ?? after : through, cut: cut)
    }

    /// The rows at positions `after + 1 … through` of `streams`, as `COPY` sends them, and
    /// how many there are.
    func rows(after: Int64, through: Int64, streams: FoldedStreams) async throws -> (bytes: [UInt8], count: Int) {
        let reader = reader
        return try await BlockingThread.run("pledger-log-copy") {
            // Integers and constants only: COPY takes no bound parameters.
            try reader.start(
                """
                SELECT \(Self.columns.names.joined(separator: ", "))
                FROM events WHERE position > \(after) AND position <= \(through) AND \(streams.condition) ORDER BY position
                """)
            var bytes: [UInt8] = []
            var count = 0
            while true {
                let read = try reader.read(atLeast: Int.max, into: &bytes)
                guard read > 0 else { break }
                count += read
            }
            return (bytes, count)
        }
    }

    /// The rows starting at `starts` of `bytes` (rows as `COPY` sends them), decoded on every core.
    static func events(_ bytes: [UInt8], at starts: [Int]) async throws -> [RecordedEvent] {
        try await starts.mapOnEveryCore(minimum: 50) { start in try Self.decode(bytes, at: start) }
    }

    /// Each of `count` rows of `bytes`: where it lies, its stream's name, its version and its payload.
    static func forEachRow(
        _ bytes: [UInt8], count: Int,
        _ body: (_ row: Range<Int>, _ stream: UnsafeBufferPointer<UInt8>, _ version: Int32, _ data: UnsafeBufferPointer<UInt8>) throws ->
            Void
    ) rethrows {
        try bytes.withUnsafeBytes { raw in
            var cells = BinaryCopyReader.Cells(raw)
            for _ in 0..<count {
                let start = cells.offset
                cells.startRow()
                cells.skip()
                let stream = cells.next()
                let version = cells.integer(Int32.self)
                for _ in 0..<3 { cells.skip() }
                let data = cells.next()
                cells.skip()
                try body(start..<cells.offset, stream, version, data)
            }
        }
    }

    /// Whether libpq can be loaded here; without it, folds read through the pool.
    static var isAvailable: Bool { (try? LibPQ.load()) != nil }

    /// Where each row starts, up to the first recorded after `knownAt`, and whether one was.
    private static func rowStarts(_ bytes: [UInt8], count: Int, knownAt: RecordedTime?) throws -> (starts: [Int], cut: Bool) {
        try bytes.withUnsafeBytes { raw in
            var starts: [Int] = []
            starts.reserveCapacity(count)
            var cells = BinaryCopyReader.Cells(raw)
            for _ in 0..<count {
                let start = cells.offset
                cells.startRow()
                let position = cells.integer(Int64.self)
                for _ in 0..<6 { cells.skip() }
                let recordedAt = try recordedTime(&cells, at: position)
                if let knownAt, recordedAt > knownAt { return (starts, true) }
                starts.append(start)
            }
            return (starts, false)
        }
    }

    /// A row's `recorded_at`; infinity (which the pool's reading refuses too) is a log
    /// written behind the application's back.
    private static func recordedTime(_ cells: inout BinaryCopyReader.Cells, at position: Int64) throws -> RecordedTime {
        let (time, overflow) = cells.timestamp()
        guard !overflow else {
            throw StoreError.corrupt("recorded_at at position \(position) is not a time the format can hold (infinity?)")
        }
        return time
    }

    private static func decode(_ bytes: [UInt8], at start: Int) throws -> RecordedEvent {
        try bytes.withUnsafeBytes { raw in
            var cells = BinaryCopyReader.Cells(raw, at: start)
            cells.startRow()
            let position = cells.integer(Int64.self)
            let stream = cells.text()
            let version = cells.integer(Int32.self)
            let id = cells.uuid()
            let type = cells.text()
            let schema = cells.integer(Int32.self)
            let data = cells.next()
            let recordedAt = try recordedTime(&cells, at: position)
            return RecordedEvent(
                id: id, stream: stream, version: version, position: position, recordedAt: recordedAt,
                event: try LedgerEvent.decode(type: type, schema: schema, utf8: data))
        }
    }
}

/// One page of a fold's reading: its events, the position it read through (the last event
/// recorded by the view's `knownAt` when `cut`), and whether the view ends there.
struct LogPage: Sendable {
    var events: [RecordedEvent]
    var through: Int64
    var cut: Bool
}

/// How a replay reads the log: through the pool, or with binary `COPY` (`LogCopy`; through
/// the pool where libpq is not installed).
public enum LogReading: Sendable, Equatable {
    case pool, copy
    /// `copy` in pages of this many positions (tests: pages that end inside the log).
    case copyInPages(Int)

    var copyPageSize: Int? {
        switch self {
        case .pool: nil
        case .copy: 20_000
        case .copyInPages(let size): max(1, size)
        }
    }
}
