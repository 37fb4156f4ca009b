import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@testable import PledgerHTTP

/// Read routing with a read replica. A real standby is `scripts/replica-check`'s job; here the
/// "replica" is another real database: the same one (a standby that has caught up), a fresh
/// migrated one (a standby far behind) or a port nobody listens on (a standby that is down).
@Suite("HTTP: a read replica", .serialized)
struct ReadReplicaTests {
    static let source = HTTPField.Name("Pledger-Read-Source")!

    @Test("a caught-up replica answers the reads, min_position included; writes, tokens and single resources stay on the primary")
    func caughtUp() async throws {
        // The replica is the primary's own database through a second client: it has everything.
        try await TestDatabase.withLedger { primary, url in
            try await LedgerRuntime.with(url, logger: TestDatabase.logger) { replica in
                // The replica has reached every position before the reads, so how long a read may
                // wait for it only has to outlast a loaded machine's slow round trip (CI saw a
                // 1 s wait run out on one and the primary answer).
                try await Self.harness(primary: primary, url: url, replica: replica.log, wait: .seconds(30)) { api in
                    let position = try await api.seedDistrict()
                    try await Projector(store: api.store).catchUp()
                    let funds = try await api.send(.get, "/v1/funds?min_position=\(position)", as: "auditor")
                    #expect(funds.status == 200 && funds.headers[Self.source] == "replica", "\(funds.status) \(funds.text)")
                    #expect(funds.text.contains("LC-IPRC"))
                    let history = try await api.send(.get, "/v1/events?min_position=\(position)", as: "auditor")
                    #expect(history.status == 200 && history.headers[Self.source] == "replica")
                    let beyond = try await api.send(.get, "/v1/banks?min_position=\(position + 1000)", as: "auditor")
                    #expect(beyond.status == 422 && beyond.string("field") == "min_position", "\(beyond.text)")
                    let fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "auditor")
                    #expect(fund.status == 200 && fund.headers[Self.source] == nil, "an ETag source for If-Match stays on the primary")
                    // The probes give the replica 1 s (/readyz) and 2 s (/metrics): on a loaded
                    // machine one can run out. Probed again after the pause, as a monitor would;
                    // a replica reported down or lagging three times running fails the test.
                    var metrics = try await api.send(.get, "/metrics", as: "auditor")
                    for _ in 0..<2 where metrics.metric("pledger_replica_up") != 1 || metrics.metric("pledger_replica_lag_events") != 0 {
                        try await Task.sleep(for: ReplicaRouting.pause + .milliseconds(100))
                        metrics = try await api.send(.get, "/metrics", as: "auditor")
                    }
                    #expect(metrics.metric("pledger_replica_up") == 1, "\(metrics.text.suffix(1500))")
                    #expect(metrics.metric("pledger_replica_lag_events") == 0, "\(metrics.text.suffix(1500))")
                    var ready = try await api.send(.get, "/readyz", as: nil)
                    for _ in 0..<2 where ready.json["checks"]?["replica"] != .string("ok") {
                        try await Task.sleep(for: ReplicaRouting.pause + .milliseconds(100))
                        ready = try await api.send(.get, "/readyz", as: nil)
                    }
                    #expect(ready.json["checks"]?["replica"] == .string("ok"), "\(ready.text)")
                }
            }
        }
    }

    @Test("a replica behind min_position: the primary answers after the wait, never the stale replica")
    func behind() async throws {
        try await TestDatabase.withLedger { primary, url in
            // A fresh migrated database: a standby that has not replayed any of the primary's events.
            try await TestDatabase.withLedger { stale, _ in
                // The wait outlasts a loaded machine's slow answer from the replica: its first
                // poll timing out would send reads to the primary at once for a pause.
                let wait = Duration.seconds(2)
                try await Self.harness(primary: primary, url: url, replica: stale, wait: wait) { api in
                    let position = try await api.seedDistrict()
                    try await Projector(store: api.store).catchUp()
                    // On a loaded machine (the whole suite at once) the replica's position may
                    // take longer than the wait, and reads then avoid it for a pause:
                    // asked again after the pause, as a client would.
                    var unpinned = try await api.send(.get, "/v1/funds", as: "auditor")
                    for _ in 0..<2 where unpinned.headers[Self.source] != "replica" {
                        try await Task.sleep(for: ReplicaRouting.pause + .milliseconds(100))
                        unpinned = try await api.send(.get, "/v1/funds", as: "auditor")
                    }
                    #expect(
                        unpinned.headers[Self.source] == "replica" && !unpinned.text.contains("LC-IPRC"),
                        "no min_position: the replica, as it is")
                    for uri in [
                        "/v1/funds?min_position=\(position)", "/v1/banks/LCRCB/loans?min_position=\(position)",
                        "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-12-31&min_position=\(position)",
                    ] {
                        let started = ContinuousClock.now
                        let reply = try await api.send(.get, uri, as: "fund_admin")
                        #expect(reply.status == 200 && reply.headers[Self.source] == "primary", "\(uri): \(reply.status) \(reply.text)")
                        #expect(ContinuousClock.now - started >= wait, "\(uri) waited for the replica first")
                    }
                    let funds = try await api.send(
                        .get, "/v1/funds", as: "auditor", headers: [.init("Pledger-Min-Position")!: "\(position)"])
                    #expect(funds.headers[Self.source] == "primary" && funds.text.contains("LC-IPRC"))
                    // Sampled within 2 s, else left as the last sample (another test's): asked again.
                    var metrics = try await api.send(.get, "/metrics", as: "auditor")
                    for _ in 0..<2 where metrics.metric("pledger_replica_lag_events") != Double(position) {
                        try await Task.sleep(for: ReplicaRouting.pause + .milliseconds(100))
                        metrics = try await api.send(.get, "/metrics", as: "auditor")
                    }
                    #expect(metrics.metric("pledger_replica_lag_events") == Double(position), "\(metrics.text.suffix(1500))")
                }
            }
        }
    }

    @Test("a replica that is down: reads answered by the primary at once, /readyz says so and stays ready, writes go on")
    func down() async throws {
        try await TestDatabase.withLedger { primary, url in
            let nobody = try DatabaseURL("postgres://pledger@127.0.0.1:9/pledger")
            try await LedgerRuntime.with(nobody, operationTimeout: .seconds(2), logger: TestDatabase.logger) { dead in
                try await Self.harness(primary: primary, url: url, replica: dead.log) { api in
                    try await api.seedDistrict()
                    try await Projector(store: api.store).catchUp()
                    let failures = "pledger_replica_failures_total"
                    let before = try await api.send(.get, "/metrics", as: "auditor").metric(failures) ?? 0
                    let started = ContinuousClock.now
                    for _ in 0..<5 {
                        let funds = try await api.send(.get, "/v1/funds", as: "auditor")
                        #expect(funds.status == 200 && funds.headers[Self.source] == "primary" && funds.text.contains("LC-IPRC"))
                    }
                    // One failed attempt, then the primary directly for the pause (on a loaded
                    // machine the five reads can outlast a pause: one more attempt per pause).
                    let pauses = Int((ContinuousClock.now - started).inSeconds / ReplicaRouting.pause.inSeconds)
                    let after = try #require(try await api.send(.get, "/metrics", as: "auditor").metric(failures))
                    #expect(after - before >= 1 && after - before <= Double(1 + pauses), "\(after - before) failures in \(pauses) pauses")
                    let ready = try await api.send(.get, "/readyz", as: nil)
                    #expect(ready.status == 200 && ready.json["checks"]?["replica"] == .string("unreachable"), "\(ready.text)")
                    api.expectOK(try await api.originate())
                    let metrics = try await api.send(.get, "/metrics", as: "auditor")
                    #expect(metrics.text.contains("pledger_replica_up 0"))
                }
            }
        }
    }

    /// An API on `primary` with `replica` as its read replica (the harness's database set-up).
    static func harness(
        primary: EventStore, url: DatabaseURL, replica: EventStore, wait: Duration = .seconds(1),
        _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        try await APIHarness.run(on: primary, url: url, configure: { $0.replicaWait = wait }, replica: replica, body)
    }
}
