import HTTPTypes
import Hummingbird
import Metrics
import PledgerStore
import Synchronization

/// What a read needs the database it reads from to hold for `min_position`: the read models
/// (the projector's checkpoint), or only the log (its head: history, the feed, past views).
enum ReadNeeds: Sendable {
    case readModels, log
}

/// Which database answered a read, in `Pledger-Read-Source` (sent only when a replica is set).
enum ReadSource: String, Sendable {
    case replica, primary
}

/// The replica reads go to, and whether to try it at all: after a failure there (the standby
/// stopped, a connection lost, a query cancelled by replay) reads go to the primary for a few
/// seconds, so a dead standby costs one failed attempt, not one per request.
final class ReplicaRouting: Sendable {
    let reads: LedgerReads
    /// How long a read with `min_position` waits for the replica before it asks the primary.
    let wait: Duration
    static let pause: Duration = .seconds(3)
    private let avoidUntil = Mutex<ContinuousClock.Instant?>(nil)
    /// `pledger_replica_failures_total`: what an operator alerts on when the replica goes away
    /// between scrapes of `pledger_replica_up`. Made at the start, so it is exported at 0.
    private let failures = Counter(label: "pledger_replica_failures_total")

    init(reads: LedgerReads, wait: Duration) {
        self.reads = reads
        self.wait = wait
    }

    var isAvoided: Bool { avoidUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false } }

    func failed() {
        avoidUntil.withLock { $0 = .now + Self.pause }
        failures.increment()
    }

    /// Whether the replica has reached `wanted` (for what the read needs) within `limit`; false
    /// when it is behind at the deadline or cannot be reached.
    func reached(_ wanted: Int64?, _ needs: ReadNeeds, within limit: Duration, exists: () async throws -> Void) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        var checked = false
        // A replica that answered once during this wait is up: a later poll that times out on
        // a loaded machine means behind, not down.
        var answered = false
        while true {
            let positions: (head: Int64, checkpoint: Int64)
            do {
                positions = try await Deadline.run(max(deadline - .now, .milliseconds(50)), "replica position") { [reads] _ in
                    try await reads.positions()
                }
            } catch {
                if !answered { failed() }
                return false
            }
            answered = true
            guard let wanted else { return true }
            if (needs == .readModels ? positions.checkpoint : positions.head) >= wanted { return true }
            if !checked {
                // Behind: ask the primary once whether the position exists at all (422 if not).
                try await exists()
                checked = true
            }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Whether the replica answers within 1 s (for `/readyz`); at once false while reads avoid
    /// it after a failure, so a health check with a short timeout is not held up by it.
    func isReachable() async -> Bool {
        if isAvoided { return false }
        let answered = (try? await Deadline.run(.seconds(1), "replica") { [reads] _ in try await reads.positions() }) != nil
        if !answered { failed() }
        return answered
    }

    /// Samples the replica's lag for `/metrics`: `pledger_replica_up`, `pledger_replica_lag_events`,
    /// `pledger_replica_lag_seconds` (left as they were while the replica cannot be reached).
    func sampleLag(primary: EventStore) async {
        do {
            let lag = try await Deadline.run(.seconds(2), "replica lag") { [reads] _ in
                try await ReplicaLag.measure(primary: primary, replica: reads.store)
            }
            Gauge(label: "pledger_replica_up").record(1)
            Gauge(label: "pledger_replica_lag_events").record(lag.events)
            Gauge(label: "pledger_replica_lag_seconds").record(lag.seconds)
        } catch {
            Gauge(label: "pledger_replica_up").record(0)
        }
    }
}

extension API {
    /// Runs a read where it should go. Without a replica: on the primary, exactly as before
    /// (read-your-writes waits for the projector, else 503). With one: on the replica, unless
    /// it is down or, for a read carrying `min_position`, has not reached that position within
    /// `replica.wait` — then on the primary, with the primary's read-your-writes. A read the
    /// replica fails on the database's account (not the request's) is answered by the primary.
    /// The answer says which in `Pledger-Read-Source`.
    func read(_ request: Request, needs: ReadNeeds = .readModels, _ body: (LedgerReads) async throws -> Response) async throws -> Response {
        let wanted = try minPosition(request)
        if let replica, !replica.isAvoided,
            try await replica.reached(wanted, needs, within: replica.wait, exists: { try await checkExists(wanted ?? 0) })
        {
            do {
                var response = try await body(replica.reads)
                response.headers[.pledgerReadSource] = ReadSource.replica.rawValue
                return response
            } catch let error where !(error is Problem) && StoreError.isTransient(StoreError.wrap(error)) {
                replica.failed()
                ledger.log.logger.warning(
                    "replica read failed; answering from the primary", metadata: ["error": "\(StoreError.wrap(error))"])
            }
        }
        try await awaitOnPrimary(wanted, needs)
        var response = try await body(ledger.reads)
        if replica != nil { response.headers[.pledgerReadSource] = ReadSource.primary.rawValue }
        return response
    }
}

extension HTTPField.Name {
    static let pledgerReadSource = HTTPField.Name("Pledger-Read-Source")!
}
