import ArgumentParser
import Foundation
import Logging
import PledgerApplication
import PledgerStore

/// Options every command that talks to the database shares.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL. Default: $DATABASE_URL, else the local cluster.", valueName: "url"))
    var databaseURL: String?

    static let logLevelHelp = ArgumentHelp(
        "Log level: trace, debug, info, notice, warning, error. Default: $PLEDGER_LOG_LEVEL, else warning (serve: info).",
        valueName: "level")
    @Option(help: Self.logLevelHelp) var logLevel: String?

    static let logFormatHelp = ArgumentHelp(
        "Log format: text (lines for people) or json (one object per line). Default: $PLEDGER_LOG_FORMAT, else text.",
        valueName: "format")
    @Option(help: Self.logFormatHelp) var logFormat: String?

    /// The level asked for, by option or environment; nil when neither says.
    private var requestedLevel: String? { logLevel ?? ProcessInfo.processInfo.environment["PLEDGER_LOG_LEVEL"] }

    /// The format asked for by option, else by environment; nil when neither says.
    var requestedFormat: String? { logFormat ?? ProcessInfo.processInfo.environment["PLEDGER_LOG_FORMAT"] }

    func validate() throws {
        if let text = requestedLevel, Logger.Level(rawValue: text) == nil {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(
                "log level \"\(text)\" is not one of \(levels) (from \(logLevel == nil ? "PLEDGER_LOG_LEVEL" : "--log-level"))")
        }
        if let text = requestedFormat, LogFormat(rawValue: text) == nil {
            throw ValidationError(
                "log format \"\(text)\" is not one of text, json (from \(logFormat == nil ? "PLEDGER_LOG_FORMAT" : "--log-format"))")
        }
    }

    /// The database to use; a malformed URL is bad input (exit 2), saying which setting it came from.
    func url() throws -> DatabaseURL {
        do {
            if let databaseURL { return try DatabaseURL(databaseURL) }
            return try DatabaseURL.fromEnvironment()
        } catch StoreError.configuration(let message) {
            throw ApplicationError.badInput("\(databaseURL == nil ? "DATABASE_URL" : "--database-url"): \(message)")
        }
    }

    /// A logger at the requested level, else at `level`.
    func logger(default level: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: "pledger")
        logger.logLevel = requestedLevel.flatMap(Logger.Level.init(rawValue:)) ?? level
        return logger
    }

    /// For long-running services: says at once why the database cannot be reached (a TLS
    /// handshake refused, no pg_hba.conf entry, a wrong password) but starts anyway, since the
    /// database may come up later; `/readyz` and the logs say when it does.
    func warnIfUnreachable(_ url: DatabaseURL) async {
        do {
            try await url.probe(logger: logger())
        } catch {
            note(
                "pledger: warning: cannot reach the database yet: \(StoreError.wrap(error))\(Self.hint(for: error, url: url)); starting anyway"
            )
        }
    }

    /// Runs `body` with a running ledger, mapping failures to readable messages.
    func withLedger<Result: Sendable>(_ body: (Ledger) async throws -> Result) async throws -> Result {
        let url = try url()
        do {
            try await url.probe(logger: logger())
            return try await LedgerRuntime.with(url, logger: logger(), body)
        } catch let error as ExitCode {
            throw error
        } catch let error as ApplicationError {
            throw error
        } catch {
            throw ApplicationError.failure("\(StoreError.wrap(error))" + Self.hint(for: error, url: url))
        }
    }

    static func hint(for error: any Error, url: DatabaseURL) -> String {
        let text = "\(error)"
        if text.contains("connection") || text.contains("Connection") || text.contains("refused") {
            return "\n  (is PostgreSQL running at \(url)? For the local cluster run: deploy/local/pg start)"
        }
        return ""
    }
}

/// A failure the CLI reports as one clear line and a non-zero exit code: the application's
/// errors, and the CLI's own about flags, are one type.

extension ApplicationError {
    /// A refused operation or a discrepancy: 1; bad input (a file, a flag): 2.
    var exitCode: Int32 {
        switch self {
        case .failure: 1
        case .badInput: 2
        }
    }
}
