import PledgerStore
import PledgerTestSupport
import Testing

@Suite("pledger db grants")
struct DbGrantsCommandTests {
    @Test("prints the matrix; --check exits 0 when clean, 1 naming the drift, 2 on a bad flag")
    func grants() async throws {
        try await TestDatabase.withLedger { _, url in
            let clean = try await PledgerBinary.run(["db", "grants", "--check"], database: url)
            #expect(clean.status == 0, "\(clean.stderr)")
            let header = try #require(clean.stdout.split(separator: "\n").first)
            #expect(header.split(separator: " ") == ["Table", "pledger_app", "pledger_readonly", "pledger_auditor", "pledger_replication"])
            #expect(clean.stdout.contains("no drift"))

            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("GRANT DELETE ON events TO pledger_app", logger: TestDatabase.logger)
            }
            let drifted = try await PledgerBinary.run(["db", "grants", "--check"], database: url)
            #expect(drifted.status == 1)
            let events = try #require(drifted.stdout.split(separator: "\n").first { $0.hasPrefix("events ") })
            #expect(events.contains("SELECT INSERT DELETE *"))
            #expect(drifted.stdout.contains("  pledger_app has DELETE on events (expected: SELECT, INSERT)"))
            #expect(drifted.stderr.contains("1 drift(s)"), "\(drifted.stderr)")

            // Without --check the same report is information, not failure.
            #expect(try await PledgerBinary.run(["db", "grants"], database: url).status == 0)
            let json = try await PledgerBinary.run(["db", "grants", "--check", "--format", "json"], database: url)
            #expect(json.status == 1)
            #expect(json.stdout.contains(#""clean":false"#))
            let csv = try await PledgerBinary.run(["db", "grants", "--format", "csv"], database: url)
            #expect(csv.stdout.contains("pledger_app,events,SELECT INSERT DELETE,SELECT INSERT,false"))

            let bad = try await PledgerBinary.run(["db", "grants", "--format", "xml"], database: url)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("xml"), "\(bad.stderr)")
        }
    }
}
