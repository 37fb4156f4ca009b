import ArgumentParser
import Foundation
import PledgerDomain
import PledgerStore

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

    static let required = ["bank_id", "contract_no", "borrower_uscc", "borrower_name", "industry", "region", "tech_sme", "asset_id",
                           "asset_kind", "registry_no", "asset_title", "valuation_id", "appraiser", "valuation_method", "value", "valued_on",
                           "report_ref", "registration_no", "principal", "rate_bp", "originated_on", "matures_on", "fund_id"]

    func run() async throws {
        let csv = try StatementFile(path: file, required: Self.required, optional: ["outstanding", "outstanding_on"])
        // Parse every row first; a row that does not parse is reported with its line. Rows of
        // one contract then form one loan with all their pledged assets.
        var rows: [LoanImport.Row] = []
        var problems: [(line: Int, message: String)] = []
        for row in csv.table.rows {
            do {
                rows.append(try LoanImport.Row(csv, row))
            } catch let error as CLIError {
                problems.append((row.line, error.description))
            }
        }
        let grouped = LoanImport.loans(rows, file: file)
        problems += grouped.conflicts
        let outcome = try await connection.withLedger { store in
            try await Self.importLoans(grouped.loans, store: store, file: file)
        }
        problems += outcome.refused
        problems.sort { $0.line < $1.line }
        for problem in problems { note(problem.message) }
        if !problems.isEmpty && !skipInvalid {
            throw CLIError.badInput("\(problems.count) problem(s) in \(csv.table.rows.count) rows; nothing was written (fix them, or use --skip-invalid)")
        }
        let written = try await connection.withLedger { store in
            try await BatchAppender(store: store).append(outcome.session, meta: try JSONObject([("actor", .string("import")), ("file", .string(URL(fileURLWithPath: file).lastPathComponent))]), atomic: !skipInvalid)
        }
        print("imported \(outcome.imported) loans (\(outcome.session.recorded.count) events\(written.map { ", up to position \($0.lastPosition)" } ?? "")); \(outcome.alreadyThere) already in the ledger; \(problems.count) skipped")
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// Decides every loan in one session; a loan's commands are all accepted or all dropped.
    static func importLoans(_ loans: [LoanImport.Loan], store: EventStore, file: String) async throws
        -> (session: LedgerSession, imported: Int, alreadyThere: Int, refused: [(line: Int, message: String)]) {
        let handler = CommandHandler(store: store)
        var session = LedgerSession()
        var imported = 0, alreadyThere = 0
        var refused: [(line: Int, message: String)] = []
        var progress = Progress("checking")
        for (index, loan) in loans.enumerated() {
            progress.update(Int64(index), of: Int64(loans.count), unit: "loans")
            let commands = try loan.commands
            for command in commands { try await handler.prepare(&session, for: command) }
            if let existing = session.states.loans[loan.key]?.origination {
                if loan.matches(existing) { alreadyThere += 1; continue }
                refused.append((loan.line, "\(file): \(loan.lines): loan \(loan.key) already exists with other terms or other collateral"))
                continue
            }
            // What the ledger already has (a borrower with several loans, an asset revalued
            // earlier) is not registered again; the rest of the loan is all-or-nothing.
            let needed = commands.filter { command in
                switch command {
                case .borrower(let uscc, _): session.states.borrowers[uscc]?.exists != true
                case .asset(let id, .register): session.states.assets[id]?.exists != true
                case .asset(let id, .value(let valuation, _, _, _, _, _)): session.states.assets[id]?.valuations[valuation] == nil
                default: true
                }
            }
            do {
                try session.runAll(needed, at: .now())
            } catch let error as DomainError {
                refused.append((loan.line, "\(file): \(loan.lines), \(error.field): \(error.message)"))
                continue
            }
            imported += 1
        }
        progress.finish()
        return (session, imported, alreadyThere, refused)
    }
}
