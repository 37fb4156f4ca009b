import PostgresNIO
import Synchronization

/// The connections in use, and since when. When one of them finds the server gone (a
/// restart, a terminated backend), the others leased before that moment are most likely
/// dead too — and a query on a dead connection can wait forever (see `Deadline`). Closing
/// them at once fails their callers within moments (503, retry) instead of at the deadline,
/// so the ledger recovers as soon as the database is back.
final class ConnectionWatch: Sendable {
    private struct Lease {
        let since: ContinuousClock.Instant
        let connection: PostgresConnection
    }

    private let leases = Mutex<[UInt64: Lease]>([:])
    /// Numbers the leases (a `UUID` would read the system's random source on every lease).
    private let leaseCount = Atomic<UInt64>(0)

    /// Runs `body` with `connection` registered; if it fails because the connection to the
    /// server was lost, closes every other connection leased before now.
    func watch<Value>(_ connection: PostgresConnection, _ body: () async throws -> Value) async throws -> Value {
        let id = leaseCount.add(1, ordering: .relaxed).newValue
        leases.withLock { $0[id] = Lease(since: .now, connection: connection) }
        defer { leases.withLock { _ = $0.removeValue(forKey: id) } }
        do {
            return try await body()
        } catch {
            if Self.lostConnection(error) { closeAll(leasedBefore: .now, except: id) }
            throw error
        }
    }

    private func closeAll(leasedBefore moment: ContinuousClock.Instant, except id: UInt64) {
        let stale = leases.withLock { leases in leases.filter { $0.key != id && $0.value.since < moment }.map(\.value.connection) }
        for connection in stale { connection.close().whenComplete { _ in } }
    }

    /// The server dropped the session: operator intervention or a shutdown (SQLSTATE 57…,
    /// but not 57014, a cancelled statement), a connection exception (08…), or the socket
    /// closing without a server error.
    static func lostConnection(_ error: any Error) -> Bool {
        if let state = StoreError.sqlState(of: error) {
            return (state.hasPrefix("57") && state != "57014") || state.hasPrefix("08")
        }
        return StoreError.isTransient(error) && !(error is StoreError)
    }
}
