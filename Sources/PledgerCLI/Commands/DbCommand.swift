import ArgumentParser
import Foundation
import PledgerApplication
import PledgerStore

struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database schema.",
        subcommands: [Migrate.self, Status.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the numbered SQL migrations in sql/ that are not applied yet.",
            discussion: """
                Each file runs in its own transaction and is recorded with its SHA-256 in schema_migrations; a changed file that was already applied is refused. The sql/ folder is found beside the executable (PREFIX/share/pledger/sql when installed, the checkout's sql/ when built in one), never from the working directory; override with --sql-dir or $PLEDGER_SQL_DIR.

                Example: pledger db migrate --database-url postgres://owner@db.example:5432/pledger
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Folder with the NNN_name.sql files.", valueName: "dir")) var sqlDir: String?

        func run() async throws {
            let migrator = try Migrator(directory: Migrator.locateDirectory(override: sqlDir))
            let outcome = try await connection.withLedger { ledger in
                try await migrator.migrate(client: ledger.log.client, logger: connection.logger())
            }
            for name in outcome.applied { print("applied  \(name)") }
            print("schema is current: \(migrator.migrations.count) migrations (\(outcome.applied.count) applied now)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List migrations not yet applied; exit 1 if any.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Folder with the NNN_name.sql files.", valueName: "dir")) var sqlDir: String?

        func run() async throws {
            let migrator = try Migrator(directory: Migrator.locateDirectory(override: sqlDir))
            let pending = try await connection.withLedger { ledger in
                try await migrator.pending(client: ledger.log.client, logger: connection.logger())
            }
            if pending.isEmpty {
                print("schema is current (\(migrator.migrations.count) migrations)")
            } else {
                for name in pending { print("pending  \(name)") }
                throw ApplicationError.failure("\(pending.count) migration(s) not applied; run: pledger db migrate")
            }
        }
    }
}
