import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Synchronization
import Testing

/// The write path under database faults: every append answers within a bounded time —
/// written, or refused with an error that says "try again later" — and what was written is
/// gap-free and chained. (`scripts/faults` runs the same faults against a live server.)
@Suite("Event store under database faults")
struct FaultTests {
    /// What concurrent writers saw while `fault` ran.
    struct Tally: Sendable {
        var written: [UUID] = []
        /// Where each acknowledged event was said to be.
        var positions: [UUID: Int64] = [:]
        var transient = 0
        var other: [String] = []
        var slowest: Duration = .zero
        /// When each acknowledged append was asked for, by where it was written.
        var askedFor: [Int64: ContinuousClock.Instant] = [:]
    }

    /// `writers` tasks append one event at a time to streams of their own until `fault`
    /// returns and for `after` more; every answer is classified.
    static func underLoad(
        _ store: EventStore, writers: Int = 16, after: Duration = .seconds(2),
        fault: @escaping @Sendable () async throws -> Void
    ) async throws -> Tally {
        let stop = Stop()
        return try await withThrowingTaskGroup(of: Tally.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var tally = Tally()
                    while !stop.requested {
                        let started = ContinuousClock.now
                        do {
                            let result = try await store.append(
                                AppendRequest(stream: "w-\(writer)", expected: .any, events: [try event("Load")]))
                            tally.written += result.eventIds
                            tally.askedFor[result.firstPosition] = started
                            for (offset, id) in result.eventIds.enumerated() { tally.positions[id] = result.firstPosition + Int64(offset) }
                        } catch  where StoreError.isTransient(error) {
                            tally.transient += 1
                            try await Task.sleep(for: .milliseconds(50))
                        } catch {
                            tally.other.append("\(StoreError.wrap(error))")
                        }
                        tally.slowest = max(tally.slowest, ContinuousClock.now - started)
                    }
                    return tally
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            try await fault()
            try await Task.sleep(for: after)
            stop.request()
            var total = Tally()
            for try await tally in group {
                total.written += tally.written
                total.positions.merge(tally.positions) { a, _ in a }
                total.transient += tally.transient
                total.other += tally.other
                total.slowest = max(total.slowest, tally.slowest)
                total.askedFor.merge(tally.askedFor) { a, _ in a }
            }
            return total
        }
    }

    final class Stop: Sendable {
        private let flag = Mutex(false)
        var requested: Bool { flag.withLock { $0 } }
        func request() { flag.withLock { $0 = true } }
    }

