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
            let store = EventStore(client: client, logger: logger, operationTimeout: operationTimeout)
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
    /// until SIGTERM or SIGINT; then shuts them down in reverse order, each finishing what it
    /// has in hand — the projector its batch, the writer its queue — before the client stops.
    public static func runUntilSignalled(
        _ url: DatabaseURL, maxConnections: Int = 4, logger: Logger, _ more: (Ledger) -> [any Service]
    ) async throws {
        let client = url.makeClient(maxConnections: maxConnections, limits: .none, logger: logger)
        let ledger = Ledger(log: EventStore(client: client, logger: logger))
        let services: [any Service] = [client, EventStoreService(store: ledger.log)] + more(ledger)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
