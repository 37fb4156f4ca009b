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
                let (position, stream, version, eventId, type, schema, data, meta, recorded, previous, hash) = try row.decode(
                    (Int64, ByteBuffer, Int32, UUID, ByteBuffer, Int32, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer, ByteBuffer).self)
                count += 1
                guard previous.readableBytes == 32, hash.readableBytes == 32 else {
                    throw StoreError.corrupt("a stored hash is not 32 bytes")
                }
                guard recorded.readableBytes == 8, let micros = recorded.getInteger(at: recorded.readerIndex, as: Int64.self) else {
                    throw StoreError.corrupt("a stored recorded_at is not a timestamp")
                }
                let problem = stream.withBytes { stream in
                    type.withBytes { type in
                        data.withBytes { data in
                            meta.withBytes { meta in
                                previous.withBytes { previous in
                                    hash.withBytes { hash in
                                        verifier.check(
                                            position: position, stream: stream, version: version, eventId: eventId, type: type,
                                            schema: schema, data: data, meta: meta,
                                            recordedAt: RecordedTime(microseconds: micros + Self.postgresEpoch),
                                            storedPrevious: previous, storedHash: hash)
                                    }
                                }
                            }
                        }
                    }
                }
                if let problem { return (verifier, count, problem) }
            }
            return (verifier, count, nil)
        }
    }

    /// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC.
    private static let postgresEpoch: Int64 = 946_684_800_000_000
}

extension ByteBuffer {
    /// The readable bytes, in place.
    fileprivate func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeReadableBytes { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
        }
    }
}
