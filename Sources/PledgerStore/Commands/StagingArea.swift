import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// Where a bulk import keeps what it has decided but not yet written: a temporary table on
/// one connection of its own, so that a file of any size is checked with memory for one
/// chunk only, and the log is written only once every chunk has been checked. Later chunks
/// read a stream as the log has it plus what earlier chunks staged. The table lives as long
/// as the import (a crash loses it, never the log); it needs PostgreSQL's default TEMPORARY
/// privilege on the database and nothing else.
public struct StagingArea: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    static let table = "pg_temp.pledger_import_staged"

    /// One staged event: decided against the log and earlier chunks, in the order to write.
    public struct Staged: Sendable {
        public var stream: String
        public var version: Int32
        public var id: UUID
        public var type: String
        public var schema: Int32
        public var data: String
    }

    /// A stream's events as a chunk sees them, and whether any of them were staged by this
    /// import rather than read from the log.
    public struct Loaded: Sendable {
        public var events: [RecordedEvent] = []
        public var staged = false
    }

    /// Runs `body` with an empty staging area on a connection held for the whole run (no
    /// operation deadline: an import of a big file takes longer than one query may).
    public static func with<Result: Sendable>(_ store: EventStore, _ body: (StagingArea) async throws -> Result) async throws -> Result {
        do {
            return try await store.client.withConnection { connection in
                let area = StagingArea(connection: connection, logger: store.logger)
                try await area.create()
                let result: Result
                do {
                    result = try await body(area)
                } catch {
                    try? await area.drop()
                    throw error
                }
                try await area.drop()
                return result
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    private func create() async throws {
        try await connection.query(
            """
            CREATE TEMP TABLE IF NOT EXISTS pledger_import_staged (
                seq bigint PRIMARY KEY, chunk integer NOT NULL, stream text NOT NULL, version integer NOT NULL,
                event_id uuid NOT NULL, type text NOT NULL, schema integer NOT NULL, data text NOT NULL,
                UNIQUE (stream, version))
            """, logger: logger)
        try await connection.query(
            "CREATE INDEX IF NOT EXISTS pledger_import_staged_chunk ON pledger_import_staged (chunk)", logger: logger)
        try await connection.query("TRUNCATE \(unescaped: Self.table)", logger: logger)
        // A chunk's reads look up thousands of streams one index probe each: cheap, but planned
        // as costly enough for PostgreSQL to compile it first (0.28 s a chunk), unless told not to.
        try await connection.query("SET jit = off", logger: logger)
    }

    /// Puts the session's setting back first, on its own: a failed `DROP` must not send the
    /// connection back to the pool with JIT off.
    private func drop() async throws {
        var resetFailure: (any Error)?
        do { try await connection.query("RESET jit", logger: logger) } catch { resetFailure = error }
        try await connection.query("DROP TABLE IF EXISTS \(unescaped: Self.table)", logger: logger)
        if let resetFailure { throw resetFailure }
    }

    /// Every event of each stream, the log's then the staged ones, in version order — one
    /// round trip for a whole chunk's streams. Each stream is looked up in the two tables'
    /// (stream, version) indexes: asked with `stream = ANY(…)` for a chunk's six thousand
    /// streams, PostgreSQL expects twenty-odd events a stream (the funds' long streams weigh on
    /// its average) and scans the whole log instead, 0.3 s a chunk at two million events.
    public func load(_ refs: some Collection<StreamRef>) async throws -> [StreamRef: Loaded] {
        var byName: [String: StreamRef] = [:]
        for ref in refs { byName[ref.name] = ref }
        var loaded: [StreamRef: Loaded] = [:]
        for ref in byName.values { loaded[ref] = Loaded() }
        let names = Array(byName.keys)
        let rows = try await connection.allRows(
            """
            SELECT w.stream, e.version, e.event_id, e.type, e.schema, e.data, e.position, e.micros, e.staged
            FROM unnest(\(names)::text[]) WITH ORDINALITY AS w(stream, n)
            CROSS JOIN LATERAL (
                SELECT version, event_id, type, schema, data, position,
                       (extract(epoch FROM recorded_at) * 1000000)::int8 AS micros, false AS staged
                FROM events WHERE events.stream = w.stream
                UNION ALL
                SELECT version, event_id, type, schema, data, 0::int8, 0::int8, true
                FROM \(unescaped: Self.table) staged WHERE staged.stream = w.stream
                ORDER BY version
            ) e
            ORDER BY w.n, e.version
            """, logger: logger)
        for row in rows {
            let (stream, version, id, type, schema, data, position, micros, staged) = try row.decode(
                (String, Int32, UUID, String, Int32, String, Int64, Int64, Bool).self)
            guard let ref = byName[stream] else { continue }
            let event = RecordedEvent(
                id: id, stream: stream, version: version, position: position, recordedAt: RecordedTime(microseconds: micros),
                event: try LedgerEvent.decode(type: type, schema: schema, data: data))
            loaded[ref]!.events.append(event)
            if staged { loaded[ref]!.staged = true }
        }
        return loaded
    }

    /// Stages a chunk's decided events, in order, under the chunk's number.
    public func stage(_ events: [Staged], chunk: Int, from seq: Int64) async throws {
        guard !events.isEmpty else { return }
        let seqs = (0..<Int64(events.count)).map { seq + $0 }
        try await connection.query(
            """
            INSERT INTO \(unescaped: Self.table) (seq, chunk, stream, version, event_id, type, schema, data)
            SELECT s, \(Int32(chunk)), st, v, i, t, sc, d
            FROM unnest(\(seqs), \(events.map(\.stream)), \(events.map(\.version)), \(events.map(\.id)), \(events.map(\.type)),
                        \(events.map(\.schema)), \(events.map(\.data))) AS u(s, st, v, i, t, sc, d)
            """, logger: logger)
    }

    /// A chunk's staged events, in the order they were decided.
    public func staged(chunk: Int) async throws -> [Staged] {
        let rows = try await connection.allRows(
            """
            SELECT stream, version, event_id, type, schema, data FROM \(unescaped: Self.table)
            WHERE chunk = \(Int32(chunk)) ORDER BY seq
            """, logger: logger)
        return try rows.map { row in
            let (stream, version, id, type, schema, data) = try row.decode((String, Int32, UUID, String, Int32, String).self)
            return Staged(stream: stream, version: version, id: id, type: type, schema: schema, data: data)
        }
    }

    /// The meta of the newest event written with `member` (a `"key":"value"` pair of canonical
    /// JSON) among the events from the first event of `stream` on — a checkpoint an earlier
    /// run of the same import left, found without reading the log before that stream began.
    public func newestMeta(containing member: String, since stream: String) async throws -> JSONValue? {
        let pattern =
            "%"
            + member.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let rows = try await connection.allRows(
            """
            SELECT meta FROM events
            WHERE position >= (SELECT min(position) FROM events WHERE stream = \(stream)) AND meta LIKE \(pattern)
            ORDER BY position DESC LIMIT 1
            """, logger: logger)
        guard let row = rows.first else { return nil }
        return try JSONParser.parse(try row.decode(String.self))
    }
}

extension StagingArea.Staged {
    /// What a session recorded, encoded on every core: encoding the payloads is most of
    /// what an import costs.
    public static func encode(_ recorded: [(stream: StreamRef, event: RecordedEvent)]) async throws -> [Self] {
        try await recorded.mapOnEveryCore { try Self($0.stream, $0.event) }
    }

    /// What a session recorded, its payload in canonical JSON.
    public init(_ stream: StreamRef, _ recorded: RecordedEvent) throws {
        self.init(
            stream: stream.name, version: recorded.version, id: recorded.id, type: recorded.event.type, schema: recorded.event.schema,
            data: CanonicalJSON.string(try recorded.event.jsonData()))
    }
}

extension AppendRequest {
    /// Staged events as one atomic append: each run of one stream's events expects the
    /// version the run before it (or the log) left.
    public init(staged: [StagingArea.Staged], meta: JSONObject) {
        var parts: [StreamAppend] = []
        var index = staged.startIndex
        while index < staged.endIndex {
            let first = staged[index]
            var events: [NewEvent] = []
            while index < staged.endIndex, staged[index].stream == first.stream {
                let event = staged[index]
                events.append(NewEvent(eventId: event.id, type: event.type, schema: event.schema, madeCanonical: event.data, meta: meta))
                index += 1
            }
            let before = first.version - 1
            parts.append(StreamAppend(stream: first.stream, expected: before == 0 ? .noStream : .exact(before), events: events))
        }
        self.init(parts)
    }
}
