import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// The tip of the chain a batch is written on.
struct ChainHead: Sendable, Equatable {
    var position: Int64
    var hash: LedgerHash
    var recordedAt: RecordedTime?
}

/// One group commit: decides which of the waiting requests can be written on top of a head
/// and the streams' versions, assigns their positions, versions and chain links, and
/// writes them all with one INSERT over arrays. A refused request is answered with its own
/// error and does not disturb the others.
///
/// Two ways to write. Locked, inside a transaction whose COMMIT alone decides that the
/// batch is written: lock the head row, read the versions and idempotency keys, write —
/// five round trips with BEGIN and COMMIT. Optimistic, when this process wrote the last
/// batch and knows the versions of every stream involved, or the stream is new to it and
/// only expected not to exist (`KnownTip.covering`): one prepared CALL of
/// `pledger_commit_on_head` (sql/009) moves the head only if it is still where it was,
/// inserts, commits and only then answers — one round trip; if anyone else appended
/// meanwhile nothing is written and the locked way follows.
///
/// The optimistic statement once ran as a plain autocommit statement and took the row it
/// returned as proof of the write. Under backend terminations that lost acknowledged
/// batches: a backend can send the row and then be terminated before its implicit commit,
/// and the driver may end the row stream without an error. `FaultTests` caught it. The
/// procedure's row comes after its COMMIT, so it is proof.
struct GroupCommit {
    let requests: [AppendRequest]
    let logger: Logger

    /// What a batch will write and answer.
    struct Plan {
        var outcomes: [Result<AppendResult, any Error>] = []
        var rows = Rows()
        var head: ChainHead
        /// Every stream's version after the batch (those read and those written).
        var versions: [String: Int32]
    }

    var streams: [String] { Array(Set(requests.flatMap { $0.streams.map(\.stream) })) }

    /// Locked write; call inside a transaction. `planned` sees the plan before it is written.
    func writeLocked(on connection: PostgresConnection, planned: (Plan) -> Void = { _ in }) async throws -> Plan {
        // Lock the head in its own statement, so that the next one reads with a snapshot
        // taken after the lock; then versions and keys together; then one write.
        let head = try await lockHead(connection)
        let (versions, stored) = try await versionsAndKeys(connection)
        let plan = try plan(on: head, versions: versions, stored: stored)
        planned(plan)
        if !plan.rows.isEmpty {
            try await plan.rows.write(on: connection, to: plan.head, logger: logger)
        }
        return plan
    }

    /// The optimistic plan on a known head, or nil when it must be decided the locked way.
    /// A stream assumed new must get its version 1 from the plan: only that insert proves it
    /// did not exist. A plan that leaves one unwritten (its request refused for another part,
    /// or a part with no events) could refuse or accept on a version it never checked, and
    /// its tip would remember that version.
    ///
    /// Only the locked way refuses: the known versions are this process's, and another
    /// process may have written since. A plan written on them is safe — the head has moved,
    /// so nothing is written — but a refusal on them would be answered without the log ever
    /// being asked, to every retry (a client that read the stream afresh expects its real
    /// version). A keyed request refused may also be the retry of one already written, whose
    /// stored answer is the answer.
    func planOptimistic(on head: ChainHead, versions: [String: Int32], assumedNew: Set<String>) throws -> Plan? {
        let plan = try plan(on: head, versions: versions, stored: [:])
        guard assumedNew.allSatisfy({ (plan.versions[$0] ?? 0) > 0 }) else { return nil }
        for outcome in plan.outcomes {
            if case .failure = outcome { return nil }
        }
        return plan
    }

    /// Writes and commits an optimistic plan in one round trip, outside any transaction;
    /// false when the head had moved and nothing was written. Returning true means committed.
    func commitOptimistic(_ call: CommitOnHead, connection: PostgresConnection) async throws -> Bool {
        for try await written in try await connection.execute(call, logger: logger) { return written }
        throw StoreError.corrupt("pledger_commit_on_head answered no row")
    }

