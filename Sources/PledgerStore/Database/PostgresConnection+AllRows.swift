import Logging
import PostgresNIO

extension PostgresConnection {
    /// Every row of a query, taken as the rows arrive on the connection's event loop rather
    /// than on an async consumer's demand. postgres-nio 1.33 traps ("How can we receive a
    /// body part, after a channelReadComplete, but no read has been forwarded yet") when the
    /// server drops a connection while a back-pressured row stream waits for demand — seen
    /// with `pg_terminate_backend` under load. Reads of many rows use this.
    func allRows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        return try await result.get().rows
    }
}
