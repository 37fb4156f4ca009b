import Foundation
import PledgerStore
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("Migrations")
struct MigratorTests {
    @Test("re-running is a no-op; an edited, already-applied file is refused")
    func migrations() async throws {
        try await TestDatabase.withLedger { store, _ in
            let sql = TestDatabase.repositoryRoot.appendingPathComponent("sql")
            let migrator = try Migrator(directory: sql)
            let again = try await migrator.migrate(client: store.client, logger: TestDatabase.logger)
            #expect(again.applied.isEmpty)
            #expect(again.alreadyApplied == migrator.migrations.map(\.name))

            let edited = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID())")
            try FileManager.default.copyItem(at: sql, to: edited)
            defer { try? FileManager.default.removeItem(at: edited) }
            let first = edited.appendingPathComponent("001_events.sql")
            try (try String(contentsOf: first, encoding: .utf8) + "\n-- edited\n").write(to: first, atomically: true, encoding: .utf8)
            await #expect(throws: StoreError.self) {
                try await Migrator(directory: edited).migrate(client: store.client, logger: TestDatabase.logger)
            }
        }
    }

    @Test("a migration is its number and contents: renamed, it is still applied; two with one number are refused")
    func renamed() async throws {
        try await TestDatabase.withLedger { store, _ in
            let sql = TestDatabase.repositoryRoot.appendingPathComponent("sql")
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID())")
            try FileManager.default.copyItem(at: sql, to: copy)
            defer { try? FileManager.default.removeItem(at: copy) }
            try FileManager.default.moveItem(
                at: copy.appendingPathComponent("001_events.sql"), to: copy.appendingPathComponent("001_the_event_log.sql"))
            let migrator = try Migrator(directory: copy)
            let again = try await migrator.migrate(client: store.client, logger: TestDatabase.logger)
            #expect(again.applied.isEmpty && again.alreadyApplied.contains("001_the_event_log.sql"))
            #expect(try await migrator.pending(client: store.client, logger: TestDatabase.logger).isEmpty)

            try Data("SELECT 1;\n".utf8).write(to: copy.appendingPathComponent("001_another.sql"))
            #expect(throws: StoreError.self) { try Migrator(directory: copy) }
        }
    }

    @Test("the splitter keeps dollar-quoted bodies, strings and comments whole")
    func splitter() {
        let statements = SQLScript.statements(
            in: """
                -- a comment; with a semicolon
                CREATE TABLE a (x text DEFAULT ';');
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'x;y'; END; $$;
                /* block; comment */ SELECT 1;
                DO $body$ BEGIN PERFORM 1; END $body$
                """)
        #expect(statements.count == 4)
        #expect(statements[1].hasSuffix("END; $$"))
        #expect(statements[3] == "DO $body$ BEGIN PERFORM 1; END $body$")
    }
}