    /// Pure: positions, versions, hashes and answers for the batch on top of `head`.
    func plan(on head: ChainHead, versions: [String: Int32], stored: [String: IdempotencyRecord]) throws -> Plan {
        var plan = Plan(head: head, versions: versions)
        var position = head.position
        var chain = head.hash
        let recordedAt = max(RecordedTime.now(), head.recordedAt ?? RecordedTime(microseconds: 0))
        var lastRecorded = head.recordedAt ?? RecordedTime(microseconds: 0)
        var keysInBatch: [String: IdempotencyRecord] = [:]
        // A bulk append gives every event the same meta: its canonical text is made once.
        var lastMeta: (object: JSONObject, text: String)?

        for request in requests {
            if let idempotency = request.idempotency, let earlier = stored[idempotency.key] ?? keysInBatch[idempotency.key] {
                guard earlier.fingerprint == idempotency.fingerprint else {
                    plan.outcomes.append(.failure(AppendError.idempotencyConflict(key: idempotency.key)))
                    continue
                }
                var replay = earlier.result
                replay.replayed = true
                replay.reply = earlier.reply
                plan.outcomes.append(.success(replay))
                continue
            }
            if let problem = check(request, versions: plan.versions, after: lastRecorded) {
                plan.outcomes.append(.failure(problem))
                continue
            }
            // Built aside and kept only if the whole request can be answered.
            var rows = Rows()
            var at = position
            var link = chain
            var last = lastRecorded
            var newVersions: [String: Int32] = [:]
            var ids: [UUID] = []
            for part in request.streams {
                var version = newVersions[part.stream] ?? plan.versions[part.stream] ?? 0
                for event in part.events {
                    at += 1
                    version += 1
                    var meta = event.meta
                    if let key = request.idempotencyKey { meta.set("idempotency_key", .string(key)) }
                    if lastMeta?.object.isIdentical(to: meta) != true { lastMeta = (meta, CanonicalJSON.string(.object(meta))) }
                    let time = event.recordedAt ?? max(recordedAt, last)
                    last = time
                    let envelope = EventEnvelope(
                        position: at, stream: part.stream, version: version, eventId: event.eventId, type: event.type,
                        schema: event.schema, data: event.data, meta: lastMeta!.text, recordedAt: time)
                    let hash = envelope.hash(after: link)
                    rows.append(envelope, prev: link, hash: hash)
                    link = hash
                    ids.append(event.eventId)
                }
                newVersions[part.stream] = version
            }
            var result = AppendResult(
                firstPosition: position + 1, lastPosition: at, streamVersions: newVersions, eventIds: ids, recordedAt: last,
                lastHash: link.hex)
            if let idempotency = request.idempotency {
                do {
                    result.reply = try idempotency.reply?(result)
                    rows.idempotency.append(
                        (idempotency.key, idempotency.fingerprint, try CanonicalJSON.encode(result), result.firstPosition, result.reply))
                } catch {
                    plan.outcomes.append(.failure(error))
                    continue
                }
                keysInBatch[idempotency.key] = IdempotencyRecord(fingerprint: idempotency.fingerprint, result: result, reply: result.reply)
            }
            plan.rows.append(contentsOf: rows)
            for (stream, version) in newVersions { plan.versions[stream] = version }
            position = at
            chain = link
            lastRecorded = last
            plan.outcomes.append(.success(result))
        }
        plan.head = ChainHead(position: position, hash: chain, recordedAt: plan.rows.isEmpty ? head.recordedAt : lastRecorded)
        return plan
    }

