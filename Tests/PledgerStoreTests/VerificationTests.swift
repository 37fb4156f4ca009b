import PledgerDomain
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Synchronization
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

    /// Page and batch sizes, and pages read at once: pages of four put some tamperings first
    /// (9), last (8, 12) or inside a page; batches of two and three (hashed while the next is
    /// read) do the same for batches, and a page of seven ends inside one. Pages of four or
    /// three read on one, two or three connections: a break is found where it is whichever
    /// connection read its page, and whichever page was read first.
    static let sizes = [
        (4, 1024, 2), (100_000, 1024, 2), (100_000, 2, 2), (100_000, 3, 2), (7, 3, 2), (4, 1024, 1), (3, 2, 3), (4, 2, 3),
    ]

    @Test("every tampering is found at its position, whatever the page size", arguments: tamperings)
    func tampering(_ tampering: Tampering) async throws {
        try await TestDatabase.withLedger { store, url in
            try await appendNumbered(20, to: store)
            for (pageSize, batchSize, connections) in Self.sizes {
                let intact = try await Self.verification(store, pageSize, batchSize, connections).run()
                #expect(
                    intact.isIntact && intact.verified == 20 && intact.lastHash == intact.head?.hash,
                    "\(pageSize), \(batchSize), \(connections)")
            }
            try await TestDatabase.behindTheApplicationsBack(url, tampering.sql)
            for (pageSize, batchSize, connections) in Self.sizes {
                let report = try await Self.verification(store, pageSize, batchSize, connections).run()
                #expect(
                    report.firstBreak?.position == tampering.breaksAt,
                    "page size \(pageSize), batch size \(batchSize), \(connections) connections: \(String(describing: report.firstBreak))")
                #expect(report.verified == min(tampering.breaksAt - 1, 18) || tampering.name == "the head row")
            }
        }
    }

    @Test("of two breaks in pages read at once, the earlier is the one reported, with the progress up to it")
    func twoBreaks() async throws {
        try await TestDatabase.withLedger { store, url in
            try await appendNumbered(40, to: store)
            // The later break (position 35) is in a page that may well be read and hashed before
            // the one holding the earlier (position 14), on another connection.
            try await TestDatabase.behindTheApplicationsBack(
                url, #"UPDATE events SET data = '{"n":0}' WHERE position = 35"#, #"UPDATE events SET data = '{"n":0}' WHERE position = 14"#)
            for (pageSize, connections) in [(10, 2), (10, 3), (5, 4), (20, 2), (100, 2)] {
                let pages = Mutex<[Int64]>([])
                let report = try await Self.verification(store, pageSize, 2, connections).run { done, _ in
                    pages.withLock { $0.append(done) }
                }
                #expect(report.firstBreak?.position == 14 && report.verified == 13, "\(pageSize), \(connections)")
                #expect(pages.withLock { $0 } == Array(stride(from: Int64(pageSize), to: 14, by: pageSize)), "\(pageSize), \(connections)")
            }
        }
    }

    static func verification(_ store: EventStore, _ pageSize: Int, _ batchSize: Int, _ connections: Int) -> LedgerVerification {
        var verification = LedgerVerification(store: store)
        verification.pageSize = pageSize
        verification.batchSize = batchSize
        verification.connections = connections
        return verification
    }
}
