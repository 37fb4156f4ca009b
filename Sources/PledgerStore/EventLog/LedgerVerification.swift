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
    /// Rows per batch handed from the reader to the hasher (about 0.3 MB of rows).
    public var batchSize = 1024

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

    /// Checks up to `pageSize` events after `cursor`. Reading and hashing overlap: rows are
    /// copied, raw, into a batch while a task hashes the batch before it, so the driver's
    /// decoding and the SHA-256 chain run on two cores. Batches are checked in position
    /// order, so the first break found is still the first in the log.
    /// Returns the verifier moved past them, how many rows were read, and the first break.
    private func page(after cursor: Int64, verifier: HashChainVerifier) async throws -> (HashChainVerifier, Int, ChainBreak?) {
        let batchSize = batchSize
        return try await store.withTransaction("verification after position \(cursor)") { connection in
            // In position order straight from the primary key: with statistics that lag a
            // fresh load, the planner may otherwise scan and sort the whole log for each page.
            try await connection.query("SET LOCAL enable_sort = off", logger: store.logger)
            var count = 0
            let rows = try await connection.query(
                """
                SELECT position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash
                FROM events WHERE position > \(cursor) ORDER BY position LIMIT \(Int64(pageSize))
                """, logger: store.logger)
            // At most two batches live: the one filling and the one hashing (then reused).
            var hashing = Task { HashedBatch(verifier: verifier, problem: nil, batch: RowBatch()) }
            var batch = RowBatch()
            for try await row in rows {
                count += 1
                var cells = row.makeIterator()
                try batch.append(&cells)
                if batch.count == batchSize {
                    let done = await hashing.value
                    if done.problem != nil { return (done.verifier, count, done.problem) }
                    hashing = Task { [batch] in batch.hashed(after: done.verifier) }
                    batch = done.batch
                    batch.removeAll()
                }
            }
            let done = await hashing.value
            if done.problem != nil { return (done.verifier, count, done.problem) }
            let last = batch.hashed(after: done.verifier)
            return (last.verifier, count, last.problem)
        }
    }

    /// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC.
    fileprivate static let postgresEpoch: Int64 = 946_684_800_000_000
}

/// A verifier after hashing a batch, with the first break found and the batch to reuse.
private struct HashedBatch: Sendable {
    var verifier: HashChainVerifier
    var problem: ChainBreak?
    var batch: RowBatch
}

/// Events rows as their stored bytes, each cell a native-endian UInt32 length and its
/// bytes, in the query's column order; cells are checked for type and size when appended.
private struct RowBatch: Sendable {
    private var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    mutating func append(_ cells: inout PostgresRow.Iterator) throws {
        try add(cells.next(.int8, size: 8))  // position
        try add(cells.next(.text))  // stream
        try add(cells.next(.int4, size: 4))  // version
        try add(cells.next(.uuid, size: 16))  // event_id
        try add(cells.next(.text))  // type
        try add(cells.next(.int4, size: 4))  // schema
        try add(cells.next(.text))  // data
        try add(cells.next(.text))  // meta
        try add(cells.next(.timestamptz, size: 8))  // recorded_at
        try add(cells.next(.bytea, size: 32))  // prev_hash
        try add(cells.next(.bytea, size: 32))  // hash
        count += 1
    }

    private mutating func add(_ cell: ByteBuffer) {
        cell.withBytes { cell in
            withUnsafeBytes(of: UInt32(cell.count)) { length in
                length.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
            }
            bytes.append(contentsOf: cell)
        }
    }

    /// Checks the rows in order after `verifier`; stops at the first break.
    func hashed(after verifier: HashChainVerifier) -> HashedBatch {
        var verifier = verifier
        let problem = bytes.withUnsafeBytes { raw -> ChainBreak? in
            var offset = 0
            func next() -> UnsafeBufferPointer<UInt8> {
                let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                let start = raw.baseAddress! + offset + 4
                offset += 4 + length
                return UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: length)
            }
            func integer<T: FixedWidthInteger>(_ cell: UnsafeBufferPointer<UInt8>, as: T.Type) -> T {
                T(bigEndian: UnsafeRawPointer(cell.baseAddress!).loadUnaligned(as: T.self))
            }
            for _ in 0..<count {
                let position = integer(next(), as: Int64.self)
                let stream = next()
                let version = integer(next(), as: Int32.self)
                let eventId = UUID(uuid: UnsafeRawPointer(next().baseAddress!).loadUnaligned(as: uuid_t.self))
                let type = next()
                let schema = integer(next(), as: Int32.self)
                let data = next()
                let meta = next()
                let micros = integer(next(), as: Int64.self)
                let previous = next()
                let hash = next()
                if let problem = verifier.check(
                    position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema, data: data,
                    meta: meta, recordedAt: RecordedTime(microseconds: micros + LedgerVerification.postgresEpoch),
                    storedPrevious: previous, storedHash: hash)
                {
                    return problem
                }
            }
            return nil
        }
        return HashedBatch(verifier: verifier, problem: problem, batch: self)
    }
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