    /// Why a request cannot be written on top of `versions`, if it cannot. Parts apply in
    /// order, so a stream repeated in one request is checked against its earlier parts.
    private func check(_ request: AppendRequest, versions: [String: Int32], after lastRecorded: RecordedTime) -> (any Error)? {
        var versions = versions
        var last = lastRecorded
        let now = RecordedTime.now()
        for part in request.streams {
            let current = versions[part.stream] ?? 0
            guard part.expected.admits(current: current) else {
                return AppendError.wrongExpectedVersion(stream: part.stream, expected: part.expected, actual: current)
            }
            versions[part.stream] = current + Int32(part.events.count)
            for event in part.events {
                guard let time = event.recordedAt else { continue }
                guard time >= last, time <= now else {
                    return AppendError.invalid("backfill time \(time) must lie between the ledger's last recorded time \(last) and now")
                }
                last = time
            }
        }
        return nil
    }

    private func lockHead(_ connection: PostgresConnection) async throws -> ChainHead {
        let rows = try await connection.query(
            "SELECT position, hash, (extract(epoch FROM recorded_at) * 1000000)::int8 FROM ledger_head FOR UPDATE",
            logger: logger)
        for try await (position, hash, micros) in rows.decode((Int64, ByteBuffer, Int64?).self) {
            return ChainHead(position: position, hash: try LedgerHash.decoding(hash), recordedAt: micros.map(RecordedTime.init))
        }
        throw StoreError.notMigrated
    }

    /// Current versions of the streams the batch writes, and the stored answers of its
    /// idempotency keys, in one query.
    private func versionsAndKeys(_ connection: PostgresConnection) async throws -> ([String: Int32], [String: IdempotencyRecord]) {
        let keys = requests.compactMap(\.idempotencyKey)
        var versions: [String: Int32] = [:]
        var stored: [String: IdempotencyRecord] = [:]
        let rows = try await connection.query(
            """
            SELECT s.name, COALESCE((SELECT max(version) FROM events WHERE stream = s.name), 0), NULL::bytea, NULL::text, NULL::text
            FROM unnest(\(streams)::text[]) AS s(name)
            UNION ALL
            SELECT key, 0, request_hash, result, reply FROM idempotency_keys WHERE key = ANY(\(keys)::text[])
            """, logger: logger)
        for try await (name, version, hash, result, reply) in rows.decode((String, Int32, ByteBuffer?, String?, String?).self) {
            if let hash, let result {
                stored[name] = IdempotencyRecord(
                    fingerprint: Array(hash.readableBytesView), result: try CanonicalJSON.decode(AppendResult.self, from: result),
                    reply: reply)
            } else {
                versions[name] = version
            }
        }
        return (versions, stored)
    }
}

/// Column arrays for the one INSERT … SELECT FROM unnest(…) of a batch.
struct Rows {
    var positions: [Int64] = [], streams: [String] = [], versions: [Int32] = [], ids: [UUID] = []
    var types: [String] = [], schemas: [Int32] = [], data: [String] = [], meta: [String] = []
    var prevHashes: [ByteBuffer] = [], hashes: [ByteBuffer] = [], recorded: [Int64] = []
    var idempotency: [(key: String, fingerprint: [UInt8], result: String, first: Int64, reply: String?)] = []

    var isEmpty: Bool { positions.isEmpty }

    mutating func append(contentsOf other: Rows) {
        positions += other.positions
        streams += other.streams
        versions += other.versions
        ids += other.ids
        types += other.types
        schemas += other.schemas
        data += other.data
        meta += other.meta
        prevHashes += other.prevHashes
        hashes += other.hashes
        recorded += other.recorded
        idempotency += other.idempotency
    }

    mutating func append(_ envelope: EventEnvelope, prev: LedgerHash, hash: LedgerHash) {
        positions.append(envelope.position)
        streams.append(envelope.stream)
        versions.append(envelope.version)
        ids.append(envelope.eventId)
        types.append(envelope.type)
        schemas.append(envelope.schema)
        data.append(envelope.data)
        meta.append(envelope.meta)
        prevHashes.append(ByteBuffer(bytes: prev.bytes))
        hashes.append(ByteBuffer(bytes: hash.bytes))
        recorded.append(envelope.recordedAt.microseconds)
    }

