import Foundation
import Logging
import PledgerStore
import PostgresNIO

/// Real PostgreSQL for tests (never a mock). The first call in a test process makes sure
/// the project-local cluster runs (`deploy/local/pg start`), migrates a template database
/// once, and then every test gets its own copy (`CREATE DATABASE … TEMPLATE`, fast),
/// dropped when the test ends.
///
/// Set `PLEDGER_TEST_DATABASE_URL` to use another server; only a local one is accepted,
/// because tests create and drop databases.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "pledger.tests")
        logger.logLevel = .warning
        return logger
    }()

    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh migrated database for the duration of `body`.
    @discardableResult
    public static func withDatabase<Result: Sendable>(_ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        let server = try await Template.shared.prepare()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try await creating.run {
            try await admin(server) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(Template.name)"), logger: logger)
            }
        }
        do {
            let result = try await body(server.with(database: String(name)))
            try await drop(String(name), server: server)
            return result
        } catch {
            try? await drop(String(name), server: server)
            throw error
        }
    }

    /// A fresh migrated database with a running event store.
    @discardableResult
    public static func withLedger<Result: Sendable>(
        maxConnections: Int = 4, limits: DatabaseURL.SessionLimits = .none, operationTimeout: Duration = .seconds(60),
        _ body: (EventStore, DatabaseURL) async throws -> Result
    ) async throws -> Result {
        try await withDatabase { url in
            try await LedgerRuntime.with(
                url, maxConnections: maxConnections, limits: limits, operationTimeout: operationTimeout, logger: logger
            ) { ledger in
                try await body(ledger.log, url)
            }
        }
    }

    /// Runs SQL as the cluster superuser on a test database (for tampering and role checks).
    @discardableResult
    public static func asSuperuser<Result: Sendable>(_ url: DatabaseURL, _ body: (PostgresConnection) async throws -> Result) async throws
        -> Result
    {
        try await admin(url, body)
    }

    static func drop(_ name: String, server: DatabaseURL) async throws {
        try await creating.run {
            try await admin(server) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
        }
    }

    /// Copying the template writes its every page to the WAL. The whole suite released at once
    /// when the template is ready (about a hundred tests) once kept new connections waiting
    /// past their 10 s connect timeout, failing a dozen tests together; a few at a time, they
    /// queue here instead.
    private static let creating = ReportGate(capacity: 4)

    @discardableResult
    static func admin<Result: Sendable>(_ url: DatabaseURL, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await connect(url)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw StoreError.wrap(error)
        }
    }

    /// A connection as the superuser. A connect that fails on a busy machine (the whole suite
    /// starting at once on two cores) is tried again, up to four times, a second apart.
    private static func connect(_ url: DatabaseURL, tries: Int = 4) async throws -> PostgresConnection {
        var attempt = 1
        while true {
            do {
                return try await url.connect(id: 1, logger: logger)
            } catch  where attempt < tries && StoreError.isTransient(error) {
                attempt += 1
                try await Task.sleep(for: .seconds(1))
            } catch {
                throw StoreError.wrap(error)
            }
        }
    }

    /// Builds the template once per process.
    actor Template {
        static let shared = Template()
        static let name = "pledger_test_template"
        private var building: Task<DatabaseURL, any Error>?

        /// Single flight: concurrent tests wait for the one build.
        func prepare() async throws -> DatabaseURL {
            if let building { return try await building.value }
            let task = Task { try await Self.build() }
            building = task
            return try await task.value
        }

        private static func build() async throws -> DatabaseURL {
            let server = try await TestDatabase.server()
            try await TestDatabase.drop(Self.name, server: server)
            try await admin(server) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(Self.name)"), logger: logger)
            }
            let migrator = try Migrator(directory: repositoryRoot.appendingPathComponent("sql"))
            let client = server.with(database: Self.name).makeClient(maxConnections: 1, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                try await migrator.migrate(client: client, logger: logger)
                group.cancelAll()
            }
            return server
        }
    }

    /// The server to use: `PLEDGER_TEST_DATABASE_URL`, else the project-local cluster,
    /// started if it is not running.
    static func server() async throws -> DatabaseURL {
        let environment = ProcessInfo.processInfo.environment
        let port = environment["PLEDGER_PGPORT"] ?? "54329"
        let url = try DatabaseURL(environment["PLEDGER_TEST_DATABASE_URL"] ?? "postgres://pledger@127.0.0.1:\(port)/postgres")
        guard url.isLocal else {
            throw StoreError.configuration("tests create and drop databases; refusing non-local server \(url)")
        }
        if let probe = try? await connect(url, tries: 1) {
            try? await probe.close()
            return url
        }
        guard environment["PLEDGER_TEST_DATABASE_URL"] == nil else {
            throw StoreError.configuration("cannot connect to PLEDGER_TEST_DATABASE_URL \(url)")
        }
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent("deploy/local/pg")
        process.arguments = ["start"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StoreError.configuration("deploy/local/pg start failed (exit \(process.terminationStatus))")
        }
        return url
    }
}
