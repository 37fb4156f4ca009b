import PledgerDomain
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Testing

@Suite("Verification of the stored chain")
struct VerificationTests {
    /// One change a superuser could make behind the application's back, and where the
    /// verifier must say the chain first breaks.
    struct Tampering: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        let breaksAt: Int64
        var testDescription: String { name }
    }

    static let tamperings: [Tampering] = [
        Tampering(name: "data", sql: #"UPDATE events SET data = '{"n":999}' WHERE position = 9"#, breaksAt: 9),
        Tampering(name: "stream", sql: "UPDATE events SET stream = 's-x' WHERE position = 7", breaksAt: 7),
        Tampering(name: "version", sql: "UPDATE events SET version = version + 100 WHERE position = 7", breaksAt: 7),
        Tampering(name: "event_id", sql: "UPDATE events SET event_id = gen_random_uuid() WHERE position = 7", breaksAt: 7),
        Tampering(name: "type", sql: "UPDATE events SET type = 'Other' WHERE position = 7", breaksAt: 7),
        Tampering(name: "schema", sql: "UPDATE events SET schema = 2 WHERE position = 7", breaksAt: 7),
        Tampering(name: "meta", sql: #"UPDATE events SET meta = '{"actor":"x"}' WHERE position = 7"#, breaksAt: 7),
        Tampering(
            name: "recorded_at", sql: "UPDATE events SET recorded_at = recorded_at + interval '1 microsecond' WHERE position = 12",
            breaksAt: 12),
        Tampering(
            name: "prev_hash", sql: "UPDATE events SET prev_hash = (SELECT hash FROM events WHERE position = 2) WHERE position = 7",
            breaksAt: 7),
        Tampering(
            name: "hash", sql: "UPDATE events SET hash = (SELECT hash FROM events WHERE position = 2) WHERE position = 8", breaksAt: 8),
        Tampering(name: "a deleted event", sql: "DELETE FROM events WHERE position = 5", breaksAt: 5),
        Tampering(name: "a cut tail", sql: "DELETE FROM events WHERE position > 18", breaksAt: 19),
        Tampering(name: "the head row", sql: "UPDATE ledger_head SET hash = (SELECT hash FROM events WHERE position = 2)", breaksAt: 20),
        Tampering(
            name: "the head moved back", sql: "UPDATE ledger_head SET position = 18, hash = (SELECT hash FROM events WHERE position = 18)",
            breaksAt: 19),
    ]

    /// Page and batch sizes: pages of four put some tamperings first (9), last (8, 12) or
    /// inside a page; batches of two and three (hashed while the next is read) do the same
    /// for batches, and a page of seven ends inside one.
    static let sizes = [(4, 1024), (100_000, 1024), (100_000, 2), (100_000, 3), (7, 3)]

    @Test("every tampering is found at its position, whatever the page size", arguments: tamperings)
    func tampering(_ tampering: Tampering) async throws {
        try await TestDatabase.withLedger { store, url in
            for n in 1...20 {
                try await store.append(
                    AppendRequest(stream: "s-\(n % 3)", expected: .any, events: [try event("E", [("n", .integer(Int64(n)))])]))
            }
            for (pageSize, batchSize) in Self.sizes {
                var verification = LedgerVerification(store: store)
                verification.pageSize = pageSize
                verification.batchSize = batchSize
                let intact = try await verification.run()
                #expect(intact.isIntact && intact.verified == 20 && intact.lastHash == intact.head?.hash, "\(pageSize), \(batchSize)")
            }
            try await TestDatabase.behindTheApplicationsBack(url, tampering.sql)
            for (pageSize, batchSize) in Self.sizes {
                var verification = LedgerVerification(store: store)
                verification.pageSize = pageSize
                verification.batchSize = batchSize
                let report = try await verification.run()
                #expect(
                    report.firstBreak?.position == tampering.breaksAt,
                    "page size \(pageSize), batch size \(batchSize): \(String(describing: report.firstBreak))")
                #expect(report.verified == min(tampering.breaksAt - 1, 18) || tampering.name == "the head row")
            }
        }
    }
}
