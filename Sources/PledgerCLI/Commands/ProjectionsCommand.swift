import ArgumentParser
import PledgerApplication
import PledgerDomain
import PledgerStore

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Maintain the read models that serve the current reports.",
        subcommands: [CatchUp.self, Follow.self, Rebuild.self]
    )

    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the read models up to date as events arrive, until SIGTERM or Ctrl-C.",
            discussion:
                "For deployments that run `pledger serve --no-projector`: one follower per database. Each batch is written with its checkpoint in one transaction, so stopping it at any moment loses nothing; on SIGTERM or Ctrl-C it stops — a batch in flight rolls back whole — and exits within 8 s, like `pledger serve`."
        )
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            note("pledger: following the log (SIGTERM or Ctrl-C stops it)")
            let logger = connection.logger()
            let url = try connection.url()
            await connection.warnIfUnreachable(url)
            do {
                try await LedgerRuntime.runUntilSignalled(url, logger: logger) { ledger in
                    [ProjectorService(projector: ledger.projector, logger: logger)]
                }
            } catch {
                throw ApplicationError.failure("the follower stopped: \(StoreError.wrap(error))")
            }
            note("pledger: stopped")
        }
    }

    struct CatchUp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catch-up", abstract: "Project events appended since the last checkpoint, then stop.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (position, seconds) = try await ProjectionsCommand.timed(connection, "projecting") { projector, progress, _ in
                try await projector.catchUp(progress: progress)
            }
            print("read models at position \(position) (\(String(format: "%.2f", seconds)) s)")
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the read models from position 1.",
            discussion:
                "Folds the funds', loans' and borrowers' streams (the read models' sources; the other streams are not read), the loans a group of borrowers at a time, and makes the tables equal to what it gives in one transaction, writing only the rows that differ: reports keep answering from the old rows until it commits. The loans' and borrowers' events are read once into files under TMPDIR (about the disk they take in the table; removed at the end). Memory: the funds' states, the growth tally and two groups (--loans-per-group). Needs the database's default TEMPORARY privilege. Prints events/s."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(
            help: ArgumentHelp(
                "About how many loans to fold and write at a time: the rebuild holds one such group of borrowers and their loans, and the next being folded. Fewer: less memory, a little more time.",
                valueName: "count"))
        var loansPerGroup: Int = Projector.loansPerGroup

        func validate() throws {
            guard loansPerGroup > 0 else {
                throw ValidationError("--loans-per-group must be a positive number of loans, not \(loansPerGroup)")
            }
        }

        func run() async throws {
            let (position, seconds) = try await ProjectionsCommand.timed(connection, "rebuilding") { projector, progress, step in
                try await projector.rebuild(loansPerGroup: loansPerGroup, progress: progress) { step($0.text) }
            }
            let rate = seconds > 0 ? Double(position) / seconds : 0
            print("rebuilt read models from \(position) events in \(String(format: "%.2f", seconds)) s (\(Int(rate)) events/s)")
        }
    }

    /// Runs projector work with progress on stderr (events done, and steps without a count);
    /// returns the position reached and the seconds taken.
    static func timed(
        _ connection: ConnectionOptions, _ label: String,
        _ work: (Projector, (Int64, Int64) -> Void, @escaping @Sendable (String) -> Void) async throws -> Int64
    ) async throws -> (Int64, Double) {
        try await connection.withLedger { ledger in
            var progress = Progress(label)
            // Also when the work fails: the error is then printed on a line of its own.
            defer { progress.finish() }
            let started = ContinuousClock.now
            let position = try await work(ledger.projector, { progress.update($0, of: $1) }, progress.stepReporter)
            return (position, (ContinuousClock.now - started).inSeconds)
        }
    }
}
