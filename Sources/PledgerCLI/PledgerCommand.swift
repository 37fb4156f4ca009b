import ArgumentParser
import Foundation
import PledgerApplication
import PledgerStore

/// The `pledger` command line: fund administrators and auditors work here.
public struct PledgerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pledger",
        abstract: "Event-sourced ledger for IP pledge financing and its risk-compensation funds.",
        discussion: """
            The database is taken from --database-url, else $DATABASE_URL, else the project-local cluster that deploy/local/pg starts (postgres://pledger@127.0.0.1:54329/pledger).

            Exit codes: 0 success, 1 a discrepancy or refused operation, 2 bad input.
            """,
        subcommands: [
            DbCommand.self, DemoCommand.self, ServeCommand.self, TokensCommand.self, FundCommand.self, SchemeCommand.self,
            SubsidyCommand.self, InsuranceCommand.self, ClaimsCommand.self, RecoveriesCommand.self, ReplayCommand.self, ImportCommand.self,
            ReportCommand.self,
            ReconcileCommand.self,
            ProjectionsCommand.self, VerifyCommand.self, ExportCommand.self, CheckpointCommand.self,
        ]
    )

    public init() {}
}

extension PledgerCommand {
    /// Sets the process's log format once, before anything logs: the command's
    /// `--log-format` (validated while parsing), else `PLEDGER_LOG_FORMAT`, else text. A
    /// command without connection options (`checkpoint keygen`) follows the environment.
    static func bootstrapLogging(_ command: any ParsableCommand) {
        let options = Mirror(reflecting: command).children.lazy.compactMap { ($0.value as? OptionGroup<ConnectionOptions>)?.wrappedValue }
            .first
        let requested = options?.requestedFormat ?? ProcessInfo.processInfo.environment["PLEDGER_LOG_FORMAT"]
        (requested.flatMap(LogFormat.init(rawValue:)) ?? .text).bootstrap()
    }

    /// Parses and runs, turning every failure into a message on stderr and an exit code
    /// scripts can trust: 0 success, 1 refused or discrepancy, 2 bad input or usage.
    public static func runMain(_ arguments: [String]? = nil) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            bootstrapLogging(command)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as ApplicationError {
            note("pledger: error: \(error.description)")
            return error.exitCode
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 0 {
                print(fullMessage(for: error))
                return 0
            }
            note(fullMessage(for: error))
            // Usage mistakes are bad input.
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}
