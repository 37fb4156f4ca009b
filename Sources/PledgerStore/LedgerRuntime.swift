import Logging
import PostgresNIO
import ServiceLifecycle

/// Runs a Postgres client and a ledger for the duration of `body`, then shuts them down in
/// reverse order: the group-commit writer flushes what is queued before the client stops.
/// For commands and tests; the server runs the same parts as services (`LedgerServices`).
public enum LedgerRuntime {
    public static func with<Result: Sendable>(
        _ url: DatabaseURL,
        maxConnections: Int = 8,
        limits: DatabaseURL.SessionLimits = .none,
        operationTimeout: Duration = .seconds(60),
        logger: Logger,
        _ body: (Ledger) async throws -> Result
    ) async throws -> Result {
        let client = url.makeClient(maxConnections: maxConnections, limits: limits, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let store = EventStore(url: url, client: client, logger: logger, operationTimeout: operationTimeout, limits: limits)
            async let writer: Void = store.run()
            do {
                let result = try await body(Ledger(log: store))
                store.finish()
                await writer
                return result
            } catch {
                store.finish()
                await writer
                throw StoreError.wrap(error)
            }
        }
    }

    /// Runs a ledger's client and writer, plus the services `more` adds (the projector),
    /// until SIGTERM or SIGINT; then shuts them down in reverse order — the projector stops
    /// (a batch in flight rolls back whole, its checkpoint with it), the writer writes its
    /// queue, the client closes — within `gracePeriod`, and the process ends 2 s after that
    /// at the latest, even with the database frozen.
    public static func runUntilSignalled(
        _ url: DatabaseURL, maxConnections: Int = 4, gracePeriod: Duration = .seconds(6), logger: Logger,
        _ more: (Ledger) -> [any Service]
    ) async throws {
        let client = url.makeClient(maxConnections: maxConnections, limits: .none, logger: logger)
        let ledger = Ledger(log: EventStore(url: url, client: client, logger: logger))
        let services: [any Service] = [client, EventStoreService(store: ledger.log)] + more(ledger)
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        configuration.maximumCancellationDuration = nil
        let watchdog = ShutdownWatchdog(gracePeriod: gracePeriod, exitAfter: gracePeriod + .seconds(2), logger: logger)
        defer { watchdog.stopped() }
        try await ServiceGroup(configuration: configuration).run()
    }
}
