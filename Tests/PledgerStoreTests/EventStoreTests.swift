import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import PledgerStore

/// A small event for storage tests; the payload is arbitrary canonical JSON.
func event(_ type: String = "Tested", _ fields: [(String, JSONValue)] = []) throws -> NewEvent {
    try NewEvent(type: type, data: .object(JSONObject(fields)))
}

/// Events 1…`count`, one append each, spread over the streams `s-0`, `s-1` and `s-2`, each
/// carrying its number: a small log for the tests that tamper with it.
func appendNumbered(_ count: Int, to store: EventStore) async throws {
    for n in 1...count {
        try await store.append(AppendRequest(stream: "s-\(n % 3)", expected: .any, events: [try event("E", [("n", .integer(Int64(n)))])]))
    }
}

@Suite("Event store")
struct EventStoreTests {
    @Test("an atomic append bigger than a group commits alone, whole; beyond the single-append bound it is refused whole")
    func bigAtomicAppend() async throws {
        try await TestDatabase.withLedger { store, _ in
            // An import of 10,000 loans is about 55,000 events: more than one group holds.
            let events = try (1...60_000).map { try event("Imported", [("n", .integer(Int64($0)))]) }
            let result = try await store.append(AppendRequest(stream: "import-1", expected: .noStream, events: events))
            #expect(result.firstPosition == 1 && result.lastPosition == 60_000)
            #expect(try await store.head().position == 60_000)
            let tooMany = Array(repeating: try event("Imported"), count: store.maxAppendEvents + 1)
            await #expect(throws: AppendError.self) {
                try await store.append(AppendRequest(stream: "import-2", expected: .noStream, events: tooMany))
            }
            #expect(try await store.head().position == 60_000)
        }
    }

    @Test("32 concurrent writers: positions 1…N without gaps, dense stream versions, conflicts write nothing, chain intact")
    func concurrentAppends() async throws {
        try await TestDatabase.withLedger { store, _ in
            let writers = 40
            let appendsPerWriter = 100
            let sharedStreams = ["shared-a", "shared-b", "shared-c"]
            let outcomes = try await withThrowingTaskGroup(of: (written: Int, conflicts: Int).self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var written = 0
                        var conflicts = 0
                        var ownVersion: Int32 = 0
                        for n in 0..<appendsPerWriter {
                            if n % 3 == 0 {
                                // Shared stream, with a deliberately stale-prone read-then-append.
                                let stream = sharedStreams[(writer + n) % sharedStreams.count]
                                let current = try await store.versions(of: [stream])[stream] ?? 0
                                do {
                                    let result = try await store.append(
                                        AppendRequest(
                                            stream: stream, expected: current == 0 ? .noStream : .exact(current),
                                            events: [try event("Shared", [("writer", .integer(Int64(writer)))])]))
                                    written += result.eventIds.count
                                } catch let error as AppendError {
                                    guard case .wrongExpectedVersion(stream, _, let actual) = error else { throw error }
                                    #expect(actual > current)
                                    conflicts += 1
                                }
                            } else {
                                // Own stream, two events per append.
                                let result = try await store.append(
                                    AppendRequest(
                                        stream: "own-\(writer)", expected: ownVersion == 0 ? .noStream : .exact(ownVersion),
                                        events: [
                                            try event("Own", [("n", .integer(Int64(n)))]), try event("Own", [("n", .integer(Int64(n)))]),
                                        ]))
                                ownVersion += 2
                                #expect(result.streamVersions["own-\(writer)"] == ownVersion)
                                written += 2
                            }
                        }
                        return (written, conflicts)
                    }
                }
                return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
            }
            let written = outcomes.reduce(0) { $0 + $1.0 }
            let conflicts = outcomes.reduce(0) { $0 + $1.1 }

            var all: [StoredEvent] = []
            var cursor: Int64 = 0
            while true {
                let page = try await store.read(after: cursor, limit: 700)
                guard let last = page.last else { break }
                all += page
                cursor = last.position
            }
            #expect(all.count == written)
            #expect(all.map(\.position) == Array(1...Int64(written)))
            var versions: [String: Int32] = [:]
            for stored in all {
                let expected = (versions[stored.envelope.stream] ?? 0) + 1
                #expect(stored.envelope.version == expected, "stream \(stored.envelope.stream)")
                versions[stored.envelope.stream] = expected
            }
            #expect(versions.count == writers + sharedStreams.count)
            let report = try await LedgerVerification(store: store).run()
            #expect(report.isIntact)
            #expect(report.verified == Int64(written))
            #expect(try await store.head().position == Int64(written))
            // Group commit really grouped: fewer transactions than appends.
            #expect(store.statistics.transactions < store.statistics.requests)
            #expect(written > 5000)
            print(
                "concurrentAppends: \(written) events, \(conflicts) conflicts, \(store.statistics.transactions) transactions for \(store.statistics.requests) appends"
            )
        }
    }

    @Test("idempotency: same key and request → the original result, nothing new; same key, other request → conflict")
    func idempotency() async throws {
        try await TestDatabase.withLedger { store, _ in
            let request = AppendRequest(
                stream: "loan-X-1", expected: .noStream, events: [try event("A", [("v", .integer(1))])], idempotencyKey: "key-1")
            let first = try await store.append(request)
            #expect(first.replayed == false)
            // The retry carries fresh event ids, as a client retrying after a timeout would.
            let retry = AppendRequest(
                stream: "loan-X-1", expected: .noStream, events: [try event("A", [("v", .integer(1))])], idempotencyKey: "key-1")
            let second = try await store.append(retry)
            #expect(second.replayed)
            #expect(second.firstPosition == first.firstPosition && second.eventIds == first.eventIds)
            #expect(try await store.head().position == 1)

            let different = AppendRequest(
                stream: "loan-X-1", expected: .noStream, events: [try event("A", [("v", .integer(2))])], idempotencyKey: "key-1")
            await #expect(throws: AppendError.idempotencyConflict(key: "key-1")) { try await store.append(different) }
            #expect(try await store.head().position == 1)

            // Concurrent duplicates land in one batch or several; exactly one write either way.
            let keyed = AppendRequest(stream: "loan-X-2", expected: .any, events: [try event("B")], idempotencyKey: "key-2")
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<10 { group.addTask { try await store.append(keyed) } }
                return try await group.reduce(into: [AppendResult]()) { $0.append($1) }
            }
            #expect(results.filter { !$0.replayed }.count == 1)
            #expect(Set(results.map(\.firstPosition)).count == 1)
            #expect(try await store.head().position == 2)
            let stored = try await store.read(stream: "loan-X-2")
            #expect(stored.first?.envelope.meta == #"{"idempotency_key":"key-2"}"#)
        }
    }

    @Test("a multi-stream append is all or nothing")
    func multiStreamAtomic() async throws {
        try await TestDatabase.withLedger { store, _ in
            try await store.append(AppendRequest(stream: "asset-P1", expected: .noStream, events: [try event("AssetRegistered")]))
            let bad = AppendRequest([
                StreamAppend(stream: "loan-B-1", expected: .noStream, events: [try event("LoanOriginated")]),
                StreamAppend(stream: "asset-P1", expected: .exact(5), events: [try event("AssetPledged")]),
            ])
            await #expect(throws: AppendError.wrongExpectedVersion(stream: "asset-P1", expected: .exact(5), actual: 1)) {
                try await store.append(bad)
            }
            #expect(try await store.read(stream: "loan-B-1").isEmpty)
            #expect(try await store.head().position == 1)

            let good = AppendRequest([
                StreamAppend(stream: "loan-B-1", expected: .noStream, events: [try event("LoanOriginated")]),
                StreamAppend(stream: "asset-P1", expected: .exact(1), events: [try event("AssetPledged")]),
            ])
            let result = try await store.append(good)
            #expect(result.firstPosition == 2 && result.lastPosition == 3)
            #expect(result.streamVersions == ["loan-B-1": 1, "asset-P1": 2])
        }
    }

    @Test(
        "bad requests are refused before anything is written",
        arguments: [
            AppendRequest([]),
            AppendRequest(stream: "", expected: .any, events: []),
            AppendRequest(stream: "s\u{1}", expected: .any, events: []),
        ])
    func invalidRequests(request: AppendRequest) async throws {
        try await TestDatabase.withLedger { store, _ in
            await #expect(throws: AppendError.self) { try await store.append(request) }
        }
    }

    @Test("events read back exactly as written, and recorded_at keeps microseconds")
    func roundTrip() async throws {
        try await TestDatabase.withLedger { store, _ in
            let data: JSONValue = .object(
                try JSONObject([
                    ("text", .string("龙城 \"quoted\" \\ / \n 😀")), ("big", .integer(JSONValue.maxSafeInteger)), ("neg", .integer(-1)),
                ]))
            let written = try NewEvent(type: "RoundTrip", schema: 3, data: data, meta: try JSONObject([("actor", .string("tester"))]))
            let result = try await store.append(AppendRequest(stream: "rt-1", expected: .noStream, events: [written]))
            let stored = try #require(try await store.read(stream: "rt-1").first)
            #expect(stored.envelope.data == CanonicalJSON.string(data))
            #expect(stored.envelope.meta == #"{"actor":"tester"}"#)
            #expect(stored.envelope.schema == 3 && stored.envelope.eventId == written.eventId)
            #expect(stored.envelope.recordedAt == result.recordedAt)
            #expect(stored.hash == stored.envelope.hash(after: .zero))
        }
    }

    /// A bulk append gives its events one meta, whose text is made once; a meta that differs
    /// only by a canonically equivalent string is another meta, stored as given.
    @Test("consecutive metas that are == but not byte-identical are each stored as given")
    func metasByTheirBytes() async throws {
        try await TestDatabase.withLedger { store, _ in
            let composed = try JSONObject([("reference", .string("é"))])
            let decomposed = try JSONObject([("reference", .string("e\u{301}"))])
            let events = try [composed, composed, decomposed].map { meta in
                try NewEvent(type: "E", data: .object(JSONObject()), meta: meta)
            }
            try await store.append(AppendRequest(stream: "metas", expected: .noStream, events: events))
            let stored = try await store.read(stream: "metas").map(\.envelope.meta)
            #expect(
                stored.map { Array($0.utf8) } == [composed, composed, decomposed].map { Array(CanonicalJSON.string(.object($0)).utf8) })
            #expect(!stored[2].utf8.elementsEqual(stored[1].utf8))
        }
    }

    @Test("an append that finds the writer idle is committed by its caller, on the writer's one connection")
    func callerCommitsWhenIdle() async throws {
        try await TestDatabase.withLedger { store, _ in
            for n in 0..<20 {
                let result = try await store.append(AppendRequest(stream: "s-\(n % 3)", expected: .any, events: [try event()]))
                #expect(result.firstPosition == Int64(n + 1))
            }
            #expect(store.statistics.byCaller == 20)
            #expect(store.statistics.requests == 20)
            #expect(store.writerConnectionsOpened == 1)
            #expect(try await LedgerVerification(store: store).run().isIntact)
        }
    }

    @Test("a commit its caller makes runs to its end when that caller is cancelled, and shutdown waits for it")
    func callerCommitOutlivesCancellationAndShutdown() async throws {
        try await Self.withCallerCommitHeld { store, _, commit in
            try await Task.sleep(for: .milliseconds(200))
            commit.cancel()
            store.finish()
        } afterwards: { _, _ in
        }
    }

    @Test("a cancelled writer lets a caller's running commit finish, fails what is queued, writes nothing after it and refuses more")
    func cancelledWriter() async throws {
        try await Self.withCallerCommitHeld { store, writer, _ in
            // The next two appends queue for the writer.
            let queued = (0..<2).map { index in
                Task { try await store.append(AppendRequest(stream: "queued-\(index)", expected: .noStream, events: [try event()])) }
            }
            try await Task.sleep(for: .milliseconds(200))
            writer.cancel()
            return queued
        } afterwards: { _, queued in
            for append in queued {
                await #expect(throws: StoreError.self, "an append queued when the writer was cancelled was answered") {
                    try await append.value
                }
            }
        }
    }

    /// A store whose group-commit writer runs in a task the test holds, and a caller's append
    /// committing itself while the head row is locked elsewhere. `whileHeld` acts (cancels,
    /// stops) while that commit waits for the lock; the writer must not stop under the
    /// commit. The head is then let go: the commit is written and answered, the writer returns,
    /// `afterwards` checks what `whileHeld` left, nothing else is in the log, and a later
    /// append is refused.
    static func withCallerCommitHeld<Held: Sendable>(
        whileHeld: (EventStore, Task<Void, Never>, Task<AppendResult, any Error>) async throws -> Held,
        afterwards: (EventStore, Held) async throws -> Void
    ) async throws {
        try await TestDatabase.withDatabase { url in
            let client = url.makeClient(maxConnections: 2, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                let store = EventStore(url: url, client: client, logger: TestDatabase.logger)
                let stopped = Mutex(false)
                let writer = Task {
                    await store.run()
                    stopped.withLock { $0 = true }
                }
                let (commit, held) = try await TestDatabase.asSuperuser(url) { blocker in
                    try await blocker.query("BEGIN", logger: TestDatabase.logger)
                    try await blocker.query("SELECT position FROM ledger_head FOR UPDATE", logger: TestDatabase.logger)
                    let commit = Task { try await store.append(AppendRequest(stream: "held", expected: .noStream, events: [try event()])) }
                    try await eventually { store.statistics.byCaller == 1 }
                    let held = try await whileHeld(store, writer, commit)
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(!stopped.withLock { $0 }, "the writer stopped while a caller's commit was running")
                    try await blocker.query("COMMIT", logger: TestDatabase.logger)
                    return (commit, held)
                }
                #expect(try await commit.value.firstPosition == 1)
                await writer.value
                try await afterwards(store, held)
                #expect(try await store.head().position == 1)
                // Closed: a later append is refused, not written.
                await #expect(throws: StoreError.self) {
                    try await store.append(AppendRequest(stream: "late", expected: .any, events: [try event()]))
                }
                group.cancelAll()
            }
        }
    }

    @Test("the writer's connection, terminated by the server, is replaced: the next appends go through")
    func writerConnectionReplaced() async throws {
        try await TestDatabase.withLedger { store, url in
            try await store.append(AppendRequest(stream: "before", expected: .noStream, events: [try event()]))
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(url.database) AND pid <> pg_backend_pid()",
                    logger: TestDatabase.logger)
            }
            // The first use may find the connection dead (an unknown outcome, asked again with
            // its key, as a client is told to); then a new one is opened.
            var written: AppendResult?
            for _ in 0..<3 where written == nil {
                do {
                    written = try await store.append(
                        AppendRequest(stream: "after", expected: .noStream, events: [try event()], idempotencyKey: "after-1"))
                } catch {
                    #expect(StoreError.isTransient(error), "\(error)")
                }
            }
            #expect(written?.firstPosition == 2)
            try await store.append(AppendRequest(stream: "after", expected: .exact(1), events: [try event()]))
            #expect(store.writerConnectionsOpened == 2)
            #expect(try await store.head().position == 3)
        }
    }
}

