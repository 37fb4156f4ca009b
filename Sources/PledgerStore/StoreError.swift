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
    /// The database did not answer within the deadline (a lock held too long, a dropped
    /// connection). Nothing is known to be written; retry later with the same idempotency key.
    case timedOut(String)
    /// The database cannot be reached or is restarting; try again later.
    case unavailable(String)

    public var description: String {
        switch self {
        case .shutDown: "the event store is shutting down; the append was not written"
        case .notMigrated: "the database has no Pledger schema; run `pledger db migrate` first"
        case .corrupt(let detail): "stored data is damaged: \(detail)"
        case .database(let message, let state): "database error\(state.map { " [\($0)]" } ?? ""): \(message)"
        case .configuration(let detail): detail
        case .commitOutcomeUnknown:
            "the connection failed while committing; the append may or may not have been written — retry with the same idempotency key"
        case .timedOut(let what): "the database did not answer in time (\(what))"
        case .unavailable(let reason): "the database is unavailable: \(reason)"
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
            if state == nil, isTransient(psql) { return StoreError.unavailable("the connection to the database was lost (\(psql.code))") }
            if state == "42P01" { return StoreError.notMigrated }
            return StoreError.database(message: message, sqlState: state)
        }
        return error
    }

    /// Whether the failure is the database's condition rather than the request's: a dropped
    /// or refused connection, a restart, a lock or statement timeout, a serialization
    /// failure, the pool shutting down. The same request may well succeed a moment later,
    /// so HTTP answers 503 with Retry-After, never 500.
    public static func isTransient(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError { return isTransient(inner) }
            if let inner = transaction.commitError ?? transaction.beginError { return isTransient(inner) }
            return false
        }
        switch error {
        case StoreError.timedOut, StoreError.unavailable, StoreError.commitOutcomeUnknown, StoreError.shutDown:
            return true
        case StoreError.database(_, let state):
            return state.map(isTransient(sqlState:)) ?? false
        default:
            break
        }
        guard let psql = error as? PSQLError else {
            // The pool's and NIO's own connection failures (refused, reset, pool shut down).
            let type = String(reflecting: Swift.type(of: error))
            return ["ConnectionPoolError", "ChannelError", "IOError", "NIOConnectionError"].contains { type.contains($0) }
        }
        if let state = psql.serverInfo?[.sqlState] { return isTransient(sqlState: state) }
        return [.clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown, .poolClosed, .queryCancelled]
            .contains(psql.code)
    }

    /// SQLSTATE classes that mean "try again later": connection exceptions (08), operator
    /// intervention such as admin shutdown or a server starting (57), insufficient resources
    /// (53), lock not available (55P03), serialization failure and deadlock (40).
    static func isTransient(sqlState state: String) -> Bool {
        ["08", "57", "53", "40"].contains(String(state.prefix(2))) || state == "55P03"
    }

    /// SQLSTATE of a driver error, if it is one.
    public static func sqlState(of error: any Error) -> String? {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError { return sqlState(of: inner) }
        if case .database(_, let state) = error as? StoreError { return state }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
