import Foundation
import PledgerDomain
import PostgresNIO
import Synchronization

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
    /// Positions per `COPY` statement: each is one statement with its own timeout
    /// (`store.operationTimeout`), and progress is reported after each.
    public var pageSize = 100_000
    /// Rows per batch handed from the reader to the hashers (about 0.3 MB of rows).
    public var batchSize = 1024
    /// Pages read at once, each on a connection of its own: PostgreSQL sends one COPY from
    /// one core, and at national size that, not the hashing, was what verify waited for.
    public var connections = 2

    public init(store: EventStore) { self.store = store }

    /// The events columns the chain covers, in the order the hasher reads them, with their
    /// sizes in PostgreSQL's binary format (nil: any length).
    static let columns = BinaryCopyReader.Layout([
        ("position", 8), ("stream", nil), ("version", 4), ("event_id", 16), ("type", nil), ("schema", 4), ("data", nil),
        ("meta", nil), ("recorded_at", 8), ("prev_hash", 32), ("hash", 32),
    ])

    /// Verifies positions `from…head`, the head as it is when the run starts (events
    /// appended meanwhile are left for the next run). Starting later than 1 trusts the stored
    /// hash of the position before `from`; a signed checkpoint is how an auditor removes that trust.
    public func run(from: Int64 = 1, progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Report {
        let started = ContinuousClock.now
        let (head, lastStored) = try await headAndLastStored()
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
        var pages: [ClosedRange<Int64>] = []
        var cursor = report.from - 1
        while cursor < head.position {
            let last = min(head.position, cursor + Int64(max(1, pageSize)))
            pages.append(cursor + 1...last)
            cursor = last
        }
        var readers: [BinaryCopyReader] = []
        for _ in 0..<min(max(1, connections), pages.count) {
            readers.append(try await BinaryCopyReader.ofTheLog(store, layout: Self.columns))
        }
        // Page i is read on reader i % readers.count; the next page for a reader starts once
        // the one it read is joined, so each reader has one COPY at a time.
        var reading: [Int: Task<CheckedPage, any Error>] = [:]
        func startReading(_ index: Int) {
            guard index < pages.count else { return }
            let (range, reader) = (pages[index], readers[index % readers.count])
            reading[index] = Task { try await page(range, reader: reader) }
        }
        for index in readers.indices { startReading(index) }
        for index in pages.indices {
            // Whatever ends the run, the pages still being read are waited for first: their
            // threads use readers that end with this function.
            let checked: CheckedPage
            do {
                checked = try await reading.removeValue(forKey: index)!.value
            } catch {
                for task in reading.values { _ = try? await task.value }
                throw error
            }
            if let problem = checked.joined(to: &verifier) {
                report.firstBreak = problem
                for task in reading.values { _ = try? await task.value }
                break
            }
            startReading(index + readers.count)
            progress(pages[index].upperBound, head.position)
        }
        report.verified = verifier.verified
        report.lastPosition = verifier.nextPosition - 1
        report.lastHash = verifier.previous
        if report.firstBreak == nil {
            if report.lastPosition < head.position {
                report.firstBreak = ChainBreak(
                    position: report.lastPosition + 1,
                    reason: "the head says \(head.position) events exist but the log ends at \(report.lastPosition)")
            } else if report.lastPosition > 0 && report.lastHash != head.hash {
                report.firstBreak = ChainBreak(
                    position: head.position,
                    reason: "the head row (position \(head.position), hash \(head.hash.hex.prefix(16))…) does not match the log")
            } else if lastStored > head.position {
                report.firstBreak = ChainBreak(
                    position: head.position + 1,
                    reason:
                        "events are stored past the head row (position \(head.position)) up to \(lastStored): the head was moved back, or events were written behind the application's back"
                )
            }
        }
        report.seconds = (ContinuousClock.now - started).inSeconds
        return report
    }

    /// The head row and the last position stored, in one snapshot (an append moves both in
    /// one transaction, so they differ only when someone moved one behind the application's back).
    private func headAndLastStored() async throws -> (LedgerHead, Int64) {
        try await store.withConnection("verification head") { connection in
            let rows = try await connection.query(
                """
                SELECT position, hash, (extract(epoch FROM recorded_at) * 1000000)::int8, (SELECT coalesce(max(position), 0) FROM events)
                FROM ledger_head
                """, logger: store.logger)
            for try await (position, hash, micros, last) in rows.decode((Int64, ByteBuffer, Int64?, Int64).self) {
                return (
                    LedgerHead(position: position, hash: try LedgerHash.decoding(hash), recordedAt: micros.map(RecordedTime.init)), last
                )
            }
            throw StoreError.notMigrated
        }
    }

    /// Checks the events stored at `positions` on their own, from the first one's stored
    /// prev_hash on (`CheckedPage.joined` links them to the log before them). Reading and
    /// hashing overlap, and the hashing runs on every core: the reader's thread copies whole
    /// rows, raw, into batches, and each batch is hashed on its own, from its first row's
    /// stored prev_hash, while the next ones are read. The batches are then joined in
    /// position order (`CheckedPage.append`), so the first break found
    /// is still the first in the page.
    private func page(_ positions: ClosedRange<Int64>, reader: BinaryCopyReader) async throws -> CheckedPage {
        let batchSize = batchSize
        return try await BlockingThread.run("pledger-verify") {
            // Column names and integers only: COPY takes no bound parameters.
            try reader.start(
                """
                SELECT \(Self.columns.names.joined(separator: ", "))
                FROM events WHERE position BETWEEN \(positions.lowerBound) AND \(positions.upperBound) ORDER BY position
                """)
            var hashing = HashingBatches()
            while true {
                var batch = hashing.spare()
                let rows: Int
                do {
                    rows = try reader.read(atLeast: batchSize, into: &batch.bytes)
                } catch {
                    // A break found in the rows before the failure is still the answer.
                    let problem = hashing.finish()
                    if problem != nil { return hashing.page(problem) }
                    throw error
                }
                batch.count = rows
                // After a break the run ends, and closing the connection ends the copy.
                // (Each call first, then `page`: the page is read after the joins they make.)
                if rows == 0 {
                    let problem = hashing.finish()
                    return hashing.page(problem)
                }
                let problem = hashing.hash(batch)
                if problem != nil { return hashing.page(problem) }
            }
        }
    }
}

