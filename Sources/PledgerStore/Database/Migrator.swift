import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// Applies the numbered files in `sql/` in order, each in its own transaction, and records
/// name and SHA-256 in `schema_migrations` (which `000_schema_migrations.sql` creates). A
/// migration is its number and its contents: an already-applied file whose contents changed
/// is refused — history of the schema is as sacred as the ledger's — while a file renamed to
/// say better what it holds is recognised by its number and checksum.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Hashable {
        public let name: String
        public let sql: String
        public var checksum: String { Digest.sha256Hex(sql) }
        /// The digits before the first `_`: what orders and identifies the migration.
        public var number: String { String(name.prefix { $0.isNumber }) }
    }

    public let migrations: [Migration]

    public init(directory: URL) throws {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError.configuration("cannot read the migrations folder \(directory.path): \(error.localizedDescription)")
        }
        migrations =
            try files
            .filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }
            .sorted()
            .map { name in
                let url = directory.appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: url.path), let sql = String(data: data, encoding: .utf8) else {
                    throw StoreError.configuration("cannot read \(url.path) as UTF-8")
                }
                return Migration(name: name, sql: sql)
            }
        guard !migrations.isEmpty else { throw StoreError.configuration("no NNN_name.sql files in \(directory.path)") }
        if let twice = Dictionary(grouping: migrations, by: \.number).first(where: { $0.value.count > 1 }) {
            throw StoreError.configuration("two migrations are numbered \(twice.key): \(twice.value.map(\.name).joined(separator: ", "))")
        }
        guard migrations.first?.number == "000" else {
            throw StoreError.configuration(
                "\(directory.path) has no 000_schema_migrations.sql (it creates the table migrations are recorded in)")
        }
    }

    /// Finds `sql/`: `$PLEDGER_SQL_DIR`; else `share/pledger/sql` beside the executable's
    /// `bin/`; else `sql/` next to the executable or any parent (so `.build/debug/pledger`
    /// finds its checkout's).
    public static func locateDirectory(override: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> URL
    {
        if let explicit = override ?? environment["PLEDGER_SQL_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        // An installed binary (PREFIX/bin/pledger) has its migrations in PREFIX/share/pledger/sql;
        // one built in a checkout finds the checkout's sql/ above it. Never the working
        // directory: where a command is run from must not decide which schema it applies.
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        let binary = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = binary.deletingLastPathComponent().appendingPathComponent("share/pledger/sql")
        if FileManager.default.fileExists(atPath: installed.appendingPathComponent("001_events.sql").path) { return installed }
        var folder = binary.standardizedFileURL
        while true {
            let candidate = folder.appendingPathComponent("sql")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("001_events.sql").path) { return candidate }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw StoreError.configuration("cannot find the sql/ folder; pass --sql-dir or set PLEDGER_SQL_DIR")
    }

    public struct Outcome: Sendable, Hashable {
        public var applied: [String] = []
        public var alreadyApplied: [String] = []
    }

    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> Outcome {
        try await client.withConnection { connection in
            // 000 creates schema_migrations if need be (idempotent), so applied files can be read.
            for statement in SQLScript.statements(in: migrations[0].sql) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            // One migrator at a time, across processes.
            try await connection.query("SELECT pg_advisory_lock(7244937)", logger: logger)
            do {
                let outcome = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(7244937)", logger: logger)
                return outcome
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(7244937)", logger: logger)
                throw StoreError.wrap(error)
            }
        }
    }

    /// Names of files not yet applied (empty when the schema is current).
    public func pending(client: PostgresClient, logger: Logger) async throws -> [String] {
        let applied = try await client.withConnection { try await appliedChecksums(on: $0, logger: logger) }
        return migrations.filter { applied[$0.number] == nil }.map(\.name)
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let applied = try await appliedChecksums(on: connection, logger: logger)
        var outcome = Outcome()
        for migration in migrations {
            if let (recorded, checksum) = applied[migration.number] {
                guard checksum == migration.checksum else {
                    throw StoreError.configuration(
                        "migration \(migration.name) was changed after it was applied as \(recorded) (recorded sha256 \(checksum.prefix(12))…, file now \(migration.checksum.prefix(12))…); put the change in a new numbered file instead"
                    )
                }
                outcome.alreadyApplied.append(migration.name)
                continue
            }
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            do {
                try await connection.withTransaction(logger: logger) { transaction in
                    for statement in SQLScript.statements(in: migration.sql) {
                        try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await transaction.query(
                        "INSERT INTO schema_migrations (name, sha256) VALUES (\(migration.name), \(migration.checksum))", logger: logger)
                }
            } catch {
                throw StoreError.configuration("migration \(migration.name) failed and was rolled back: \(StoreError.wrap(error))")
            }
            outcome.applied.append(migration.name)
        }
        return outcome
    }

    /// Applied migrations by number: the name they were applied under, and their checksum.
    private func appliedChecksums(on connection: PostgresConnection, logger: Logger) async throws -> [String: (String, String)] {
        var applied: [String: (String, String)] = [:]
        do {
            let rows = try await connection.query("SELECT name, sha256 FROM schema_migrations", logger: logger)
            for try await (name, checksum) in rows.decode((String, String).self) {
                applied[String(name.prefix { $0.isNumber })] = (name, checksum)
            }
        } catch  where StoreError.sqlState(of: error) == "42P01" {
            return [:]
        }
        return applied
    }
}
