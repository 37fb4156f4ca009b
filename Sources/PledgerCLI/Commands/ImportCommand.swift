import ArgumentParser
import PledgerApplication

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Onboard existing loans, with their borrowers, assets and valuations, from a CSV.",
        discussion: """
            One row per pledged asset: a loan with several assets has several rows with the same contract_no, which must agree on every loan column (bank, borrower, principal, rate, dates, fund, outstanding); a conflict is reported naming both lines. Columns: bank_id, contract_no, borrower_uscc, borrower_name, industry, region, tech_sme (true/false), asset_id, asset_kind, registry_no, asset_title, valuation_id, appraiser, valuation_method, value (yuan), valued_on, report_ref, registration_no, principal (yuan), rate_bp, originated_on, matures_on, fund_id (may be empty), and optionally outstanding (yuan) with outstanding_on (the principal repaid so far is then recorded on that date). Banks must already be registered. A sample is in deploy/samples/loans.csv.

            Every row is checked against the ledger's rules first. Nothing is written unless all rows are valid — or, with --skip-invalid, the valid rows are written and the rest listed. Re-running the same file writes nothing new (rows already imported are recognised). Exit 0 when all rows are in, 1 when rows were skipped, 2 on bad input.

            The file is read a block at a time and checked in chunks of --chunk-loans loans (memory holds about two chunks, whatever the file's size). Each checked chunk is staged in a temporary table of the import's own database session; only when the whole file has been checked are the chunks written, in order, each one atomic append. Rows of one contract must be in one chunk: keep them one after another (a contract whose rows are far apart is refused, naming its lines).

            Each chunk's append records the file's SHA-256 and the line it is written through. If an import stops while writing (killed, the database restarted), nothing is half-written: run the same command on the same file again — it resumes after the last chunk written, checks the rest and writes it. Progress (lines checked, chunks written) goes to standard error.

            Example:
              pledger import loans-2024.csv
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("The loans CSV.", valueName: "file")) var file: String
    @Flag(help: "Write the valid rows and list the invalid ones.") var skipInvalid = false
    @Option(help: "Loans checked, staged and written together (one atomic append each).")
    var chunkLoans = LoanImport.defaultChunkLoans

    func run() async throws {
        guard chunkLoans > 0 else { throw ValidationError("--chunk-loans must be at least 1") }
        let outcome = try await connection.withLedger { ledger in
            try await LoanImport.run(path: file, ledger: ledger, skipInvalid: skipInvalid, chunkLoans: chunkLoans) { progress in
                switch progress {
                case .checked(let line, let loans): note("checked through line \(line): \(loans) loans")
                case .written(let chunk, let of, let line, let position):
                    note("wrote chunk \(chunk) of \(of): through line \(line), ledger at position \(position)")
                }
            }
        }
        if let line = outcome.resumedAfterLine {
            note("an earlier run of this file had written its rows through line \(line); resumed after it")
        }
        for problem in outcome.problems { note(problem.message) }
        if !outcome.problems.isEmpty && !skipInvalid {
            throw ApplicationError.badInput(
                "\(outcome.problems.count) problem(s) in \(outcome.rows) rows; nothing was written (fix them, or use --skip-invalid)"
            )
        }
        print(
            "imported \(outcome.imported) loans (\(outcome.events) events in \(outcome.chunksWritten) chunk(s)\(outcome.appended.map { ", up to position \($0.lastPosition)" } ?? "")); \(outcome.alreadyThere) already in the ledger; \(outcome.problems.count) skipped"
        )
        if !outcome.problems.isEmpty { throw ExitCode(1) }
    }
}
