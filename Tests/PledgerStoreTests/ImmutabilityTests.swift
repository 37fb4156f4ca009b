import PledgerDomain
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Testing

@Suite("Immutability and roles")
struct ImmutabilityTests {
    @Test("the application role cannot UPDATE or DELETE events; for the owner the triggers refuse")
    func immutability() async throws {
        try await TestDatabase.withLedger { store, url in
            try await store.append(AppendRequest(stream: "s-1", expected: .noStream, events: [try event()]))
            try await TestDatabase.asSuperuser(url) { connection in
                let logger = TestDatabase.logger
                try await connection.query("SET ROLE pledger_app", logger: logger)
                for statement in [
                    "UPDATE events SET type = 'X'", "DELETE FROM events", "TRUNCATE events",
                    "UPDATE ledger_head SET position = 0 WHERE false",
                ] {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        if statement.hasPrefix("UPDATE ledger_head") { continue }  // allowed: the app moves the head
                        Issue.record("\(statement) succeeded as pledger_app")
                    } catch {
                        #expect(StoreError.sqlState(of: error) == "42501", "\(statement): \(error)")
                    }
                }
                // What the app role may do, it can do.
                try await connection.query("SELECT count(*) FROM events", logger: logger)
                try await connection.query("RESET ROLE", logger: logger)
                for statement in ["UPDATE events SET type = 'X'", "DELETE FROM events", "TRUNCATE events"] {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        Issue.record("\(statement) succeeded as owner")
                    } catch {
                        #expect(StoreError.sqlState(of: error) == "P0001", "\(statement): \(error)")
                    }
                }
            }
            #expect(try await store.read(stream: "s-1").count == 1)
        }
    }

    @Test("a row altered by a superuser with triggers disabled is found, at its position")
    func tamperingDetected() async throws {
        try await TestDatabase.withLedger { store, url in
            try await appendNumbered(20, to: store)
            #expect(try await LedgerVerification(store: store).run().isIntact)
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("ALTER TABLE events DISABLE TRIGGER USER", logger: TestDatabase.logger)
                try await connection.query(#"UPDATE events SET data = '{"n":999}' WHERE position = 13"#, logger: TestDatabase.logger)
                try await connection.query("ALTER TABLE events ENABLE TRIGGER USER", logger: TestDatabase.logger)
            }
            let report = try await LedgerVerification(store: store).run()
            #expect(report.firstBreak?.position == 13)
            #expect(report.verified == 12)
            // Verifying from later on trusts the stored link before it and so starts clean at 14.
            #expect(try await LedgerVerification(store: store).run(from: 14).isIntact)
        }
    }
}
