import Foundation
import Logging
import Metrics
import PledgerDomain
import PostgresNIO
import Synchronization

/// The PostgreSQL event log (docs/ledger-format.md): gap-free positions in commit order, optimistic
/// concurrency per stream, idempotency keys and the SHA-256 hash chain.
///
/// Appends from concurrent callers are group-committed: `run()` takes whatever is waiting
/// and writes it in one transaction under the head-row lock, while each caller still gets
/// its own result or error. `run()` must be running (in a task group or service group) for
/// appends to return — one that finds the writer idle commits itself, but any that queue
/// wait for `run()` — and it closes the writer's connection when it ends; reads work without it.
public final class EventStore: Sendable {
    public static let notifyChannel = "pledger_events"

    /// Where the log is: `client`'s database, for the readers that open a connection of
    /// their own (`BinaryCopyReader`).
    public let url: DatabaseURL
    public let client: PostgresClient
    public let logger: Logger
    /// Appends are grouped into one transaction up to this many events.
    let maxBatchEvents: Int
    /// The most one atomic append may hold (an import, a bulk report): it commits in a
    /// transaction of its own when it is bigger than a group. The bound keeps one statement's
    /// parameters far below PostgreSQL's 1 GiB message limit (about 125 MiB at 250,000 events).
    public let maxAppendEvents: Int
    /// The longest any one database operation (a read, a group commit) may take before its
    /// caller is answered with `StoreError.timedOut` and its connection is closed.
    public let operationTimeout: Duration
    private let queue = Mutex(PendingQueue())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let batchStats = Mutex(BatchStatistics())
    /// What the writer knows after its last commit: the head it wrote and the versions of
    /// streams it has seen, for one-statement optimistic appends (see `GroupCommit`).
    private let known = Mutex(KnownTip())
    private let health = Mutex(WriterHealth())
    private let watch = ConnectionWatch()
    private let writer: WriterConnection

    public init(
        url: DatabaseURL, client: PostgresClient, logger: Logger, maxBatchEvents: Int = 50_000, maxAppendEvents: Int = 250_000,
        operationTimeout: Duration = .seconds(60), limits: DatabaseURL.SessionLimits = .none
    ) {
        self.url = url
        self.client = client
        self.logger = logger
        self.maxBatchEvents = maxBatchEvents
        self.maxAppendEvents = max(maxAppendEvents, maxBatchEvents)
        self.operationTimeout = operationTimeout
        writer = WriterConnection(url: url, limits: limits, logger: logger)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs `body` on a pooled connection within `operationTimeout`. On the deadline the
    /// connection is closed, which fails whatever it was waiting for, and the caller gets
    /// `StoreError.timedOut`; driver errors come back wrapped (`StoreError.wrap`).
    public func withConnection<Value: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        do {
            return try await lease(what, body)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// A pooled connection for `body`, within the deadline, watched (see `ConnectionWatch`).
    private func lease<Value: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value) async throws
        -> Value
    {
        try await Deadline.run(operationTimeout, what) { deadline in
            try await self.client.withConnection { connection in
                deadline.onExpiry { connection.close().whenComplete { _ in } }
                // Once the body is done the connection goes back to the pool: a deadline passing
                // after that must not close it under its next user.
                defer { deadline.disarm() }
                return try await self.watch.watch(connection) { try await body(connection) }
            }
        }
    }

    // MARK: Appending

    /// Appends atomically; throws `AppendError` when refused (nothing written).
    ///
    /// When no commit is running and nothing waits, the caller commits its append itself,
    /// in its own task: handing it to the writer's task and back were two thread switches on
    /// the single-client path. Appends that arrive meanwhile queue up, and the writer commits
    /// them as one group when this one is done.
    @discardableResult
    public func append(_ request: AppendRequest) async throws -> AppendResult {
        try await append(request, prepared: nil, next: nil)
    }

    /// `append(_:)` for one of a sequence of big appends written one after another (an
    /// import's chunks): while this one is written, the sequence's next request — `next` is
    /// asked for it once this one is planned — is planned on the head this one will leave.
    /// That plan comes back with the result, to be passed with that request. The writer uses
    /// it only if the head and the streams' versions are still those it was planned on when
    /// it commits it (nobody else wrote meanwhile), and plans again otherwise; a plan that
    /// would refuse anything is not made ahead, nor used once older than two seconds. The
    /// client's share of each append — positions, chain links, parameters — then overlaps the
    /// database's share of the one before. The result comes back once the next is planned
    /// too, so `next` must not wait for this append's result.
    public func append(
        _ request: AppendRequest, prepared: PreparedAppend?, preparingNext next: @escaping @Sendable () async throws -> AppendRequest?
    ) async throws -> (result: AppendResult, next: PreparedAppend?) {
        let preparing = NextAppend(next)
        do {
            let result = try await append(request, prepared: prepared?.request == request ? prepared : nil, next: preparing)
            return (result, await preparing.prepared())
        } catch {
            preparing.cancel()
            throw error
        }
    }

    private func append(_ request: AppendRequest, prepared: PreparedAppend?, next: NextAppend?) async throws -> AppendResult {
        try request.validate()
        guard request.eventCount <= maxAppendEvents else {
            throw AppendError.invalid("one append may hold at most \(maxAppendEvents) events, this one has \(request.eventCount)")
        }
        if queue.withLock({ $0.claimIdle() }) {
            batchStats.withLock { $0.byCaller += 1 }
            let reply = DirectReply()
            await commit([PendingAppend(request: request, reply: .direct(reply), queuedAt: .now, prepared: prepared, next: next)])
            endCommit()
            return try reply.outcome.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.withLock { queue in
                guard !queue.closed else { return false }
                queue.pending.append(
                    PendingAppend(request: request, reply: .queued(continuation), queuedAt: .now, prepared: prepared, next: next))
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: StoreError.shutDown)
            }
        }
    }

