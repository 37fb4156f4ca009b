import Logging
import PostgresNIO
import Synchronization

/// The group-commit writer's connection: its own, outside the pool.
///
/// Leasing a pooled connection for every commit cost a single-client append a third of its
/// time: the pool arms a connection's idle timer when it is released and disarms it when it
/// is leased, and each wakes an event loop's thread. Only one commit runs at a time
/// (`PendingQueue.committing`), so one connection is all the writer needs. It is opened on
/// the first commit, with the pool's session limits; after any failure on it, it is closed
/// and the next commit opens another, so a connection in an unknown state is never used
/// again. One left idle for `maxIdle` is replaced too, as the pool retires its idle ones: a
/// connection a firewall or a failover dropped silently while the ledger was quiet would
/// otherwise hold the next commit until its deadline, with its outcome unknown.
final class WriterConnection: Sendable {
    private let url: DatabaseURL
    private let limits: DatabaseURL.SessionLimits
    private let logger: Logger
    let maxIdle: Duration

    private struct State {
        var connection: PostgresConnection?
        var lastUsed = ContinuousClock.now
        var opened = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(url: DatabaseURL, limits: DatabaseURL.SessionLimits, maxIdle: Duration = .seconds(30), logger: Logger) {
        self.url = url
        self.limits = limits
        self.maxIdle = maxIdle
        self.logger = logger
    }

    /// How many connections have been opened (one, unless failures replaced it).
    var opened: Int { state.withLock { $0.opened } }

    /// The open connection, or a new one.
    func connection() async throws -> PostgresConnection {
        let now = ContinuousClock.now
        let (current, retired, id) = try state.withLock { state -> (PostgresConnection?, PostgresConnection?, Int) in
            if state.closed { throw StoreError.shutDown }
            defer { state.lastUsed = now }
            if let connection = state.connection, !connection.isClosed, now - state.lastUsed < maxIdle {
                return (connection, nil, 0)
            }
            defer { state.connection = nil }
            state.opened += 1
            return (nil, state.connection, state.opened)
        }
        if let retired { Self.close(retired) }
        if let current { return current }
        let opened = try await url.connect(limits: limits, id: -id, logger: logger)
        // A commit abandoned at its deadline may finish opening after the next one did, or
        // after `close`: only the first connection is kept.
        let kept = state.withLock { state -> PostgresConnection? in
            if state.closed { return nil }
            if let connection = state.connection { return connection }
            state.connection = opened
            return opened
        }
        if kept !== opened { Self.close(opened) }
        guard let kept else { throw StoreError.shutDown }
        return kept
    }

    /// Closes `connection`; the writer forgets it if it is still its connection.
    func discard(_ connection: PostgresConnection) {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
        Self.close(connection)
    }

    /// Closes without waiting, holding the connection until it is closed (the driver insists).
    private static func close(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Closes the connection for good (after the writer's last commit).
    func close() async {
        let connection = state.withLock { state -> PostgresConnection? in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        try? await connection?.close()
    }
}
