import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the event log as JSON Lines with its hash chain (docs/ledger-format.md).",
        discussion: """
            One canonical envelope per line plus "prev_hash" and "hash" (hex). Streamed page by page, so memory stays flat however long the log. An auditor checks the file with tools/verify-export.py (Python standard library only).

            Examples:
              pledger export --out ledger.jsonl
              pledger export --from 1 --to 5000 --out - | python3 tools/verify-export.py -
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "First position to export.") var from: Int64 = 1
    @Option(help: "Last position to export (default: the head).") var to: Int64?
    @Option(help: ArgumentHelp("Output file, or - for standard output.", valueName: "file")) var out: String

    func run() async throws {
        guard from >= 1 else { throw ApplicationError.badInput("--from must be ≥ 1") }
        if let to, to < from { throw ApplicationError.badInput("--to (\(to)) is before --from (\(from))") }
        let handle: FileHandle
        if out == "-" {
            handle = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: out, contents: nil) else {
                throw ApplicationError.badInput("cannot create \(out); check the folder exists and is writable")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        }
        let written = try await connection.withLedger { ledger in
            try await LedgerExport(store: ledger.log).write(from: from, to: to, into: handle)
        }
        if out != "-" {
            try handle.close()
            note("exported \(written) events to \(out)")
        }
    }
}