/// A page checked on its own: its first row's position and stored prev_hash (nil when the
/// page holds no rows), the verifier moved past its rows, and the first break among them.
private struct CheckedPage: Sendable {
    var first: (position: Int64, previous: [UInt8])?
    var verifier: HashChainVerifier?
    var problem: ChainBreak?

    /// Moves `chain` past this page if its first row is `chain`'s next; the first break.
    func joined(to chain: inout HashChainVerifier) -> ChainBreak? {
        if let first, let verifier {
            if let problem = first.previous.withUnsafeBufferPointer({ chain.link(position: first.position, storedPrevious: $0) }) {
                return problem
            }
            chain.takeOver(from: verifier)
        }
        return problem
    }

    /// Joins `next`, the rows right after these (the first rows, if there are none yet); the
    /// first break. The pages and the batches inside one are joined the same way.
    mutating func append(_ next: CheckedPage) -> ChainBreak? {
        guard verifier != nil else {
            (first, verifier) = (next.first, next.verifier)
            return next.problem
        }
        return next.joined(to: &verifier!)
    }
}

/// The batches being hashed, on every core (a few at a time, so memory stays bounded), and
/// the chain joined from those hashed so far, in position order. Used by one reader thread.
private struct HashingBatches {
    /// The page checked up to the last batch joined.
    private var checked = CheckedPage()
    private var sent = 0
    private var joined = 0
    private let done = Done()
    private let hashed = DispatchGroup()
    /// Signalled once a batch is hashed.
    private let completed = DispatchSemaphore(value: 0)
    /// Batches sent and not yet joined, at most.
    private let limit = EveryCore.count + 1
    private let queue = DispatchQueue(label: "pledger-verify-hash", attributes: .concurrent)
    private var spares: [RowBatch] = []

