import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Testing

@Suite("Database roles and the grants check")
struct GrantsTests {
    @Test("after migrating, the database matches the expected matrix")
    func noDrift() async throws {
        try await TestDatabase.withLedger { store, _ in
            let report = try await Grants.read(client: store.client, logger: TestDatabase.logger)
            #expect(report.drift().map(\.description) == [])
            #expect(report.tables == Grants.expected.tables.sorted())
            #expect(report.roles["pledger_readonly"]?.privileges["rm_loans"] == [.select])
            #expect(report.roles["pledger_replication"]?.attributes == [.login, .replication])
        }
    }

    @Test("a hand-made GRANT, a column grant and a stray table are each reported")
    func drift() async throws {
        try await TestDatabase.withLedger { store, url in
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("GRANT DELETE ON events TO pledger_app", logger: TestDatabase.logger)
            }
            let granted = try await Grants.read(client: store.client, logger: TestDatabase.logger).drift()
            #expect(granted.map(\.description) == ["pledger_app has DELETE on events (expected: SELECT, INSERT)"])

            try await TestDatabase.asSuperuser(url) { connection in
                let logger = TestDatabase.logger
                try await connection.query("REVOKE DELETE ON events FROM pledger_app", logger: logger)
                try await connection.query("REVOKE SELECT ON rm_loans FROM pledger_readonly", logger: logger)
                try await connection.query("GRANT SELECT (name, role) ON api_tokens TO pledger_readonly", logger: logger)
                try await connection.query("CREATE TABLE scratch (x int)", logger: logger)
                try await connection.query("GRANT SELECT ON scratch TO pledger_auditor", logger: logger)
            }
            let drift = try await Grants.read(client: store.client, logger: TestDatabase.logger).drift()
            #expect(
                drift.map(\.description) == [
                    "a table without an entry: scratch",
                    "pledger_readonly has SELECT on some columns of api_tokens (expected: none)",
                    "pledger_readonly cannot SELECT rm_loans",
                    "pledger_auditor has SELECT on scratch (expected: none)",
                ])
        }
    }

    @Test(
        "only pledger_app may execute the append procedure, every reading role the streams' read; a routine without an entry and any stray EXECUTE are reported"
    )
    func routines() async throws {
        try await TestDatabase.withLedger { store, url in
            let clean = try await Grants.read(client: store.client, logger: TestDatabase.logger)
            #expect(clean.routines == ["pledger_commit_on_head", "pledger_stream_events"])
            #expect(clean.roles["pledger_app"]?.executes == ["pledger_commit_on_head", "pledger_stream_events"])
            // PUBLIC's default EXECUTE was revoked, so no other role inherits it.
            #expect(clean.roles["pledger_readonly"]?.executes == ["pledger_stream_events"])
            #expect(clean.roles["pledger_auditor"]?.executes == ["pledger_stream_events"])

            try await TestDatabase.asSuperuser(url) { connection in
                let logger = TestDatabase.logger
                try await connection.query("GRANT EXECUTE ON PROCEDURE pledger_commit_on_head TO pledger_auditor", logger: logger)
                try await connection.query("CREATE FUNCTION scratch() RETURNS int LANGUAGE sql AS 'SELECT 1'", logger: logger)
            }
            let drift = try await Grants.read(client: store.client, logger: TestDatabase.logger).drift()
            #expect(
                drift.map(\.description) == [
                    "a routine without an entry: scratch",
                    "pledger_app may EXECUTE scratch (expected: not)",
                    "pledger_readonly may EXECUTE scratch (expected: not)",
                    "pledger_auditor may EXECUTE pledger_commit_on_head (expected: not)",
                    "pledger_auditor may EXECUTE scratch (expected: not)",
                    "pledger_replication may EXECUTE scratch (expected: not)",
                ])
        }
    }

    @Test("pledger_auditor reads every table and can change none")
    func auditor() async throws {
        try await TestDatabase.withLedger { _, url in
            try await TestDatabase.asSuperuser(url) { connection in
                let logger = TestDatabase.logger
                // A column per table to name in an UPDATE, read before dropping to the role.
                var firstColumn: [String: String] = [:]
                let rows = try await connection.query(
                    """
                    SELECT c.relname::text, a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    WHERE a.attnum = 1 AND c.relname = ANY(\(Grants.expected.tables)) AND c.relnamespace = 'public'::regnamespace
                    """, logger: logger)
                for try await (table, column) in rows.decode((String, String).self) { firstColumn[table] = column }
                #expect(firstColumn.count == Grants.expected.tables.count)

                try await connection.query("SET ROLE pledger_auditor", logger: logger)
                for table in Grants.expected.tables {
                    try await connection.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table) LIMIT 1"), logger: logger)
                    // `WHERE false`: only the privilege is put to the test, never a row.
                    let column = firstColumn[table] ?? "missing"
                    for statement in [
                        "INSERT INTO \(table) SELECT * FROM \(table) WHERE false",
                        "UPDATE \(table) SET \(column) = \(column) WHERE false",
                        "DELETE FROM \(table) WHERE false",
                        "TRUNCATE \(table)",
                    ] {
                        await expectRefused(statement, connection)
                    }
                }
            }
        }
    }

    @Test("pledger_readonly reads events and rm_loans, not api_tokens or idempotency_keys, and writes nothing")
    func readonly() async throws {
        try await TestDatabase.withLedger { _, url in
            try await TestDatabase.asSuperuser(url) { connection in
                let logger = TestDatabase.logger
                try await connection.query("SET ROLE pledger_readonly", logger: logger)
                for table in ["events", "rm_loans", "rm_funds", "projection_checkpoints"] {
                    try await connection.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table) LIMIT 1"), logger: logger)
                }
                // The streams' read, with its own privileges: SELECT on events.
                try await connection.query("SELECT * FROM pledger_stream_events('{fund-NONE}', '{1}', 1)", logger: logger)
                for statement in [
                    "SELECT * FROM api_tokens", "SELECT * FROM idempotency_keys", "SELECT * FROM ledger_head",
                    "SELECT * FROM schema_migrations",
                    "INSERT INTO rm_loans SELECT * FROM rm_loans WHERE false", "DELETE FROM events WHERE false",
                    "CALL pledger_commit_on_head(0, 0, '', 0, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', NULL)",
                ] {
                    await expectRefused(statement, connection)
                }
            }
        }
    }

    /// The statement fails for want of a privilege (42501), not for any other reason. Read to
    /// the end: a CALL that returns a row is refused only after its row description.
    private func expectRefused(_ statement: String, _ connection: PostgresConnection) async {
        do {
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger) {}
            Issue.record("\(statement) succeeded")
        } catch {
            #expect(StoreError.sqlState(of: error) == "42501", "\(statement): \(error)")
        }
    }
}