    /// Every acknowledged event is in the log, the log is gap-free and the chain intact.
    static func expectIntact(_ store: EventStore, acknowledged: [UUID], positions: [UUID: Int64]? = nil, url: DatabaseURL) async throws {
        let head = try await store.head()
        let stored = try await TestDatabase.asSuperuser(url) { connection in
            let rows = try await connection.query(
                "SELECT count(*), count(DISTINCT position), max(position), array_agg(event_id) FROM events", logger: TestDatabase.logger)
            for try await (count, distinct, max, ids) in rows.decode((Int64, Int64, Int64?, [UUID]).self) {
                return (count, distinct, max ?? 0, Set(ids))
            }
            return (Int64(0), Int64(0), Int64(0), Set<UUID>())
        }
        #expect(
            stored.0 == head.position && stored.1 == head.position && stored.2 == head.position, "positions 1…\(head.position) without gaps"
        )
        let missing = Set(acknowledged).subtracting(stored.3)
        var location = ""
        if !missing.isEmpty, let positions {
            let said = missing.compactMap { positions[$0] }.sorted()
            let found = try await TestDatabase.asSuperuser(url) { connection in
                var text: [String] = []
                let rows = try await connection.query(
                    "SELECT position, stream, meta FROM events WHERE position = ANY(\(said))", logger: TestDatabase.logger)
                for try await (position, stream, meta) in rows.decode((Int64, String, String).self) {
                    text.append("\(position) \(stream) \(meta)")
                }
                return text
            }
            location = "acknowledged at positions \(said.prefix(10)); the log has there: \(found.prefix(10))"
        }
        #expect(
            missing.isEmpty,
            "every acknowledged append is in the log: \(missing.count) of \(acknowledged.count) missing, head \(head.position), rows \(stored.0); \(location)"
        )
        #expect(try await LedgerVerification(store: store).run().isIntact)
    }

    @Test("three backend terminations 0.7 s apart under 16 writers: no append hangs, none is lost, the writer recovers")
    func terminations() async throws {
        try await TestDatabase.withLedger(maxConnections: 8, operationTimeout: .seconds(5)) { store, url in
            let tally = try await Self.underLoad(store) {
                for _ in 0..<3 {
                    try await TestDatabase.asSuperuser(url) { connection in
                        try await connection.query(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(url.database) AND pid <> pg_backend_pid()",
                            logger: TestDatabase.logger)
                    }
                    try await Task.sleep(for: .milliseconds(700))
                }
            }
            #expect(tally.other.isEmpty, "only database-condition errors: \(tally.other.prefix(3))")
            // An append can wait out the deadline of the commit ahead of it and then its own
            // (2 × 5 s); beyond that, with slack for a loaded machine (14.0 s seen with the whole
            // suite at once), it would be a hang.
            #expect(tally.slowest < .seconds(20), "every append answered within two deadlines (slowest \(tally.slowest))")
            // Recovered: a fresh append goes through. A connection the terminations closed can
            // be found closed only as it is used, leaving that append's outcome unknown; it is
            // asked again with its idempotency key, as a client is told to.
            let request = AppendRequest(stream: "after", expected: .noStream, events: [try event("After")], idempotencyKey: "after")
            let after = try await Self.append(request, to: store, tries: 5)
            let recovered = try #require(after, "a fresh append went through within five tries")
            try await Self.expectIntact(store, acknowledged: tally.written + recovered.eventIds, positions: tally.positions, url: url)
        }
    }

    /// `request` appended as a client told to retry does it: asked again (its idempotency key
    /// makes that safe) after a transient error, 200 ms apart; nil when every try failed so.
    static func append(_ request: AppendRequest, to store: EventStore, tries: Int) async throws -> AppendResult? {
        for _ in 0..<tries {
            do { return try await store.append(request) } catch  where StoreError.isTransient(error) {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        return nil
    }

    @Test("a transaction holding the ledger head: appends give up after the lock timeout with a transient error, then proceed")
    func heldHeadLock() async throws {
        try await TestDatabase.withLedger(limits: .init(lockTimeout: .seconds(1)), operationTimeout: .seconds(15)) { store, url in
            // The first append opens a connection; with the whole suite at once its commit has
            // failed on the connection (seen once): asked again with its idempotency key.
            let warm = AppendRequest(stream: "warm", expected: .noStream, events: [try event()], idempotencyKey: "warm")
            #expect(try await Self.append(warm, to: store, tries: 3) != nil, "the first append went through within three tries")
            let hold = Mutex<(head: Int64, released: ContinuousClock.Instant)?>(nil)
            let tally = try await Self.underLoad(store, writers: 4, after: .milliseconds(500)) {
                try await TestDatabase.asSuperuser(url) { connection in
                    try await connection.query("BEGIN", logger: TestDatabase.logger)
                    var head: Int64 = 0
                    for try await position in try await connection.query(
                        "SELECT position FROM ledger_head FOR UPDATE", logger: TestDatabase.logger
                    ).decode(Int64.self) { head = position }
                    try await Task.sleep(for: .seconds(14))
                    // Taken as COMMIT is sent: the lock is released after it, never before.
                    let releasing = ContinuousClock.now
                    try await connection.query("COMMIT", logger: TestDatabase.logger)
                    hold.withLock { $0 = (head, releasing) }
                }
            }
            let held = try #require(hold.withLock { $0 })
            #expect(tally.transient > 0, "appends during the hold were refused, not queued forever")
            #expect(tally.other.isEmpty, "\(tally.other.prefix(3))")
            // Appends written after the head the hold read were committed after its release.
            // One that had waited for the lock was asked for about 14 s before the release;
            // one asked for during the hold gives up after the 1 s lock timeout and is asked
            // for again. Measured from the release, not as a latency, so a loaded 2-core
            // machine's scheduling (latencies of 9.9 s have been seen) does not decide it.
            #expect(tally.askedFor.keys.contains { $0 > held.head }, "appends went on after the hold")
            let waitedLongest =
                tally.askedFor
                .filter { $0.key > held.head }
                .map { held.released - $0.value }
                .max() ?? .zero
            #expect(
                waitedLongest < .seconds(11),
                "no append waited for the hold: one written after it was asked for \(waitedLongest) before its release")
            try await Self.expectIntact(store, acknowledged: tally.written, url: url)
        }
    }

    @Test("the writer reports itself when its commits keep failing, and clears once one succeeds")
    func writerHealth() async throws {
        try await TestDatabase.withLedger(limits: .init(lockTimeout: .milliseconds(200)), operationTimeout: .seconds(5)) { store, url in
            #expect(store.writerProblem() == nil)
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query("SELECT * FROM ledger_head FOR UPDATE", logger: TestDatabase.logger)
                // Appends queued while a commit waits are answered with its failure, so it
                // may take a few appends to see three failed commits.
                for n in 0..<10 where store.writerProblem() == nil {
                    do {
                        try await store.append(AppendRequest(stream: "s-\(n)", expected: .any, events: [try event()]))
                        Issue.record("an append went through while the head was held")
                    } catch {
                        #expect(StoreError.isTransient(error), "\(error)")
                    }
                }
                #expect(store.writerProblem()?.contains("group commits failed") == true)
                try await connection.query("COMMIT", logger: TestDatabase.logger)
            }
            // On a loaded machine (the whole suite at once) the first append after the release
            // can itself pass the 5 s limit and fail as transient; what is checked is that the
            // writer clears once one succeeds.
            var succeeded = false
            var failures: [String] = []
            for _ in 0..<6 where !succeeded {
                do {
                    try await store.append(AppendRequest(stream: "s", expected: .any, events: [try event()]))
                    succeeded = true
                } catch  where StoreError.isTransient(error) {
                    failures.append("\(error)")
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            if !succeeded {
                // Who holds what in this database, so a failure here says why.
                let holders = try await TestDatabase.asSuperuser(url) { connection in
                    let rows = try await connection.query(
                        """
                        SELECT pid, coalesce(state, ''), coalesce(left(query, 80), ''), coalesce(wait_event_type, '')
                        FROM pg_stat_activity WHERE datname = \(url.database) AND pid <> pg_backend_pid()
                        """, logger: TestDatabase.logger)
                    var found: [String] = []
                    for try await (pid, state, query, wait) in rows.decode((Int32, String, String, String).self) {
                        found.append("\(pid) \(state) \(wait) \(query)")
                    }
                    return found
                }
                Issue.record("no append went through after the release: \(failures); sessions: \(holders)")
            }
            #expect(store.writerProblem() == nil)
        }
    }

    @Test("Deadline: an operation that never answers is abandoned at the limit, and told so through its handle")
    func deadline() async throws {
        let expired = Stop()
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) {
            try await Deadline.run(.milliseconds(200), "stuck") { handle in
                handle.onExpiry { expired.request() }
                // Ignores cancellation, as a query on a dead connection does.
                try? await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        // Far below the hour the operation would take. Not tight: the synchronous property
        // suites can hold both threads of the cooperative pool for a minute on two cores.
        #expect(ContinuousClock.now - started < .seconds(900))
        #expect(expired.requested)
        #expect(try await Deadline.run(.seconds(5), "quick") { _ in 42 } == 42)
    }

    @Test("Deadline: an operation that arms its abort after its deadline is told so, and the abort never runs")
    func armedTooLate() async throws {
        let aborted = Mutex(false)
        let armed = Mutex<Bool?>(nil)
        await #expect(throws: StoreError.self) {
            try await Deadline.run(.milliseconds(50), "late") { handle in
                // Held back past the deadline (the sleep ignores its cancellation).
                try? await Task.sleep(for: .milliseconds(500))
                armed.withLock { $0 = handle.armUnlessExpired { aborted.withLock { $0 = true } } }
                return 1
            }
        }
        try await eventually { armed.withLock { $0 } != nil }
        #expect(armed.withLock { $0 } == false)
        #expect(!aborted.withLock { $0 })
        let inTime = try await Deadline.run(.seconds(5), "in time") { handle in handle.armUnlessExpired {} }
        #expect(inTime)
    }
}
