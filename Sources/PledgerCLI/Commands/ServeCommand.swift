import ArgumentParser
import Foundation
import Logging
import PledgerApplication
import PledgerHTTP
import PledgerStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (and run the projector) until SIGINT or SIGTERM.",
        discussion: """
            Banks, fund administrators and auditors use the API with bearer tokens from `pledger tokens create`. The OpenAPI document is at /openapi.json; health at /healthz and /readyz; Prometheus metrics at /metrics. Settings fall back to PLEDGER_HOST, PLEDGER_PORT, DATABASE_URL, PLEDGER_READ_DATABASE_URL, PLEDGER_LOG_LEVEL and PLEDGER_LOG_FORMAT. Every request has an id (X-Request-Id, taken from the request when sane), in its log entries and its answer.

            With --read-database-url (a hot standby of the database), read-model lists, reports, loan history and the event feed are read there; a read with min_position waits for the standby to reach it (up to 1 s), else the primary answers, and Pledger-Read-Source says which. Writes, tokens and everything a write decides on stay on the primary.

            Example:
              pledger serve --port 8080
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(
        name: .customLong("read-database-url"),
        help: ArgumentHelp(
            "A hot standby of the database to read reports, lists, history and the feed from. Default: $PLEDGER_READ_DATABASE_URL, else none (all on the primary).",
            valueName: "url"))
    var readDatabaseURL: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port (default 8080).") var port: Int?
    @Flag(help: "Do not run the projector here (run `pledger projections follow` elsewhere).") var noProjector = false
    @Option(help: ArgumentHelp("Folder with the NNN_name.sql files (for /readyz).", valueName: "dir")) var sqlDir: String?
    @Option(
        help: ArgumentHelp(
            "Ed25519 key (`pledger checkpoint keygen`) to sign checkpoints of the head with, published at /v1/ledger/checkpoints. Default: $PLEDGER_CHECKPOINT_KEY; without one nothing is signed.",
            valueName: "file"))
    var checkpointKey: String?
    @Option(help: "Hours between checkpoints while the log grows (default: $PLEDGER_CHECKPOINT_HOURS, else 24).")
    var checkpointHours: Int?

    func run() async throws {
        Heap.keepLargeBlocksApart()
        let environment = ProcessInfo.processInfo.environment
        var configuration = ServerConfiguration(database: try connection.url())
        if let text = readDatabaseURL ?? environment["PLEDGER_READ_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            do { configuration.readDatabase = try DatabaseURL(text) } catch StoreError.configuration(let message) {
                throw ApplicationError.badInput(
                    "\(readDatabaseURL == nil ? "PLEDGER_READ_DATABASE_URL" : "--read-database-url"): \(message)")
            }
        }
        configuration.host = host ?? environment["PLEDGER_HOST"] ?? "127.0.0.1"
        guard let port = port ?? environment["PLEDGER_PORT"].flatMap(Int.init) ?? 8080 as Int?, (0...65535).contains(port) else {
            throw ApplicationError.badInput("--port must be 0–65535")
        }
        configuration.port = port
        configuration.runProjector = !noProjector
        if let path = checkpointKey ?? environment["PLEDGER_CHECKPOINT_KEY"] {
            configuration.checkpointKey = try SignedCheckpoint.readKey(path: path)
        }
        let hours = checkpointHours ?? environment["PLEDGER_CHECKPOINT_HOURS"].flatMap(Int.init) ?? 24
        guard (1...24 * 366).contains(hours) else { throw ApplicationError.badInput("--checkpoint-hours must be 1–8784") }
        configuration.checkpointInterval = .seconds(hours * 3600)
        configuration.sqlDirectory = try? Migrator.locateDirectory(override: sqlDir)
        let logger = connection.logger(default: .info)
        await connection.warnIfUnreachable(configuration.database)
        if let replica = configuration.readDatabase { await connection.warnIfUnreachable(replica) }
        note(
            "pledger: serving on http://\(configuration.host):\(configuration.port) (database \(configuration.database)"
                + (configuration.readDatabase.map { ", reads from \($0)" } ?? "") + ")")
        do {
            try await PledgerServer.run(configuration, logger: logger)
        } catch {
            throw ApplicationError.failure("the server stopped: \(StoreError.wrap(error))")
        }
    }
}
