import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PledgerDomain
import PledgerStore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Settings of `pledger serve`, as a plain struct that tests build directly.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var database: DatabaseURL
    /// A hot standby of `database` for the reads no write depends on — read-model lists,
    /// reports, history and the event feed (`--read-database-url`); nil: everything on `database`.
    public var readDatabase: DatabaseURL?
    /// How long a read carrying `min_position` waits for the standby to reach it before the
    /// primary answers it instead.
    public var replicaWait: Duration = .seconds(1)
    /// Run the projector in this process (default); turn off when it runs on its own.
    public var runProjector = true
    /// The `sql/` folder, so `/readyz` can tell whether migrations are current.
    public var sqlDirectory: URL?
    /// `/readyz` fails when the read models lag the log by more events than this.
    public var maxProjectorLag: Int64 = 10_000
    public var maxConnections = 16
    /// How long a write waits for a lock (the ledger head held by someone else) before it is
    /// answered with 503 and Retry-After.
    public var lockTimeout: Duration = .seconds(5)
    /// The longest any one database operation may take before the request gets 503 (its
    /// connection is then closed, so a dropped connection cannot hang a request).
    public var databaseTimeout: Duration = .seconds(10)
    /// The longest a report may take, reading and folding, before it is abandoned with 503.
    public var reportTimeout: Duration = .seconds(30)
    /// After SIGTERM/SIGINT: how long in-flight requests may finish (a write waiting for a
    /// lock gives up after `lockTimeout`) before they are cancelled; the process exits at
    /// the latest 2 s after that, so within 8 s of the signal.
    public var shutdownGracePeriod: Duration = .seconds(6)
    /// The Ed25519 key (`pledger checkpoint keygen`) the server signs checkpoints of the head
    /// with — at start, every `checkpointInterval` while the log grows, and on request. Without
    /// it nothing is signed, and only receipts banks kept can show a rewritten history.
    public var checkpointKey: Data?
    public var checkpointInterval: Duration = .seconds(24 * 3600)

    public init(database: DatabaseURL) { self.database = database }
}

/// The one place the HTTP application is assembled, for `pledger serve` and for tests.
public enum PledgerServer {
    /// The router with every route, behind problem+json, metrics and (for `/v1`) auth.
    public static func router(ledger: Ledger, configuration: ServerConfiguration) -> Router<PledgerRequestContext> {
        LedgerMetrics.bootstrap()
        let api = API(
            ledger: ledger, reportTimeout: configuration.reportTimeout, checkpointKey: configuration.checkpointKey,
            replicaWait: configuration.replicaWait)
        let router = Router(context: PledgerRequestContext.self)
        // Outermost: every answer, even a 404, carries its request id and is logged once.
        router.add(middleware: RequestIDMiddleware())
        // Outside ProblemMiddleware, so it counts the answer ProblemMiddleware made of any error.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(document: OperationsController.openAPIDocument))
        OperationsController(api: api, configuration: configuration).addRoutes(to: router)
        let v1 = router.group("v1")
        if ledger.replica == nil { v1.add(middleware: ReportStampMiddleware(reports: ledger.reads.reports)) }
        v1.add(middleware: AuthMiddleware(tokens: ledger.tokens))
        FundsController(api: api).addRoutes(to: v1)
        SchemesController(api: api).addRoutes(to: v1)
        PartiesController(api: api).addRoutes(to: v1)
        LoansController(api: api).addRoutes(to: v1)
        InsuranceController(api: api).addRoutes(to: v1)
        SubsidiesController(api: api).addRoutes(to: v1)
        BulkReportsController(api: api).addRoutes(to: v1)
        ReportsController(api: api).addRoutes(to: v1)
        LedgerController(api: api).addRoutes(to: v1)
        return router
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully: in-flight requests finish,
    /// the group-commit writer flushes, the projector stops after its batch, the pool closes.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        LedgerMetrics.bootstrap()
        let limits = DatabaseURL.SessionLimits(
            lockTimeout: configuration.lockTimeout, statementTimeout: configuration.reportTimeout,
            idleInTransactionTimeout: configuration.reportTimeout)
        let client = configuration.database.makeClient(maxConnections: configuration.maxConnections, limits: limits, logger: logger)
        // The standby's client only reads: no writer runs on it, so nothing is ever sent there to write.
        let replica = configuration.readDatabase.map {
            (url: $0, client: $0.makeClient(maxConnections: configuration.maxConnections, limits: limits, logger: logger))
        }
        let ledger = Ledger(
            log: EventStore(
                url: configuration.database, client: client, logger: logger, operationTimeout: configuration.databaseTimeout,
                limits: limits),
            replica: replica.map {
                EventStore(url: $0.url, client: $0.client, logger: logger, operationTimeout: configuration.databaseTimeout)
            })
        var services: [any Service] = [client, EventStoreService(store: ledger.log)]
        if let replica { services.append(replica.client) }
        if configuration.runProjector { services.append(ProjectorService(projector: ledger.projector, logger: logger)) }
        if let key = configuration.checkpointKey {
            services.append(ledger.checkpoints.service(privateKey: key, interval: configuration.checkpointInterval, logger: logger))
        } else {
            logger.warning(
                "no checkpoint key (--checkpoint-key, PLEDGER_CHECKPOINT_KEY): this server signs no checkpoints of the ledger head")
        }
        let app = Application(
            router: router(ledger: ledger, configuration: configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pledger"),
            services: services,
            logger: logger)
        var group = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        // No cancellation limit here: the group's own would end in fatalError, and the crash
        // report it prints can take longer than the whole budget. The watchdog ends it instead.
        group.maximumCancellationDuration = nil
        let watchdog = ShutdownWatchdog(
            gracePeriod: configuration.shutdownGracePeriod, exitAfter: configuration.shutdownGracePeriod + .seconds(2), logger: logger)
        defer { watchdog.stopped() }
        try await ServiceGroup(configuration: group).run()
    }
}
