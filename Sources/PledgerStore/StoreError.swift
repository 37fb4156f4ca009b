import PostgresNIO

/// Failures of the storage layer that are not a refused append (`AppendError`).
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case shutDown
    case notMigrated
    case corrupt(String)
    case database(message: String, sqlState: String?)
    case configuration(String)
    /// The database connection failed while committing: the append may or may not be in the
    /// log. Retry with the same idempotency key to find out without writing twice.
    case commitOutcomeUnknown

    public var description: String {
        switch self {
        case .shutDown: "the event store is shutting down; the append was not written"
        case .notMigrated: "the database has no Pledger schema; run `pledger db migrate` first"
        case .corrupt(let detail): "stored data is damaged: \(detail)"
        case .database(let message, let state): "database error\(state.map { " [\($0)]" } ?? ""): \(message)"
        case .configuration(let detail): detail
        case .commitOutcomeUnknown: "the connection failed while committing; the append may or may not have been written — retry with the same idempotency key"
        }
    }

    /// Unwraps transaction errors and turns driver errors into something a person can read
    /// (the server's message, never the SQL text or bound values).
    public static func wrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return wrap(inner) }
            if let inner = transaction.commitError ?? transaction.beginError { return wrap(inner) }
        }
        if let psql = error as? PSQLError {
            let message = psql.serverInfo?[.message] ?? "\(psql.code)"
            let state = psql.serverInfo?[.sqlState]
            if state == "42P01" { return StoreError.notMigrated }
            return StoreError.database(message: message, sqlState: state)
        }
        return error
    }

    /// SQLSTATE of a driver error, if it is one.
    public static func sqlState(of error: any Error) -> String? {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError { return sqlState(of: inner) }
        if case .database(_, let state) = error as? StoreError { return state }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
