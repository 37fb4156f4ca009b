import Logging
import PledgerDomain
import PledgerStore
import PostgresNIO

/// What a database superuser could do to the log behind the application's back, for tests
/// that prove it is caught: only outside evidence (a signed checkpoint, a write receipt)
/// can tell, because each leaves the chain internally consistent.
extension TestDatabase {
    /// Rewrites one event's data and re-hashes the whole chain, head included.
    public static func rewriteHistory(_ url: DatabaseURL, _ store: EventStore, position: Int64, data: String) async throws {
        try await asSuperuser(url) { connection in
            try await connection.query("ALTER TABLE events DISABLE TRIGGER USER", logger: logger)
            try await connection.query("UPDATE events SET data = \(data) WHERE position = \(position)", logger: logger)
        }
        let events = try await store.read(after: 0, limit: 1_000_000)
        var previous = LedgerHash.zero
        try await asSuperuser(url) { connection in
            for event in events {
                let hash = event.envelope.hash(after: previous)
                try await connection.query(
                    "UPDATE events SET prev_hash = \(ByteBuffer(bytes: previous.bytes)), hash = \(ByteBuffer(bytes: hash.bytes)) WHERE position = \(event.position)",
                    logger: logger)
                previous = hash
            }
            try await connection.query("UPDATE ledger_head SET hash = \(ByteBuffer(bytes: previous.bytes))", logger: logger)
            try await connection.query("ALTER TABLE events ENABLE TRIGGER USER", logger: logger)
        }
    }

    /// Runs `statements` as a superuser with the log's guard triggers off, then on again:
    /// what someone holding the database's keys could write behind the application's back.
    public static func behindTheApplicationsBack(_ url: DatabaseURL, _ statements: String...) async throws {
        try await asSuperuser(url) { connection in
            try await connection.query("ALTER TABLE events DISABLE TRIGGER USER", logger: logger)
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            try await connection.query("ALTER TABLE events ENABLE TRIGGER USER", logger: logger)
        }
    }

    /// Deletes the events after `position` and moves the head back to it.
    public static func cutTail(_ url: DatabaseURL, keeping position: Int64) async throws {
        try await asSuperuser(url) { connection in
            try await connection.query("ALTER TABLE events DISABLE TRIGGER USER", logger: logger)
            try await connection.query("DELETE FROM events WHERE position > \(position)", logger: logger)
            try await connection.query(
                "UPDATE ledger_head SET position = \(position), hash = (SELECT hash FROM events WHERE position = \(position))",
                logger: logger)
            try await connection.query("ALTER TABLE events ENABLE TRIGGER USER", logger: logger)
        }
    }
}
