import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("A report's stamp read as the request arrives")
struct EarlyStampTests {
    @Test("within readingStamp a current view takes the stamp read when it began — after what came before, not what came after")
    func earlyStamp() async throws {
        try await TestDatabase.withLedger { store, _ in
            let reports = ReportService(store: store)
            try await store.append(AppendRequest(stream: "stamp-1", expected: .noStream, events: [try event()]))
            let before = try await store.head().position
            let other = ReportService(store: store)
            try await reports.readingStamp {
                let early = try await reports.stamp()
                #expect(early.head == before, "a write acknowledged before the request is in its stamp")
                try await store.append(AppendRequest(stream: "stamp-2", expected: .noStream, events: [try event()]))
                #expect(try await reports.stamp() == early, "asked again within the request: the same stamp")
                #expect(try await other.stamp().head == before + 1, "another service's (a replica's) reads its own")
            }
            #expect(try await reports.stamp().head == before + 1, "a later request reads a new stamp")
        }
    }

    @Test("a request cancelled while its early stamp waits for the read before it leaves at once")
    func cancelled() async throws {
        try await TestDatabase.withLedger { store, url in
            let reports = ReportService(store: store)
            // The head row locked: a stamp's read waits until the lock is let go, and the
            // request's read waits behind it.
            try await TestDatabase.asSuperuser(url) { admin in
                try await admin.query("BEGIN", logger: store.logger)
                try await admin.query("LOCK TABLE ledger_head IN ACCESS EXCLUSIVE MODE", logger: store.logger)
                let running = Task { try await reports.stamp() }
                // Its read is waiting for the lock (a loaded machine — the whole suite at once —
                // has taken more than 10 s to get that far).
                let deadline = ContinuousClock.now + .seconds(30)
                while try await Self.lockWaits(admin) == 0 {
                    guard ContinuousClock.now < deadline else {
                        Issue.record("the stamp's read never waited for the lock")
                        return
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let request = Task { try await reports.readingStamp { try await reports.stamp() } }
                try await eventually { reports.positions.waitingCount == 1 }
                let started = ContinuousClock.now
                request.cancel()
                await #expect(throws: CancellationError.self) { try await request.value }
                // Well inside the store's operation timeout (which a request not really cancelled
                // would wait out), with room for a loaded machine's slow thread pool.
                #expect(ContinuousClock.now - started < .seconds(30))
                try await admin.query("ROLLBACK", logger: store.logger)
                _ = try await running.value
            }
        }
    }

    /// Backends waiting for a lock `admin` holds — this test's, not another test's on the same
    /// cluster (the activity view is a snapshot held for the whole transaction until cleared,
    /// and `admin` is in one).
    static func lockWaits(_ admin: PostgresConnection) async throws -> Int64 {
        _ = try await admin.query("SELECT pg_stat_clear_snapshot()", logger: admin.logger).collect()
        let rows = try await admin.query(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[pg_backend_pid()]", logger: admin.logger)
        return try await rows.collect().first?.decode(Int64.self) ?? 0
    }
}
