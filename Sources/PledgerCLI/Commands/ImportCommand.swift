import ArgumentParser
import PledgerApplication

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Onboard existing loans, with their borrowers, assets and valuations, from a CSV.",
        discussion: """
            One row per pledged asset: a loan with several assets has several rows with the same contract_no, which must agree on every loan column (bank, borrower, principal, rate, dates, fund, outstanding); a conflict is reported naming both lines. Columns: bank_id, contract_no, borrower_uscc, borrower_name, industry, region, tech_sme (true/false), asset_id, asset_kind, registry_no, asset_title, valuation_id, appraiser, valuation_method, value (yuan), valued_on, report_ref, registration_no, principal (yuan), rate_bp, originated_on, matures_on, fund_id (may be empty), and optionally outstanding (yuan) with outstanding_on (the principal repaid so far is then recorded on that date). Banks must already be registered. A sample is in deploy/samples/loans.csv.

            Every row is checked against the ledger's rules first. Nothing is written unless all rows are valid — or, with --skip-invalid, the valid rows are written and the rest listed. Re-running the same file writes nothing new (rows already imported are recognised). Exit 0 when all rows are in, 1 when rows were skipped, 2 on bad input.

            Example:
              pledger import loans-2024.csv
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("The loans CSV.", valueName: "file")) var file: String
    @Flag(help: "Write the valid rows and list the invalid ones.") var skipInvalid = false

    func run() async throws {
        let csv = try SpreadsheetFile(path: file, required: LoanImport.required, optional: LoanImport.optional)
        let outcome = try await connection.withLedger { ledger in
            var progress = Progress("checking")
            defer { progress.finish() }
            return try await LoanImport.run(csv, ledger: ledger, skipInvalid: skipInvalid) {
                progress.update(Int64($0), of: Int64($1), unit: "loans")
            }
        }
        for problem in outcome.problems { note(problem.message) }
        if !outcome.problems.isEmpty && !skipInvalid {
            throw ApplicationError.badInput(
                "\(outcome.problems.count) problem(s) in \(csv.table.rows.count) rows; nothing was written (fix them, or use --skip-invalid)"
            )
        }
        print(
            "imported \(outcome.imported) loans (\(outcome.events) events\(outcome.appended.map { ", up to position \($0.lastPosition)" } ?? "")); \(outcome.alreadyThere) already in the ledger; \(outcome.problems.count) skipped"
        )
        if !outcome.problems.isEmpty { throw ExitCode(1) }
    }
}
