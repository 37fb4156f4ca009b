import Foundation
import Logging
import PledgerDomain
import PostgresNIO
import ServiceLifecycle

/// The checkpoints the server signed, kept in the database so every API node publishes the
/// same list. Signing needs the private key, which the server holds and the database never
/// sees; verifying needs only the checkpoint (it names its public key).
public struct SignedCheckpoints: Sendable {
    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    /// Signs the current head and keeps it; returns the published JSON.
    @discardableResult
    public func sign(privateKey: Data) async throws -> String {
        let head = try await store.head()
        let body = try Checkpoint(position: head.position, hash: head.hash, signedAt: .now()).signed(privateKey: privateKey)
        try await store.withConnection(#function) { connection in
            try await connection.query(
                "INSERT INTO signed_checkpoints (position, body) VALUES (\(head.position), \(body))", logger: store.logger)
        }
        return body
    }

    /// The newest first, at most `limit` (none on a database migrated before they were kept).
    public func list(limit: Int = 100) async throws -> [String] {
        try await store.withConnection(#function) { connection in
            let table = try await connection.query("SELECT to_regclass('signed_checkpoints') IS NOT NULL", logger: store.logger)
            for try await exists in table.decode(Bool.self) where !exists { return [] }
            let rows = try await connection.query(
                "SELECT body FROM signed_checkpoints ORDER BY position DESC, signed_at DESC LIMIT \(Int64(limit))", logger: store.logger)
            var bodies: [String] = []
            for try await body in rows.decode(String.self) { bodies.append(body) }
            return bodies
        }
    }

    /// The service that keeps signing with `privateKey` every `interval` the log has grown.
    public func service(privateKey: Data, interval: Duration, logger: Logger) -> CheckpointService {
        CheckpointService(checkpoints: self, privateKey: privateKey, interval: interval, logger: logger)
    }

    /// The position of the newest checkpoint, if any.
    public func latestPosition() async throws -> Int64? {
        try await list(limit: 1).first.flatMap { try? Checkpoint.verify(json: $0).0.position }
    }
}

/// Signs the head on a schedule (and at start) whenever the log has grown since the last
/// checkpoint, so that keeping checkpoints needs nobody to remember to.
public struct CheckpointService: Service {
    let checkpoints: SignedCheckpoints
    let privateKey: Data
    let interval: Duration
    let logger: Logger

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        let head = try await checkpoints.store.head()
                        if try await checkpoints.latestPosition().map({ $0 < head.position }) ?? true {
                            try await checkpoints.sign(privateKey: privateKey)
                            logger.notice("signed a checkpoint of the ledger head", metadata: ["position": "\(head.position)"])
                        }
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error(
                            "could not sign a checkpoint; trying again in 1 minute", metadata: ["error": "\(StoreError.wrap(error))"])
                        try await Task.sleep(for: .seconds(60))
                        continue
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {}
    }
}