    /// Inserts the events and idempotency keys, moves the head and notifies followers — one
    /// statement (data-modifying CTEs), so one round trip; under the head lock, inside the
    /// caller's transaction.
    func write(on connection: PostgresConnection, to head: ChainHead, logger: Logger) async throws {
        let rows = try await connection.query(
            """
            WITH moved AS (
                UPDATE ledger_head SET position = \(head.position), hash = \(ByteBuffer(bytes: head.hash.bytes)),
                    recorded_at = timestamptz 'epoch' + \(head.recordedAt?.microseconds ?? 0) * interval '1 microsecond'
                RETURNING position
            ), inserted AS (
                INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
                SELECT p, s, v, i, t, sc, d, m, timestamptz 'epoch' + r * interval '1 microsecond', ph, h
                FROM unnest(\(positions)::int8[], \(streams)::text[], \(versions)::int4[], \(ids)::uuid[], \(types)::text[],
                            \(schemas)::int4[], \(data)::text[], \(meta)::text[], \(recorded)::int8[], \(prevHashes)::bytea[], \(hashes)::bytea[])
                     AS u(p, s, v, i, t, sc, d, m, r, ph, h)
                WHERE EXISTS (SELECT 1 FROM moved)
            ), keys AS (
                INSERT INTO idempotency_keys (key, request_hash, result, first_position, reply)
                SELECT k, h, r, f, NULLIF(a, '')
                FROM unnest(\(idempotency.map(\.key))::text[], \(idempotency.map { ByteBuffer(bytes: $0.fingerprint) })::bytea[],
                            \(idempotency.map(\.result))::text[], \(idempotency.map(\.first))::int8[], \(idempotency.map { $0.reply ?? "" })::text[])
                     AS u(k, h, r, f, a)
                WHERE EXISTS (SELECT 1 FROM moved)
            )
            SELECT pg_notify(\(EventStore.notifyChannel), \(String(head.position))) FROM moved
            """, logger: logger)
        for try await _ in rows {}
    }
}

/// The one-round-trip append of a plan on a known head (sql/009_commit_on_head.sql), prepared
/// once per connection. Its parameters are encoded when it is made: for a big append that is
/// a good part of the client's work, which `PreparedAppend` does ahead.
struct CommitOnHead: PostgresPreparedStatement {
    static let sql =
        "CALL pledger_commit_on_head($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, NULL)"
    typealias Row = Bool

    private let bindings: PostgresBindings

    /// `plan` written on `head`, which must still be the ledger's head.
    init(_ plan: GroupCommit.Plan, on head: ChainHead) throws {
        bindings = try Self.bindings(expected: head.position, head: plan.head, rows: plan.rows)
    }

    func makeBindings() throws -> PostgresBindings { bindings }

    private static func bindings(expected: Int64, head: ChainHead, rows: Rows) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 20)
        try bindings.append(expected)
        try bindings.append(head.position)
        try bindings.append(ByteBuffer(bytes: head.hash.bytes))
        try bindings.append(head.recordedAt?.microseconds ?? 0)
        try bindings.append(rows.positions)
        try bindings.append(rows.streams)
        try bindings.append(rows.versions)
        try bindings.append(rows.ids)
        try bindings.append(rows.types)
        try bindings.append(rows.schemas)
        try bindings.append(rows.data)
        try bindings.append(rows.meta)
        try bindings.append(rows.recorded)
        try bindings.append(rows.prevHashes)
        try bindings.append(rows.hashes)
        try bindings.append(rows.idempotency.map(\.key))
        try bindings.append(rows.idempotency.map { ByteBuffer(bytes: $0.fingerprint) })
        try bindings.append(rows.idempotency.map(\.result))
        try bindings.append(rows.idempotency.map(\.first))
        try bindings.append(rows.idempotency.map { $0.reply ?? "" })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
}