    /// The page as checked so far, ending at `problem`.
    func page(_ problem: ChainBreak?) -> CheckedPage { CheckedPage(first: checked.first, verifier: checked.verifier, problem: problem) }

    /// An empty batch, its buffer reused from one already joined.
    mutating func spare() -> RowBatch {
        var batch = spares.popLast() ?? RowBatch()
        batch.removeAll()
        return batch
    }

    /// Starts hashing `batch` (once fewer than `limit` are waiting to be joined), then joins
    /// those done; the first break.
    mutating func hash(_ batch: RowBatch) -> ChainBreak? {
        while sent - joined >= limit {
            completed.wait()
            if let problem = join() { return problem }
        }
        let (number, done, completed) = (sent, done, completed)
        sent += 1
        queue.async(group: hashed) {
            let result = batch.hashed()
            done.batches.withLock { $0[number] = result }
            completed.signal()
        }
        return join()
    }

    /// Waits for every batch sent, then joins them; the first break.
    mutating func finish() -> ChainBreak? {
        hashed.wait()
        return join()
    }

    /// Joins the batches done, in order, up to the first not yet done or the first break.
    private mutating func join() -> ChainBreak? {
        while joined < sent, let batch = done.batches.withLock({ $0.removeValue(forKey: joined) }) {
            joined += 1
            spares.append(batch.batch)
            if let problem = checked.append(CheckedPage(first: batch.first, verifier: batch.verifier, problem: batch.problem)) {
                hashed.wait()
                return problem
            }
        }
        return nil
    }
}

/// The batches hashed, by number, until they are joined.
private final class Done: Sendable {
    let batches = Mutex([Int: HashedBatch]())
}

/// A batch hashed on its own: its first row's position and stored prev_hash (for the join),
/// the verifier moved past its rows, the first break among them, and its buffer to reuse.
private struct HashedBatch: Sendable {
    var first: (position: Int64, previous: [UInt8])
    var verifier: HashChainVerifier
    var problem: ChainBreak?
    var batch: RowBatch
}

/// Events rows as the COPY stream carries them (`BinaryCopyReader`, its layout checked):
/// per row a column count, then per column a big-endian length and the bytes.
private struct RowBatch: Sendable {
    var bytes: [UInt8] = []
    var count = 0

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Checks the rows in order, from the first row's position and stored prev_hash on (the
    /// join checks that link); stops at the first break.
    func hashed() -> HashedBatch {
        bytes.withUnsafeBytes { raw -> HashedBatch in
            var cells = BinaryCopyReader.Cells(raw)
            precondition(count > 0, "a batch is hashed only with rows in it")
            // The first row's position, then its prev_hash after the eight columns between.
            var firstRow = cells
            firstRow.startRow()
            let start = firstRow.integer(Int64.self)
            for _ in 0..<8 { firstRow.skip() }
            let firstPrevious = Array(firstRow.next())
            var verifier = HashChainVerifier(after: start - 1, hash: LedgerHash(bytes: firstPrevious) ?? .zero)
            let first = (position: start, previous: firstPrevious)
            for _ in 0..<count {
                cells.startRow()
                let position = cells.integer(Int64.self)
                let stream = cells.next()
                let version = cells.integer(Int32.self)
                let eventId = cells.uuid()
                let type = cells.next()
                let schema = cells.integer(Int32.self)
                let data = cells.next()
                let meta = cells.next()
                let (recordedAt, overflow) = cells.timestamp()
                let previous = cells.next()
                let hash = cells.next()
                if overflow && position == verifier.nextPosition {
                    let problem = ChainBreak(position: position, reason: "recorded_at is not a time the format can hold (infinity?)")
                    return HashedBatch(first: first, verifier: verifier, problem: problem, batch: self)
                }
                if let problem = verifier.check(
                    position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema, data: data,
                    meta: meta, recordedAt: recordedAt, storedPrevious: previous, storedHash: hash)
                {
                    return HashedBatch(first: first, verifier: verifier, problem: problem, batch: self)
                }
            }
            return HashedBatch(first: first, verifier: verifier, problem: nil, batch: self)
        }
    }
}