    /// `withConnection` inside BEGIN … COMMIT.
    public func withTransaction<Value: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await withConnection(what) { connection in
            try await Self.transaction(connection, logger: self.logger, beforeCommit: {}, body)
        }
    }

    /// The stored answer of an idempotency key, if the key has been used.
    public func idempotencyRecord(_ key: String) async throws -> IdempotencyRecord? {
        try await withConnection("idempotency lookup") { connection in
            let rows = try await connection.query(
                "SELECT request_hash, result, reply FROM idempotency_keys WHERE key = \(key)", logger: self.logger)
            for try await (hash, result, reply) in rows.decode((ByteBuffer, String, String?).self) {
                return IdempotencyRecord(
                    fingerprint: Array(hash.readableBytesView), result: try CanonicalJSON.decode(AppendResult.self, from: result),
                    reply: reply)
            }
            return nil
        }
    }

    /// The group-commit writer. Returns after `finish()` once everything queued is written,
    /// or on cancellation (failing what is still queued; nothing half-written); either way
    /// after the commit a caller may be making itself, and with the writer's connection closed.
    public func run() async {
        for await _ in wakeups {
            await drain()
        }
        queue.withLock { $0.closed = true }
        await withCheckedContinuation { continuation in
            let idle = queue.withLock { queue -> Bool in
                if !queue.committing { return true }
                queue.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
        if !Task.isCancelled { await drain() }
        let abandoned = queue.withLock { queue in
            defer { queue.pending = [] }
            return queue.pending
        }
        for pending in abandoned { pending.answer(.failure(StoreError.shutDown)) }
        await writer.close()
    }

    /// Asks `run()` to write what is queued and return (graceful shutdown).
    public func finish() {
        wake.finish()
    }

    /// Sizes of the transactions written so far (for metrics and benchmarks).
    public var statistics: BatchStatistics { batchStats.withLock { $0 } }

    /// Connections the writer has opened (one, unless failures replaced it).
    var writerConnectionsOpened: Int { writer.opened }

    /// Whether the writer is making progress, for `/readyz`: a commit running, or an append
    /// waiting, for longer than twice the operation timeout means it is stuck; recent
    /// commits failing on database faults mean writes are failing.
    public func writerProblem(now: ContinuousClock.Instant = .now) -> String? {
        let oldestWaiting = queue.withLock { $0.pending.first?.queuedAt }
        return health.withLock { health in
            let limit = operationTimeout * 2
            if let since = health.committingSince, now - since > limit {
                return "a group commit has been running for \(now - since)"
            }
            if let oldestWaiting, now - oldestWaiting > limit {
                return "an append has been waiting \(now - oldestWaiting) for the writer"
            }
            if health.consecutiveFaults >= 3, let reason = health.lastFault {
                return "the last \(health.consecutiveFaults) group commits failed: \(reason)"
            }
            return nil
        }
    }

    /// Why a write would fail now, or nil when it would go through — found without writing,
    /// in a transaction that is rolled back, for `/readyz`: the database accepts writes (not
    /// a standby, not `default_transaction_read_only`), this role may insert events and
    /// idempotency keys, and the ledger head can be locked within `lockWait` (the writer
    /// takes that lock for every group commit). Throws when the database cannot be asked.
    public func writePathProblem(lockWait: Duration = .seconds(1)) async throws -> String? {
        let milliseconds = max(1, lockWait.nanoseconds / 1_000_000)
        return try await withConnection("write-path check") { connection in
            try await connection.query("BEGIN", logger: self.logger)
            do {
                let problem = try await Self.writePathProblem(on: connection, lockTimeout: milliseconds, logger: self.logger)
                try await connection.query("ROLLBACK", logger: self.logger)
                return problem
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    private static func writePathProblem(on connection: PostgresConnection, lockTimeout milliseconds: Int64, logger: Logger) async throws
        -> String?
    {
        try await connection.query("SET LOCAL lock_timeout = \(unescaped: String(milliseconds))", logger: logger)
        let rows = try await connection.query(
            """
            SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on',
                   has_table_privilege('events', 'INSERT') AND has_table_privilege('idempotency_keys', 'INSERT')
                   AND has_table_privilege('ledger_head', 'UPDATE')
            """, logger: logger)
        for try await (recovery, readOnly, mayWrite) in rows.decode((Bool, Bool, Bool).self) {
            if recovery { return "the database is a standby in recovery; it accepts no writes" }
            if readOnly { return "the database is read-only (default_transaction_read_only is on)" }
            if !mayWrite { return "this role may not insert events and idempotency keys or update the ledger head" }
        }
        do {
            // Read to the end: a lock timeout arrives after the row description, while rows are read.
            for try await _ in try await connection.query("SELECT position FROM ledger_head FOR UPDATE", logger: logger) {}
        } catch  where StoreError.sqlState(of: error) == "55P03" {
            return "the ledger head is locked by another transaction (still held after \(milliseconds) ms)"
        }
        return nil
    }

    /// Commits what is queued, group by group, unless a caller is committing its own append
    /// (it wakes the writer when done if more is queued).
    private func drain() async {
        while !Task.isCancelled {
            let batch = queue.withLock { $0.claimBatch(maxEvents: maxBatchEvents) }
            if batch.isEmpty { return }
            await commit(batch)
            endCommit(wakingWriter: false)
        }
    }

    /// After a commit: the next may start; the writer is woken for appends that queued meanwhile.
    private func endCommit(wakingWriter: Bool = true) {
        let (queued, waiters) = queue.withLock { queue in
            queue.committing = false
            defer { queue.idleWaiters = [] }
            return (!queue.pending.isEmpty, queue.idleWaiters)
        }
        if queued && wakingWriter { wake.yield() }
        for waiter in waiters { waiter.resume() }
    }

    /// The writer's own connection for `body` (see `WriterConnection`), within the deadline
    /// and watched like a leased one. After any failure the connection is closed and the next
    /// commit opens another.
    ///
    /// It runs to its end or its deadline even if the task that asked for it is cancelled.
    /// Otherwise a cancelled caller would be answered while its statement still ran on the
    /// connection, and the next commit would send its own on the same connection meanwhile:
    /// the connection has one user at a time because the commit holds it until it is done.
    /// An operation whose deadline passed before it got the connection (its task held back)
    /// leaves it alone: by then the next commit may be using it.
    private func onWriterConnection<Value: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await Deadline.run(operationTimeout, what, ignoringCancellation: true) { deadline in
            let connection = try await self.writer.connection()
            guard deadline.armUnlessExpired({ self.writer.discard(connection) }) else { throw StoreError.timedOut(what) }
            defer { deadline.disarm() }
            do {
                return try await self.watch.watch(connection) { try await body(connection) }
            } catch {
                self.writer.discard(connection)
                throw error
            }
        }
    }

    private func commit(_ batch: [PendingAppend]) async {
        let group = GroupCommit(requests: batch.map(\.request), logger: logger)
        // An append alone in its batch may come planned ahead, or want its successor planned
        // on the tip it leaves (see `append(_:prepared:preparingNext:)`).
        let alone = batch.count == 1 ? batch[0] : nil
        let tip = known.withLock { $0.covering(group) }
        let prepareNext = { @Sendable (plan: GroupCommit.Plan) -> Void in
            guard let next = alone?.next else { return }
            next.prepare(after: plan, known: { streams in self.known.withLock { $0.versions(of: streams) } }, logger: self.logger)
        }
        // Set just before the statement that commits (COMMIT, or the one-round-trip CALL): a
        // failure after it leaves the outcome unknown; before it, nothing was written. Only
        // that statement's answer makes a batch acknowledged — never rows seen from a
        // statement that commits later (a backend terminated after sending them rolls back).
        let mayHaveCommitted = Flag()
        let started = ContinuousClock.now
        health.withLock { $0.committingSince = started }
        defer { health.withLock { $0.committingSince = nil } }
        do {
            let plan = try await onWriterConnection("group commit of \(batch.count) appends") { connection -> GroupCommit.Plan in
                if let (head, versions, assumedNew) = tip {
                    let planned: (plan: GroupCommit.Plan, call: CommitOnHead?)?
                    if let prepared = alone?.prepared, prepared.fits(head: head, versions: versions, assumedNew: assumedNew) {
                        planned = (prepared.plan, prepared.call)
                    } else {
                        planned = try group.planOptimistic(on: head, versions: versions, assumedNew: assumedNew).map { ($0, nil) }
                    }
                    if let (plan, call) = planned {
                        if plan.rows.isEmpty { return plan }
                        let statement = try call ?? CommitOnHead(plan, on: head)
                        prepareNext(plan)
                        mayHaveCommitted.set(true)
                        if try await group.commitOptimistic(statement, connection: connection) {
                            if call != nil { self.batchStats.withLock { $0.plannedAhead += 1 } }
                            return plan
                        }
                        mayHaveCommitted.set(false)
                    }
                }
                return try await Self.transaction(connection, logger: self.logger, beforeCommit: { mayHaveCommitted.set(true) }) {
                    try await group.writeLocked(on: $0, planned: prepareNext)
                }
            }
            known.withLock { $0.remember(plan) }
            batchStats.withLock { $0.record(requests: batch.count) }
            Counter(label: "pledger_append_transactions_total").increment()
            Counter(label: "pledger_append_requests_total").increment(by: batch.count)
            Recorder(label: "pledger_append_batch_size").record(batch.count)
            // Events actually written (refused and replayed requests write none), and how
            // long the transaction took from lease to COMMIT's answer.
            Recorder(label: "pledger_group_commit_batch_events").record(plan.rows.positions.count)
            Metrics.Timer(label: "pledger_group_commit_duration_seconds").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            health.withLock { $0.consecutiveFaults = 0 }
            for (pending, outcome) in zip(batch, plan.outcomes) { pending.answer(outcome) }
        } catch {
            known.withLock { $0 = KnownTip() }
            let error = StoreError.wrap(error)
            if StoreError.isTransient(error) {
                // The database's condition, not the requests': every caller gets a 503-class
                // error at once (retrying them one by one would only wait out more timeouts).
                // An error the statement itself returned (a lock timeout, say) means it rolled
                // back. A lost answer after the decisive statement — the connection gone, the
                // deadline, the backend terminated (57…, 08…) — leaves the outcome open.
                let state = StoreError.sqlState(of: error)
                let unknown = mayHaveCommitted.value && (state == nil || ["57", "08"].contains(state!.prefix(2)))
                health.withLock {
                    $0.consecutiveFaults += 1
                    $0.lastFault = "\(error)"
                }
                logger.error(
                    unknown ? "commit outcome unknown" : "group commit failed",
                    metadata: ["error": "\(error)", "appends": "\(batch.count)"])
                for pending in batch { pending.answer(.failure(unknown ? StoreError.commitOutcomeUnknown : error)) }
                var blocked = state == "55P03"
                if case StoreError.timedOut = error { blocked = true }
                if blocked {
                    // The head is held, or the database does not answer: what queued meanwhile
                    // would only wait out another full timeout. Answer it now; it may retry.
                    let waiting = queue.withLock { queue in
                        defer { queue.pending = [] }
                        return queue.pending
                    }
                    for pending in waiting { pending.answer(.failure(error)) }
                }
                return
            }
            if tip != nil {
                // The optimistic call failed on its own terms (a key already used, say):
                // nothing was written, and the locked way looks keys up before writing.
                await commit(batch)
                return
            }
            if batch.count > 1 {
                // Something in the batch broke the whole statement; nothing was written.
                // Write each request alone so that only the culprit fails.
                logger.warning("group commit failed, retrying its \(batch.count) requests one by one", metadata: ["error": "\(error)"])
                for pending in batch { await self.commit([pending]) }
            } else {
                batch[0].answer(.failure(error))
            }
        }
    }

    /// BEGIN, `body`, COMMIT — with a hook just before COMMIT, so the writer can tell a
    /// failure that wrote nothing from one whose outcome is unknown.
    static func transaction<Value>(
        _ connection: PostgresConnection, logger: Logger, beforeCommit: () -> Void, _ body: (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await connection.query("BEGIN", logger: logger)
        let value: Value
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        beforeCommit()
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    // MARK: Reading

    /// The events of one stream from `version` on, in order.
    public func read(stream: String, fromVersion version: Int32 = 1, limit: Int = 10_000) async throws -> [StoredEvent] {
        try await withConnection("read of \(stream)") { connection in
            try Self.decode(
                await connection.allRows(
                    """
                    SELECT \(unescaped: Self.columns) FROM events
                    WHERE stream = \(stream) AND version >= \(version) ORDER BY version LIMIT \(Int64(limit))
                    """, logger: self.logger))
        }
    }

    /// A page of the global log: positions after `position`, ascending.
    public func read(after position: Int64, limit: Int = 1000) async throws -> [StoredEvent] {
        try await withConnection("read of the log") { try await Self.read(after: position, limit: limit, on: $0, logger: self.logger) }
    }

    static func read(after position: Int64, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [StoredEvent] {
        try decode(
            await connection.allRows(
                "SELECT \(unescaped: columns) FROM events WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))",
                logger: logger))
    }

    /// Current version of each stream (0 when it does not exist).
    public func versions(of streams: [String]) async throws -> [String: Int32] {
        try await withConnection("stream versions") { try await Self.versions(of: streams, on: $0, logger: self.logger) }
    }

    static func versions(of streams: [String], on connection: PostgresConnection, logger: Logger) async throws -> [String: Int32] {
        var versions: [String: Int32] = [:]
        let rows = try await connection.query(
            """
            SELECT s.name, COALESCE((SELECT max(version) FROM events WHERE stream = s.name), 0)
            FROM unnest(\(streams)::text[]) AS s(name)
            """, logger: logger)
        for try await (name, version) in rows.decode((String, Int32).self) { versions[name] = version }
        return versions
    }

    public func head() async throws -> LedgerHead {
        try await withConnection("ledger head") { connection in
            let rows = try await connection.query(
                "SELECT position, hash, (extract(epoch FROM recorded_at) * 1000000)::int8 FROM ledger_head",
                logger: self.logger)
            for try await (position, hash, micros) in rows.decode((Int64, ByteBuffer, Int64?).self) {
                return LedgerHead(position: position, hash: try LedgerHash.decoding(hash), recordedAt: micros.map(RecordedTime.init))
            }
            throw StoreError.notMigrated
        }
    }

    static let columns = """
        position, stream, version, event_id, type, schema, data, meta,
        (extract(epoch FROM recorded_at) * 1000000)::int8, prev_hash, hash
        """

    static func decode(_ rows: [PostgresRow]) throws -> [StoredEvent] { try rows.map(stored) }

    /// Rows of `columns` as events, decoded on every core (most of a read's work).
    static func recorded(_ rows: [PostgresRow]) async throws -> [RecordedEvent] {
        try await rows.mapOnEveryCore(minimum: 1000) { try RecordedEvent(stored($0).envelope) }
    }

    /// One row of `columns`: its cells read raw (`RawCells`), or through the driver's decoding
    /// when one is not what `columns` selects (whose error then names it).
    static func stored(_ row: PostgresRow) throws -> StoredEvent {
        var raw = RawCells(row)
        let cells: (Int64, String, Int32, UUID, String, Int32, String, String, Int64, ByteBuffer, ByteBuffer)
        if let position = raw.int64(), let stream = raw.text(), let version = raw.int32(), let eventId = raw.uuid(),
            let type = raw.text(), let schema = raw.int32(), let data = raw.text(), let meta = raw.text(), let micros = raw.int64(),
            let prev = raw.bytea(), let hash = raw.bytea()
        {
            cells = (position, stream, version, eventId, type, schema, data, meta, micros, prev, hash)
        } else {
            cells = try row.decode((Int64, String, Int32, UUID, String, Int32, String, String, Int64, ByteBuffer, ByteBuffer).self)
        }
        let (position, stream, version, eventId, type, schema, data, meta, micros, prev, hash) = cells
        return StoredEvent(
            envelope: EventEnvelope(
                position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema,
                data: data, meta: meta, recordedAt: RecordedTime(microseconds: micros)),
            prevHash: try LedgerHash.decoding(prev), hash: try LedgerHash.decoding(hash))
    }
}

/// Transaction sizes written by the group-commit writer.
public struct BatchStatistics: Sendable {
    public private(set) var transactions = 0
    public private(set) var requests = 0
    public private(set) var largestBatch = 0
    /// Appends their callers committed themselves, the writer being idle.
    public internal(set) var byCaller = 0
    /// Appends written as planned while the one before them was written
    /// (`EventStore.append(_:prepared:preparingNext:)`).
    public internal(set) var plannedAhead = 0

    mutating func record(requests count: Int) {
        transactions += 1
        requests += count
        largestBatch = max(largestBatch, count)
    }
}

/// The head this process last wrote and stream versions it knows to be current as of it.
struct KnownTip {
    var head: ChainHead?
    var versions: [String: Int32] = [:]

    /// Head and versions for an optimistic write, if every stream of the batch is known or
    /// new, and the new ones (`assumedNew`): a stream this process has not seen counts as
    /// empty when each request writing it expects no stream in its first part on it (a new
    /// loan, borrower or asset; later parts of the same request go on from there). The plan
    /// holds only if it writes version 1 of each such stream (`GroupCommit.planOptimistic`),
    /// which the unique (stream, version) key refuses if the stream exists after all. Keys
    /// need no lookup either: a key already used fails the statement on the key's primary
    /// key. Either way nothing is written, and the batch is then written the locked way,
    /// which reads both and answers as it must.
    func covering(_ commit: GroupCommit) -> (head: ChainHead, versions: [String: Int32], assumedNew: Set<String>)? {
        guard let head else { return nil }
        var needed: [String: Int32] = [:]
        var assumedNew = Set<String>()
        for request in commit.requests {
            var begun = Set<String>()
            for part in request.streams {
                if let version = versions[part.stream] {
                    needed[part.stream] = version
                } else if part.expected == .noStream || begun.contains(part.stream) {
                    needed[part.stream] = 0
                    assumedNew.insert(part.stream)
                    begun.insert(part.stream)
                } else {
                    return nil
                }
            }
        }
        return (head, needed, assumedNew)
    }

    /// The versions known of `streams` (those not known left out).
    func versions(of streams: some Sequence<String>) -> [String: Int32] {
        var known: [String: Int32] = [:]
        for stream in streams { known[stream] = versions[stream] }
        return known
    }

    mutating func remember(_ plan: GroupCommit.Plan) {
        head = plan.head
        if versions.count > 50_000 { versions.removeAll(keepingCapacity: true) }
        for (stream, version) in plan.versions { versions[stream] = version }
    }
}

struct PendingAppend {
    let request: AppendRequest
    let reply: Reply
    let queuedAt: ContinuousClock.Instant
    /// This request planned while the one before it was written, if it was.
    var prepared: PreparedAppend? = nil
    /// The caller's next request, to plan while this one is written.
    var next: NextAppend? = nil

    /// How the caller waits: queued for the writer, or committing its append itself.
    enum Reply {
        case queued(CheckedContinuation<AppendResult, any Error>)
        case direct(DirectReply)
    }

    /// Answers the caller and records how long the append took from being handed to the
    /// writer to this answer (queueing and the group commit), by outcome: `ok` (written or
    /// replayed), `refused` (the request's own fault: a version, a key, a value),
    /// `unavailable` (the database's condition or shutdown; retry) or `unknown` (the commit's
    /// answer was lost).
    func answer(_ outcome: Result<AppendResult, any Error>) {
        let label: String
        switch outcome {
        case .success: label = "ok"
        case .failure(StoreError.commitOutcomeUnknown): label = "unknown"
        case .failure(StoreError.shutDown): label = "unavailable"
        case .failure(let error): label = StoreError.isTransient(error) ? "unavailable" : "refused"
        }
        Metrics.Timer(label: "pledger_append_duration_seconds", dimensions: [("outcome", label)]).recordNanoseconds(
            (ContinuousClock.now - queuedAt).nanoseconds)
        switch reply {
        case .queued(let continuation): continuation.resume(with: outcome)
        case .direct(let reply): reply.set(outcome)
        }
    }
}

/// The answer to an append its caller commits itself, set by `commit` before it returns.
final class DirectReply: Sendable {
    private let state = Mutex<Result<AppendResult, any Error>>(.failure(StoreError.corrupt("the commit gave its append no answer")))

    func set(_ outcome: Result<AppendResult, any Error>) { state.withLock { $0 = outcome } }
    var outcome: Result<AppendResult, any Error> { state.withLock { $0 } }
}

extension Duration {
    /// Whole nanoseconds, for swift-metrics timers.
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

/// A boolean shared with a task that may outlive its scope.
final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}

/// How the group-commit writer is doing (see `EventStore.writerProblem`).
struct WriterHealth {
    var committingSince: ContinuousClock.Instant?
    var consecutiveFaults = 0
    var lastFault: String?
}

struct PendingQueue {
    var pending: [PendingAppend] = []
    var closed = false
    /// A commit is running (the writer's, or a caller's own): one at a time, in order.
    var committing = false
    /// Who waits for the running commit to end (the writer, when it shuts down).
    var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// Claims the right to commit for a caller's own append: only when open, no commit runs
    /// and nothing is queued (so no earlier append is overtaken).
    mutating func claimIdle() -> Bool {
        guard !closed, !committing, pending.isEmpty else { return false }
        committing = true
        return true
    }

    /// The next group for the writer, claiming the right to commit it; empty when nothing is
    /// queued or a commit runs.
    mutating func claimBatch(maxEvents: Int) -> [PendingAppend] {
        guard !committing else { return [] }
        let batch = take(maxEvents: maxEvents)
        committing = !batch.isEmpty
        return batch
    }

    /// Takes requests in arrival order up to `maxEvents` events (always at least one).
    mutating func take(maxEvents: Int) -> [PendingAppend] {
        var count = 0
        var events = 0
        while count < pending.count {
            let next = pending[count].request.eventCount
            if count > 0 && events + next > maxEvents { break }
            events += next
            count += 1
        }
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }
}

extension LedgerHash {
    static func decoding(_ buffer: ByteBuffer) throws -> LedgerHash {
        guard let hash = LedgerHash(bytes: Array(buffer.readableBytesView)) else {
            throw StoreError.corrupt("a stored hash is not 32 bytes")
        }
        return hash
    }
}
