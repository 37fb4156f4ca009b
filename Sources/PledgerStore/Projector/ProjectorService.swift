import Logging
import ServiceLifecycle

/// The projector as a service, restarted after a failure (e.g. the database restarting).
/// On shutdown it is cancelled: a batch in flight rolls back whole, its checkpoint with it.
public struct ProjectorService: Service {
    public let projector: Projector
    public let logger: Logger

    public init(projector: Projector, logger: Logger) {
        self.projector = projector
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await projector.runRestarting { error in
                    logger.error("projector stopped; restarting in 1 s", metadata: ["error": "\(error)"])
                }
            }
        } catch is CancellationError {}
    }
}
