import PostgresNIO

/// The rooms that only read, on one database: the primary, or a hot standby streaming from it
/// (`pledger serve --read-database-url`). A standby holds the same events, read models and
/// projector checkpoint as the primary, a little behind, and refuses writes. Nothing here
/// writes, so its `EventStore` needs no group-commit writer running.
public struct LedgerReads: Sendable {
    /// The log's reads (pages, streams, the head, replays for past views).
    public let store: EventStore
    /// Pages of the read models (funds, a bank's loans, registrations).
    public let readModels: ReadModelQueries
    /// Reports: the current view from the read models, past views replayed from the log.
    public let reports: ReportService

    /// `gates`: the process's one set of report gates (see `ReportService`).
    public init(store: EventStore, gates: ReportGates = ReportGates()) {
        self.init(store: store, gates: gates, streams: StateCache(capacity: 64))
    }

    /// `streams`: the states of streams read from this database (on the primary, the
    /// process's one cache).
    init(store: EventStore, gates: ReportGates, streams: StateCache) {
        self.store = store
        readModels = ReadModelQueries(store: store)
        reports = ReportService(store: store, gates: gates, streams: streams)
    }

    /// The head this database holds and the position its read models include, read together.
    public func positions() async throws -> (head: Int64, checkpoint: Int64) {
        try await store.withConnection("head and checkpoint") { connection in
            let rows = try await connection.query(
                """
                SELECT (SELECT position FROM ledger_head),
                       COALESCE((SELECT position FROM projection_checkpoints WHERE name = \(Projector.name)), 0)
                """, logger: store.logger)
            for try await (head, checkpoint) in rows.decode((Int64?, Int64).self) {
                guard let head else { throw StoreError.notMigrated }
                return (head, checkpoint)
            }
            throw StoreError.notMigrated
        }
    }
}

/// How far a replica is behind its primary, sampled for `/metrics`.
public struct ReplicaLag: Sendable, Equatable {
    /// Events the primary holds that the replica does not yet (primary head − replica head).
    public var events: Int64
    /// Seconds since the last transaction the replica replayed — 0 when it has replayed all
    /// the WAL the primary had written when asked. (The replay time alone would grow on an idle
    /// primary, where there is nothing to replay; the WAL positions tell caught-up from behind.)
    public var seconds: Double

    /// Asks the primary first, then the replica, so a replica that has caught up with what the
    /// primary had a moment earlier is caught up.
    public static func measure(primary: EventStore, replica: EventStore) async throws -> ReplicaLag {
        let (primaryHead, lsn) = try await primary.withConnection("primary WAL position") { connection in
            let rows = try await connection.query(
                "SELECT (SELECT position FROM ledger_head), pg_current_wal_lsn()::text", logger: primary.logger)
            for try await (head, lsn) in rows.decode((Int64?, String).self) { return (head ?? 0, lsn) }
            throw StoreError.notMigrated
        }
        return try await replica.withConnection("replica replay position") { connection in
            let rows = try await connection.query(
                """
                SELECT (SELECT position FROM ledger_head),
                       NOT pg_is_in_recovery() OR COALESCE(pg_last_wal_replay_lsn() >= \(lsn)::pg_lsn, false),
                       COALESCE(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8, 0)
                """, logger: replica.logger)
            for try await (head, caughtUp, sinceReplay) in rows.decode((Int64?, Bool, Double).self) {
                return ReplicaLag(events: max(0, primaryHead - (head ?? 0)), seconds: caughtUp ? 0 : max(0, sinceReplay))
            }
            throw StoreError.notMigrated
        }
    }
}