@Suite("Event store: several writer processes")
struct MultiWriterTests {
    /// Each store caches the head and versions it last wrote and tries a one-statement
    /// append first; a write by another process must send it down the locked path.
    @Test("two stores on one database interleave appends: gap-free positions, conflicts caught, chain intact")
    func twoWriters() async throws {
        try await TestDatabase.withLedger { first, url in
            try await LedgerRuntime.with(url, maxConnections: 2, logger: TestDatabase.logger) { ledger in
                let second = ledger.log
                var expected: Int32 = 0
                for round in 0..<50 {
                    let writer = round % 3 == 0 ? second : first
                    try await writer.append(
                        AppendRequest(
                            stream: "shared", expected: expected == 0 ? .noStream : .exact(expected),
                            events: [try event("E", [("round", .integer(Int64(round)))])]))
                    expected += 1
                    // The other store's cached head and version of "shared" are now stale; a client
                    // that also has the old version must be refused, not written on top.
                    let other = writer === first ? second : first
                    let outdated: ExpectedVersion = expected == 1 ? .noStream : .exact(expected - 1)
                    await #expect(throws: AppendError.wrongExpectedVersion(stream: "shared", expected: outdated, actual: expected)) {
                        try await other.append(AppendRequest(stream: "shared", expected: outdated, events: [try event("E")]))
                    }
                }
                #expect(try await first.head().position == 50)
                #expect(try await LedgerVerification(store: second).run().isIntact)
                let versions = try await first.read(stream: "shared").map(\.envelope.version)
                #expect(versions == Array(1...50))
            }
        }
    }

    /// A store's cached version of a stream is stale once another process writes it. A
    /// client that read the stream afresh and expects its real version must be written, not
    /// refused against the cache; a client with an old version is still refused, and its
    /// retry with the real one written.
    @Test("a stream another process wrote since: an append expecting its real version is written, not refused against the cache")
    func staleCachedVersion() async throws {
        try await TestDatabase.withLedger { first, url in
            try await LedgerRuntime.with(url, maxConnections: 2, logger: TestDatabase.logger) { ledger in
                let second = ledger.log
                try await first.append(AppendRequest(stream: "shared", expected: .noStream, events: [try event("E")]))
                try await second.append(AppendRequest(stream: "shared", expected: .exact(1), events: [try event("E")]))
                let written = try await first.append(AppendRequest(stream: "shared", expected: .exact(2), events: [try event("E")]))
                #expect(written.streamVersions == ["shared": 3] && written.lastPosition == 3)
                // A conflict the cache would not see is still found: the log has version 3.
                await #expect(throws: AppendError.wrongExpectedVersion(stream: "shared", expected: .exact(2), actual: 3)) {
                    try await second.append(AppendRequest(stream: "shared", expected: .exact(2), events: [try event("E")]))
                }
                let retried = try await second.append(AppendRequest(stream: "shared", expected: .exact(3), events: [try event("E")]))
                #expect(retried.streamVersions == ["shared": 4])
                #expect(try await LedgerVerification(store: first).run().isIntact)
            }
        }
    }

    private func attempt(_ body: @Sendable () async throws -> AppendResult) async -> Result<AppendResult, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Two stores on one database: the first makes "made-elsewhere"; the second then writes
    /// "own", so it knows the head — and has never seen that stream. `body` gets both.
    private func withStreamMadeElsewhere(_ body: @Sendable (_ first: EventStore, _ second: EventStore) async throws -> Void) async throws {
        try await TestDatabase.withLedger { first, url in
            try await LedgerRuntime.with(url, maxConnections: 2, logger: TestDatabase.logger) { ledger in
                let second = ledger.log
                try await first.append(AppendRequest(stream: "made-elsewhere", expected: .noStream, events: [try event("E")]))
                try await second.append(AppendRequest(stream: "own", expected: .noStream, events: [try event("E")]))
                try await body(first, second)
                #expect(try await LedgerVerification(store: first).run().isIntact)
            }
        }
    }

    /// Refused for another part, a request writes nothing to a stream assumed new: that proves
    /// nothing about the stream, and the writer must not remember it as empty.
    @Test("a stream assumed new but left unwritten is not remembered as empty")
    func assumedNewLeftUnwritten() async throws {
        try await withStreamMadeElsewhere { _, second in
            let both = AppendRequest([
                StreamAppend(stream: "made-elsewhere", expected: .noStream, events: [try event("E")]),
                StreamAppend(stream: "own", expected: .exact(5), events: [try event("E")]),
            ])
            await #expect(throws: AppendError.wrongExpectedVersion(stream: "made-elsewhere", expected: .noStream, actual: 1)) {
                try await second.append(both)
            }
            let next = try await second.append(AppendRequest(stream: "made-elsewhere", expected: .exact(1), events: [try event("E")]))
            #expect(next.streamVersions == ["made-elsewhere": 2])
        }
    }

    /// A stream this store has never seen counts as new when only expected not to exist; one
    /// that another process made before must still be refused, and nothing else lost.
    @Test("a 'new' stream that exists after all: refused as a version conflict, the batch's other appends written")
    func newStreamThatExists() async throws {
        try await withStreamMadeElsewhere { first, second in
            async let again = attempt {
                try await second.append(AppendRequest(stream: "made-elsewhere", expected: .noStream, events: [try event("E")]))
            }
            async let fresh = attempt {
                try await second.append(AppendRequest(stream: "fresh", expected: .noStream, events: [try event("E")]))
            }
            let (refused, written) = await (again, fresh)
            #expect(throws: AppendError.wrongExpectedVersion(stream: "made-elsewhere", expected: .noStream, actual: 1)) {
                try refused.get()
            }
            #expect(try written.get().streamVersions == ["fresh": 1])
            // Still new to nobody: the next append on a known head goes on from there.
            let next = try await second.append(AppendRequest(stream: "fresh-2", expected: .noStream, events: [try event("E")]))
            #expect(next.lastPosition == 4)
            #expect(try await first.read(stream: "made-elsewhere").count == 1)
        }
    }
}
