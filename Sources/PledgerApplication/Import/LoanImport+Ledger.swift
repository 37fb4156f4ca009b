import Foundation
import PledgerDomain
import PledgerStore

extension LoanImport {
    /// What an import did: loans written and recognised, and the problems — rows that do
    /// not parse, contracts whose rows disagree, loans the ledger's rules refuse — in line
    /// order.
    public struct Outcome: Sendable {
        public var problems: [Problem]
        public var imported: Int
        public var alreadyThere: Int
        /// Events decided for the loans imported (written only when `appended` is set).
        public var events: Int
        /// The last append; nil when nothing was written.
        public var appended: AppendResult? = nil
    }

    /// Imports the file's loans: every one is checked against the ledger's rules first;
    /// nothing is written when there is a problem, unless `skipInvalid` (then the valid
    /// loans are written, each all or nothing). Loans already in the ledger with the same
    /// terms and collateral (a re-run of the file) are recognised and not written again.
    public static func run(
        _ file: SpreadsheetFile, ledger: Ledger, skipInvalid: Bool,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Outcome {
        let (loans, problems) = try read(file)
        var (session, outcome) = try await decide(loans, ledger: ledger, file: file.path, progress: progress)
        outcome.problems = (problems + outcome.problems).sorted { $0.line < $1.line }
        guard outcome.problems.isEmpty || skipInvalid else { return outcome }
        let name = URL(fileURLWithPath: file.path).lastPathComponent
        if !skipInvalid, session.recorded.count > ledger.log.maxAppendEvents {
            throw ApplicationError.badInput(
                "\(name): its \(outcome.imported) loans make \(session.recorded.count) events, and one all-or-nothing import writes at most \(ledger.log.maxAppendEvents); split the file (by bank or by year, say) and import each part — nothing was written"
            )
        }
        let meta = try JSONObject([("actor", .string("import")), ("file", .string(name))])
        outcome.appended = try await ledger.batches.append(session, meta: meta, atomic: !skipInvalid)
        return outcome
    }

    /// Decides every loan in one session; a loan's commands are all accepted or all dropped.
    /// The outcome's problems are the loans the ledger refuses.
    static func decide(_ loans: [Loan], ledger: Ledger, file: String, progress: (Int, Int) -> Void) async throws -> (LedgerSession, Outcome)
    {
        let handler = ledger.commands
        var session = LedgerSession()
        var imported = 0
        var alreadyThere = 0
        var refused: [Problem] = []
        for (index, loan) in loans.enumerated() {
            progress(index, loans.count)
            let commands = try loan.commands
            for command in commands { try await handler.prepare(&session, for: command) }
            if let existing = session.states.loans[loan.key]?.origination {
                if loan.matches(existing) {
                    alreadyThere += 1
                    continue
                }
                refused.append(
                    Problem(
                        line: loan.line,
                        message: "\(file): \(loan.lines): loan \(loan.key) already exists with other terms or other collateral"))
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
                let column = LoanImport.column(for: error.field, of: needed[session.refusedCommand ?? 0])
                refused.append(Problem(line: loan.line, message: "\(file): \(loan.lines), column \(column): \(error.message)"))
                continue
            }
            imported += 1
        }
        return (session, Outcome(problems: refused, imported: imported, alreadyThere: alreadyThere, events: session.recorded.count))
    }
}
