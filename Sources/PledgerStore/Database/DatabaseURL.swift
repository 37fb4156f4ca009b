import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where the database is: parsed from a `postgres://user:password@host:port/database?sslmode=…`
/// URL (the `DATABASE_URL` convention). A `host` query item naming a folder selects a Unix socket.
/// `sslmode` and `sslrootcert` mean what they mean to libpq, so an operator's URL behaves as
/// it does in psql.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var socketPath: String?
    public var sslMode: SSLMode
    /// The CA certificates (PEM) that verify the server's; without it, the system's.
    public var sslRootCert: String?

    /// libpq's modes: `require` encrypts without checking who answers (unless a root
    /// certificate is given, when it verifies the chain like `verify-ca`, as libpq does);
    /// `verify-ca` checks the certificate chain; `verify-full` also the host name.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw StoreError.configuration("DATABASE_URL must look like postgres://user@host:port/database (got \(Self.redacted(text)))")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : (path.removingPercentEncoding ?? path)
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let mode = query["sslmode"] ?? "disable"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw StoreError.configuration(
                "sslmode \(mode) is not supported; use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.sslMode = sslMode
        sslRootCert = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        if let sslRootCert, !FileManager.default.isReadableFile(atPath: sslRootCert) {
            throw StoreError.configuration("sslrootcert \(sslRootCert) cannot be read")
        }
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            socketPath = "\(socketFolder)/.s.PGSQL.\(port)"
        }
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// Never prints the password.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    public var isLocal: Bool { socketPath != nil || ["127.0.0.1", "localhost", "::1"].contains(host) }

    /// Server-side limits set on every session of a client (as startup parameters, so they
    /// cost no round trip). A server must not let one stuck transaction — a DBA's open
    /// psql, a hung job — hold every write forever: a lock wait ends after `lockTimeout`
    /// with SQLSTATE 55P03, which the API answers with 503 and Retry-After.
    public struct SessionLimits: Sendable, Hashable {
        public var lockTimeout: Duration?
        public var statementTimeout: Duration?
        public var idleInTransactionTimeout: Duration?

        public init(lockTimeout: Duration? = nil, statementTimeout: Duration? = nil, idleInTransactionTimeout: Duration? = nil) {
            self.lockTimeout = lockTimeout
            self.statementTimeout = statementTimeout
            self.idleInTransactionTimeout = idleInTransactionTimeout
        }

        /// No limits: batch commands (rebuild, import, demo) may legitimately run long.
        public static let none = SessionLimits()

        /// A limit as PostgreSQL's settings take it: whole milliseconds, at least 1.
        static func milliseconds(_ duration: Duration) -> String {
            String(max(1, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000))
        }

        var startupParameters: [(String, String)] {
            var parameters: [(String, String)] = []
            if let lockTimeout { parameters.append(("lock_timeout", Self.milliseconds(lockTimeout))) }
            if let statementTimeout { parameters.append(("statement_timeout", Self.milliseconds(statementTimeout))) }
            if let idleInTransactionTimeout {
                parameters.append(("idle_in_transaction_session_timeout", Self.milliseconds(idleInTransactionTimeout)))
            }
            return parameters
        }
    }

    public func clientConfiguration(maxConnections: Int = 8, limits: SessionLimits = .none) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS =
                switch tls {
                case nil: .disable
                case (let required, let configuration)?: required ? .require(configuration) : .prefer(configuration)
                }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 0
        configuration.options.additionalStartupParameters = limits.startupParameters
        return configuration
    }

    /// TLS as the mode asks — whether it is required, and what is verified, against
    /// `sslRootCert` or the system's roots; nil for `disable`.
    var tls: (required: Bool, configuration: TLSConfiguration)? {
        let verification: CertificateVerification
        switch sslMode {
        case .disable: return nil
        case .prefer: verification = .none
        case .require: verification = sslRootCert == nil ? .none : .noHostnameVerification
        case .verifyCA: verification = .noHostnameVerification
        case .verifyFull: verification = .fullVerification
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verification
        if let sslRootCert { configuration.trustRoots = .file(sslRootCert) }
        return (sslMode != .prefer, configuration)
    }

    /// Opens one connection and closes it, so that a refused TLS handshake, a wrong password
    /// or an unknown database is reported at once and with its reason: a pool would retry
    /// until its deadline and then say only that the database did not answer.
    public func probe(logger: Logger) async throws {
        let connection = try await connect(id: 0, logger: logger)
        try await connection.close()
    }

    /// One connection of its own, outside any pool, with `limits` (the group-commit writer's;
    /// `probe`'s). A refused TLS handshake is reported with what to check.
    public func connect(limits: SessionLimits = .none, id: Int, logger: Logger) async throws -> PostgresConnection {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS =
                switch self.tls {
                case nil: .disable
                case (let required, let tls)?:
                    required ? .require(try NIOSSLContext(configuration: tls)) : .prefer(try NIOSSLContext(configuration: tls))
                }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = limits.startupParameters
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        } catch let error as PSQLError where error.underlying is NIOSSLError || error.underlying is NIOSSLExtraError {
            throw StoreError.configuration(
                "TLS to \(host):\(port) failed with sslmode=\(sslMode.rawValue): \(error.underlying.map { "\($0)" } ?? "\(error)"); "
                    + "check the server's certificate against sslrootcert\(sslMode == .verifyFull ? ", and that it names \(host)" : "")")
        }
    }

    /// A client whose background log stays quiet below `error` unless debugging (postgres-nio
    /// warns about leases requested in the instant before `run()` starts, which is harmless).
    public func makeClient(maxConnections: Int = 8, limits: SessionLimits = .none, logger: Logger) -> PostgresClient {
        var background = logger
        if background.logLevel > .debug { background.logLevel = .error }
        return PostgresClient(
            configuration: clientConfiguration(maxConnections: maxConnections, limits: limits), backgroundLogger: background)
    }

    /// Reads `DATABASE_URL`, or the embedded cluster's default (deploy/local/pg, on
    /// `PLEDGER_PGPORT` or 54329).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseURL {
        try DatabaseURL(environment["DATABASE_URL"] ?? "postgres://pledger@127.0.0.1:\(environment["PLEDGER_PGPORT"] ?? "54329")/pledger")
    }

    /// Everything between `://` and the last `@` of the authority goes (user and password:
    /// a password may hold `/` or `:` when it was not percent-encoded).
    static func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?<=://).*@"#, with: "***@", options: .regularExpression)
    }
}
