import Logging
import PostgresNIO

/// Runs a Postgres client and an event store for the duration of `body`, then shuts them
/// down in reverse order: the group-commit writer flushes what is queued before the
/// client stops. For commands and tests; the server uses a service group instead.
public enum LedgerRuntime {
    public static func with<Result: Sendable>(
        _ url: DatabaseURL,
        maxConnections: Int = 8,
        limits: DatabaseURL.SessionLimits = .none,
        operationTimeout: Duration = .seconds(60),
        logger: Logger,
        _ body: (EventStore) async throws -> Result
    ) async throws -> Result {
        let client = url.makeClient(maxConnections: maxConnections, limits: limits, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let store = EventStore(client: client, logger: logger, operationTimeout: operationTimeout)
            async let writer: Void = store.run()
            do {
                let result = try await body(store)
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
}
