import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PledgerDomain
import PledgerStore
import PostgresNIO
import ServiceLifecycle

/// Settings of `pledger serve`, as a plain struct that tests build directly.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var database: DatabaseURL
    /// Run the projector in this process (default); turn off when it runs on its own.
    public var runProjector = true
    public var logLevel: Logger.Level = .info
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
    /// lock gives up after `lockTimeout`) before they are cancelled and answered 503; the
    /// process exits at the latest 2 s after that, so within 10 s of the signal.
    public var shutdownGracePeriod: Duration = .seconds(7)

    public init(database: DatabaseURL) { self.database = database }
}

/// The one place the HTTP application is assembled, for `pledger serve` and for tests.
public enum PledgerServer {
    /// The router with every route, behind problem+json, metrics and (for `/v1`) auth.
    public static func router(store: EventStore, configuration: ServerConfiguration, metrics: Metrics = Metrics()) -> Router<PledgerRequestContext> {
        let api = API(store: store, metrics: metrics, reportTimeout: configuration.reportTimeout)
        let router = Router(context: PledgerRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: MethodNotAllowedMiddleware(document: OperationsController.openAPIDocument))
        OperationsController(api: api, configuration: configuration).addRoutes(to: router)
        let v1 = router.group("v1").add(middleware: AuthMiddleware(tokens: TokenStore(store: store)))
        FundsController(api: api).addRoutes(to: v1)
        PartiesController(api: api).addRoutes(to: v1)
        LoansController(api: api).addRoutes(to: v1)
        BulkReportsController(api: api).addRoutes(to: v1)
        ReportsController(api: api).addRoutes(to: v1)
        LedgerController(api: api).addRoutes(to: v1)
        return router
    }

    /// Serves until SIGINT/SIGTERM, then shuts down gracefully: in-flight requests finish,
    /// the group-commit writer flushes, the projector stops after its batch, the pool closes.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let limits = DatabaseURL.SessionLimits(
            lockTimeout: configuration.lockTimeout, statementTimeout: configuration.reportTimeout,
            idleInTransactionTimeout: configuration.reportTimeout)
        let client = configuration.database.makeClient(maxConnections: configuration.maxConnections, limits: limits, logger: logger)
        let store = EventStore(client: client, logger: logger, operationTimeout: configuration.databaseTimeout)
        var services: [any Service] = [client, EventStoreService(store: store)]
        if configuration.runProjector { services.append(ProjectorService(projector: Projector(store: store), logger: logger)) }
        let app = Application(
            router: router(store: store, configuration: configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pledger"),
            services: services,
            logger: logger)
        var group = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(2)
        let watchdog = ShutdownWatchdog(after: configuration.shutdownGracePeriod + .milliseconds(2500), logger: logger)
        defer { watchdog.cancel() }
        try await ServiceGroup(configuration: group).run()
    }
}

/// The group-commit writer as a service: on graceful shutdown it writes what is queued.
struct EventStoreService: Service {
    let store: EventStore

    func run() async throws {
        await withGracefulShutdownHandler {
            await store.run()
        } onGracefulShutdown: {
            store.finish()
        }
    }
}

/// The projector as a service, restarted after a failure (e.g. the database restarting).
struct ProjectorService: Service {
    let projector: Projector
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await projector.run()
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.error("projector stopped; restarting in 1 s", metadata: ["error": "\(StoreError.wrap(error))"])
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}

/// The last resort of a bounded shutdown: after SIGTERM or SIGINT, if the process is still
/// there when the grace period and the cancellation have had their time, it exits. It runs
/// on Dispatch, not on the cooperative pool, so busy tasks cannot hold it up. Everything
/// acknowledged is already committed; what was in flight is retried by clients with their
/// idempotency keys.
final class ShutdownWatchdog {
    private let sources: [any DispatchSourceSignal]

    init(after limit: Duration, logger: Logger) {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        sources = [SIGTERM, SIGINT].map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                    logger.error("shutdown did not finish in \(limit); exiting")
                    exit(1)
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() { for source in sources { source.cancel() } }
}
