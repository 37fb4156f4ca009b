import Foundation
import PledgerDomain
import PostgresNIO

/// Recomputes the hash chain from the database and compares it with the head row.
public struct LedgerVerification: Sendable {
    public struct Report: Sendable {
        public var from: Int64
        public var verified: Int64 = 0
        public var lastPosition: Int64 = 0
        public var lastHash: LedgerHash = .zero
        public var head: LedgerHead?
        public var firstBreak: ChainBreak?
        public var seconds: Double = 0

        public var isIntact: Bool { firstBreak == nil }
        public var eventsPerSecond: Double { seconds > 0 ? Double(verified) / seconds : 0 }
    }

    public let store: EventStore
    /// Events per query. A page streams: the driver reads rows ahead while earlier ones are
    /// hashed, so reading and hashing overlap within it; pages only bound how long one query
    /// (and its deadline) runs.
    public var pageSize = 100_000

    public init(store: EventStore) { self.store = store }

    /// Verifies positions `from…head`. Starting later than 1 trusts the stored hash of the
    /// position before `from`; a signed checkpoint is how an auditor removes that trust.
    public func run(from: Int64 = 1, progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Report {
        let started = ContinuousClock.now
        let head = try await store.head()
        var report = Report(from: max(1, from))
        report.head = head
        var verifier: HashChainVerifier
        if report.from > 1 {
            guard let before = try await store.read(after: report.from - 2, limit: 1).first, before.position == report.from - 1 else {
                report.firstBreak = ChainBreak(position: report.from - 1, reason: "position \(report.from - 1) is missing")
                return report
            }
            verifier = HashChainVerifier(after: before.position, hash: before.hash)
        } else {
            verifier = HashChainVerifier()
        }
        var cursor = report.from - 1
        while true {
            let (checked, rows, problem) = try await page(after: cursor, verifier: verifier)
            verifier = checked
            if let problem {
                report.firstBreak = problem
                break
            }
            if rows == 0 { break }
            cursor = verifier.nextPosition - 1
            progress(cursor, head.position)
        }
        report.verified = verifier.verified
        report.lastPosition = verifier.nextPosition - 1
        report.lastHash = verifier.previous
        if report.firstBreak == nil {
            if report.lastPosition < head.position {
                report.firstBreak = ChainBreak(
                    position: report.lastPosition + 1,
                    reason: "the head says \(head.position) events exist but the log ends at \(report.lastPosition)")
            } else if report.lastPosition > head.position || (report.lastPosition > 0 && report.lastHash != head.hash) {
                report.firstBreak = ChainBreak(
                    position: head.position,
                    reason: "the head row (position \(head.position), hash \(head.hash.hex.prefix(16))…) does not match the log")
            }
        }
        report.seconds = (ContinuousClock.now - started).inSeconds
        return report
    }

    /// Checks up to `pageSize` events after `cursor` as their rows arrive, hashing the stored
    /// bytes where they lie in the driver's buffer (no envelope, no strings per event).
    /// Returns the verifier moved past them, how many rows were read, and the first break.
    private func page(after cursor: Int64, verifier: HashChainVerifier) async throws -> (HashChainVerifier, Int, ChainBreak?) {
        try await store.withTransaction("verification after position \(cursor)") { connection in
            // In position order straight from the primary key: with statistics that lag a
            // fresh load, the planner may otherwise scan and sort the whole log for each page.
            try await connection.query("SET LOCAL enable_sort = off", logger: store.logger)
            var verifier = verifier
            var count = 0
            let rows = try await connection.query(
                """
                SELECT position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash
                FROM events WHERE position > \(cursor) ORDER BY position LIMIT \(Int64(pageSize))
                """, logger: store.logger)
            for try await row in rows {
                count += 1
                var cells = row.makeIterator()
                let problem = try Self.check(&cells, with: &verifier)
                if let problem { return (verifier, count, problem) }
            }
            return (verifier, count, nil)
        }
    }

    /// Checks one row's cells, in the query's column order, read in place. Cells are taken
    /// raw: `row.decode` of eleven columns cost more than the hashing (generic metadata per row).
    private static func check(_ cells: inout PostgresRow.Iterator, with verifier: inout HashChainVerifier) throws -> ChainBreak? {
        let position = try cells.next(.int8, size: 8)
        let stream = try cells.next(.text)
        let version = try cells.next(.int4, size: 4)
        let eventId = try cells.next(.uuid, size: 16)
        let type = try cells.next(.text)
        let schema = try cells.next(.int4, size: 4)
        let data = try cells.next(.text)
        let meta = try cells.next(.text)
        let recorded = try cells.next(.timestamptz, size: 8)
        let previous = try cells.next(.bytea, size: 32)
        let hash = try cells.next(.bytea, size: 32)
        let micros: Int64 = recorded.getInteger(at: recorded.readerIndex)!
        let id = eventId.withUnsafeReadableBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
        return stream.withBytes { stream in
            type.withBytes { type in
                data.withBytes { data in
                    meta.withBytes { meta in
                        previous.withBytes { previous in
                            hash.withBytes { hash in
                                verifier.check(
                                    position: position.getInteger(at: position.readerIndex)!, stream: stream,
                                    version: version.getInteger(at: version.readerIndex)!, eventId: id, type: type,
                                    schema: schema.getInteger(at: schema.readerIndex)!, data: data, meta: meta,
                                    recordedAt: RecordedTime(microseconds: micros + postgresEpoch),
                                    storedPrevious: previous, storedHash: hash)
                            }
                        }
                    }
                }
            }
        }
    }

    /// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC.
    private static let postgresEpoch: Int64 = 946_684_800_000_000
}

extension PostgresRow.Iterator {
    /// The next cell's bytes, checked to be a non-null binary value of `type` (and `size`).
    fileprivate mutating func next(_ type: PostgresDataType, size: Int? = nil) throws -> ByteBuffer {
        guard let cell = next() else { throw StoreError.corrupt("an events row has too few columns") }
        guard cell.dataType == type, cell.format == .binary, let bytes = cell.bytes else {
            throw StoreError.corrupt("events.\(cell.columnName) is not a binary \(type)")
        }
        if let size, bytes.readableBytes != size {
            throw StoreError.corrupt("events.\(cell.columnName) has \(bytes.readableBytes) bytes, not \(size)")
        }
        return bytes
    }
}

extension ByteBuffer {
    /// The readable bytes, in place.
    fileprivate func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeReadableBytes { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
        }
    }
}
