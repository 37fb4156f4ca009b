import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// One group-commit transaction: decides, under the head-row lock, which of the waiting
/// requests can be written, assigns their positions, versions and chain links, and writes
/// them all with one INSERT over arrays. A refused request is answered with its own error
/// and does not disturb the others.
struct GroupCommit {
    let requests: [AppendRequest]
    let logger: Logger

    func write(on connection: PostgresConnection) async throws -> [Result<AppendResult, any Error>] {
        // Three round trips inside the transaction: lock the head (its own statement, so the
        // next one reads with a snapshot taken after the lock), read stream versions and
        // idempotency keys together, then write everything in one statement.
        let head = try await lockHead(connection)
        var (versions, stored) = try await versionsAndKeys(connection)
        var rows = Rows()
        var position = head.position
        var chain = head.hash
        let now = RecordedTime.now()
        let recordedAt = max(now, head.recordedAt ?? RecordedTime(microseconds: 0))
        var lastRecorded = head.recordedAt ?? RecordedTime(microseconds: 0)
        var keysInBatch: [String: (fingerprint: [UInt8], result: AppendResult)] = [:]
        var outcomes: [Result<AppendResult, any Error>] = []

        for request in requests {
            let fingerprint = request.key == nil ? [] : request.fingerprint
            if let key = request.key {
                if let earlier = stored[key] ?? keysInBatch[key] {
                    guard earlier.fingerprint == fingerprint else {
                        outcomes.append(.failure(AppendError.idempotencyConflict(key: key)))
                        continue
                    }
                    var replay = earlier.result
                    replay.replayed = true
                    outcomes.append(.success(replay))
                    continue
                }
            }
            if let problem = check(request, versions: versions, after: lastRecorded) {
                outcomes.append(.failure(problem))
                continue
            }
            let first = position + 1
            var newVersions: [String: Int32] = [:]
            var ids: [UUID] = []
            for part in request.streams {
                var version = versions[part.stream] ?? 0
                for event in part.events {
                    position += 1
                    version += 1
                    var meta = event.meta
                    if let key = request.key { meta.set("idempotency_key", .string(key)) }
                    let time = event.recordedAt ?? max(recordedAt, lastRecorded)
                    lastRecorded = time
                    let envelope = EventEnvelope(
                        position: position, stream: part.stream, version: version, eventId: event.eventId, type: event.type,
                        schema: event.schema, data: event.data, meta: CanonicalJSON.string(.object(meta)), recordedAt: time)
                    let hash = envelope.hash(after: chain)
                    rows.append(envelope, prev: chain, hash: hash)
                    chain = hash
                    ids.append(event.eventId)
                }
                versions[part.stream] = version
                newVersions[part.stream] = version
            }
            let result = AppendResult(
                firstPosition: first, lastPosition: position, streamVersions: newVersions, eventIds: ids, recordedAt: lastRecorded)
            if let key = request.key {
                keysInBatch[key] = (fingerprint, result)
                rows.idempotency.append((key, fingerprint, try CanonicalJSON.encode(result), first))
            }
            outcomes.append(.success(result))
        }

        if !rows.isEmpty {
            try await rows.write(on: connection, head: position, hash: chain, recordedAt: lastRecorded, logger: logger)
        }
        return outcomes
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

    private func lockHead(_ connection: PostgresConnection) async throws -> (position: Int64, hash: LedgerHash, recordedAt: RecordedTime?) {
        let rows = try await connection.query(
            "SELECT position, hash, (extract(epoch FROM recorded_at) * 1000000)::int8 FROM ledger_head FOR UPDATE",
            logger: logger)
        for try await (position, hash, micros) in rows.decode((Int64, ByteBuffer, Int64?).self) {
            return (position, try LedgerHash.decoding(hash), micros.map(RecordedTime.init))
        }
        throw StoreError.notMigrated
    }

    /// Current versions of the streams the batch writes, and the stored answers of its
    /// idempotency keys, in one query.
    private func versionsAndKeys(_ connection: PostgresConnection) async throws
        -> ([String: Int32], [String: (fingerprint: [UInt8], result: AppendResult)]) {
        let streams = Array(Set(requests.flatMap { $0.streams.map(\.stream) }))
        let keys = requests.compactMap(\.key)
        var versions: [String: Int32] = [:]
        var stored: [String: (fingerprint: [UInt8], result: AppendResult)] = [:]
        let rows = try await connection.query(
            """
            SELECT s.name, COALESCE((SELECT max(version) FROM events WHERE stream = s.name), 0), NULL::bytea, NULL::text
            FROM unnest(\(streams)::text[]) AS s(name)
            UNION ALL
            SELECT key, 0, request_hash, result FROM idempotency_keys WHERE key = ANY(\(keys)::text[])
            """, logger: logger)
        for try await (name, version, hash, result) in rows.decode((String, Int32, ByteBuffer?, String?).self) {
            if let hash, let result {
                stored[name] = (Array(hash.readableBytesView), try CanonicalJSON.decode(AppendResult.self, from: result))
            } else {
                versions[name] = version
            }
        }
        return (versions, stored)
    }
}

private extension AppendRequest {
    var key: String? { idempotencyKey }
}

/// Column arrays for the one INSERT … SELECT FROM unnest(…) of a batch.
private struct Rows {
    var positions: [Int64] = [], streams: [String] = [], versions: [Int32] = [], ids: [UUID] = []
    var types: [String] = [], schemas: [Int32] = [], data: [String] = [], meta: [String] = []
    var prevHashes: [ByteBuffer] = [], hashes: [ByteBuffer] = [], recorded: [Int64] = []
    var idempotency: [(key: String, fingerprint: [UInt8], result: String, first: Int64)] = []

    var isEmpty: Bool { positions.isEmpty }

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
    /// statement (data-modifying CTEs), so one round trip.
    func write(on connection: PostgresConnection, head: Int64, hash: LedgerHash, recordedAt: RecordedTime, logger: Logger) async throws {
        try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO events (position, stream, version, event_id, type, schema, data, meta, recorded_at, prev_hash, hash)
                SELECT p, s, v, i, t, sc, d, m, timestamptz 'epoch' + r * interval '1 microsecond', ph, h
                FROM unnest(\(positions)::int8[], \(streams)::text[], \(versions)::int4[], \(ids)::uuid[], \(types)::text[],
                            \(schemas)::int4[], \(data)::text[], \(meta)::text[], \(recorded)::int8[], \(prevHashes)::bytea[], \(hashes)::bytea[])
                     AS u(p, s, v, i, t, sc, d, m, r, ph, h)
            ), keys AS (
                INSERT INTO idempotency_keys (key, request_hash, result, first_position)
                SELECT * FROM unnest(\(idempotency.map(\.key))::text[], \(idempotency.map { ByteBuffer(bytes: $0.fingerprint) })::bytea[],
                                     \(idempotency.map(\.result))::text[], \(idempotency.map(\.first))::int8[])
            ), moved AS (
                UPDATE ledger_head SET position = \(head), hash = \(ByteBuffer(bytes: hash.bytes)),
                    recorded_at = timestamptz 'epoch' + \(recordedAt.microseconds) * interval '1 microsecond'
            )
            SELECT pg_notify(\(EventStore.notifyChannel), \(String(head)))
            """, logger: logger)
    }
}
