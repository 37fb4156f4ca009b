import ArgumentParser
import PledgerDomain
import PledgerStore

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the ledger with bank statements, the fund's account, or its own read models.",
        subcommands: [BankStatement.self, FundAccount.self, Projections.self]
    )

    struct BankStatement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bank-statement",
            abstract: "Compare a bank's month-end loan statement with the ledger.",
            discussion: """
                CSV columns (header row): contract_no, borrower_uscc, outstanding (yuan, e.g. 3,200,000.00), status (active, defaulted, written_off, closed). Loans the ledger has closed, written off or cancelled need not be listed. Findings: matched, only_in_statement, only_in_ledger, amount_difference, status_difference, borrower_difference. A sample is in deploy/samples/bank-statement.csv.

                Exit 0 when everything matches, 1 on any discrepancy, 2 on a bad file.

                Example:
                  pledger reconcile bank-statement --bank LCRCB --file lcrcb-2025-12.csv --as-of 2025-12-31
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Bank id.") var bank: String
        @Option(help: ArgumentHelp("The statement CSV.", valueName: "file")) var file: String
        @Option(help: "The statement's date (default: today).") var asOf: String?
        @Option(help: "Output for the detail: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let bankId: BankId
            do { bankId = try BankId(bank) } catch let error as DomainError { throw CLIError.badInput("--bank: \(error.message)") }
            let date = try ReportCommand.TimeOptions.resolve(asOf: asOf, knownAt: nil).asOf ?? BusinessDate(containing: .now())
            let statement = try BankStatementReconciliation.read(try StatementFile(path: file, required: BankStatementReconciliation.columns))
            let ledger = try await connection.withLedger { store in
                try await ReportService(store: store).fold(asOf: date).states.loanSnapshots.filter { $0.bankId == bankId }
            }
            let rows = BankStatementReconciliation.compare(statement, ledger: ledger)
            let table = Findings(title: "bank statement of \(bankId) as of \(date), \(statement.count) lines, \(rows.filter { $0.ledgerOutstanding != nil }.count) ledger loans",
                columns: ["finding", "contract_no", "line", "statement_outstanding_fen", "ledger_outstanding_fen", "statement_status", "ledger_status", "note"],
                findings: rows.map { ($0.finding.rawValue, [$0.finding.rawValue, $0.contract, $0.line.map(String.init) ?? "", $0.statementOutstanding.map { String($0.fen) } ?? "",
                                       $0.ledgerOutstanding.map { String($0.fen) } ?? "", $0.statementStatus ?? "", $0.ledgerStatus ?? "", $0.note]) },
                order: BankStatementReconciliation.Finding.allCases.map(\.rawValue),
                people: { cells in [cells[0], cells[1], cells[2], cells[3].isEmpty ? "" : Human.yuan(Money(fen: Int64(cells[3])!)),
                                    cells[4].isEmpty ? "" : Human.yuan(Money(fen: Int64(cells[4])!)), cells[5], cells[6], cells[7]] })
            try table.print(format)
        }
    }

    struct FundAccount: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fund-account",
            abstract: "Compare the fund's bank-account statement with its movements in the ledger.",
            discussion: """
                CSV columns: date (YYYY-MM-DD), amount_in, amount_out (yuan; one per line), counterparty, reference, and optionally balance (the bank's running balance; the last one is compared with the ledger's balance on that day). Lines match the fund's movements — contributions, compensation payouts, recovery shares, interest credited, bank charges, money returned to contributors, transfers between funds — by reference and amount; dates further apart than --tolerance-days are flagged. A sample is in deploy/samples/fund-account.csv.

                Exit 0 when everything matches, 1 on any discrepancy, 2 on a bad file.

                Example:
                  pledger reconcile fund-account --fund LC-IPRC --file account-2025-12.csv
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Fund id.") var fund: String
        @Option(help: ArgumentHelp("The account statement CSV.", valueName: "file")) var file: String
        @Option(help: "Days a booking date may differ from the ledger's.") var toleranceDays: Int = 3
        @Option(help: "Output for the detail: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let fundId: FundId
            do { fundId = try FundId(fund) } catch let error as DomainError { throw CLIError.badInput("--fund: \(error.message)") }
            guard (0...60).contains(toleranceDays) else { throw CLIError.badInput("--tolerance-days must be 0–60") }
            let statement = try FundAccountReconciliation.read(try StatementFile(
                path: file, required: FundAccountReconciliation.required, optional: ["balance"]))
            let (state, events) = try await connection.withLedger { store in
                let handler = CommandHandler(store: store)
                let events = try await handler.events(of: .fund(fundId))
                var states = AggregateStates()
                for event in events { states.apply(event, to: .fund(fundId)) }
                return (states.funds[fundId] ?? FundState(), events)
            }
            guard state.exists else { throw CLIError.failure("no fund \(fundId) in the ledger") }
            let rows = FundAccountReconciliation.compare(statement, ledger: FundAccountReconciliation.movements(state, events: events), fund: state, toleranceDays: toleranceDays)
            let table = Findings(title: "account statement of fund \(fundId), \(statement.count) lines",
                columns: ["finding", "line", "date", "reference", "statement_amount_fen", "ledger_amount_fen", "note"],
                findings: rows.map { ($0.finding.rawValue, [$0.finding.rawValue, $0.line.map(String.init) ?? "", $0.date, $0.reference,
                                       $0.statementAmount.map { String($0.fen) } ?? "", $0.ledgerAmount.map { String($0.fen) } ?? "", $0.note]) },
                order: FundAccountReconciliation.Finding.allCases.map(\.rawValue),
                people: { cells in [cells[0], cells[1], cells[2], cells[3], cells[4].isEmpty ? "" : Human.yuan(Money(fen: Int64(cells[4])!)),
                                    cells[5].isEmpty ? "" : Human.yuan(Money(fen: Int64(cells[5])!)), cells[6]] })
            try table.print(format)
        }
    }

    struct Projections: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the stored read models with a fresh replay of the log.",
            discussion: "Lists every difference; exit 0 only when there is none.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let (differences, checked, position) = try await connection.withLedger { store in
                var progress = Progress("replaying")
                let result = try await ProjectionReconciliation(store: store).run { progress.update($0, of: $1) }
                progress.finish()
                return result
            }
            switch format {
            case .json:
                print(CanonicalJSON.string(.object(try JSONObject([
                    ("position", .integer(position)), ("rows_checked", .integer(Int64(checked))),
                    ("differences", .array(differences.map { .object((try? JSONObject([("table", .string($0.table)), ("key", .string($0.key)), ("problem", .string($0.problem))])) ?? JSONObject()) })),
                ]))))
            case .csv:
                print("table,key,problem")
                for d in differences { print("\(CSV.field(d.table)),\(CSV.field(d.key)),\(CSV.field(d.problem))") }
            case .table:
                var table = Table([("Table", .left), ("Key", .left), ("Problem", .left)])
                for d in differences { table.add([d.table, d.key, d.problem]) }
                print("checked \(checked) rows against a replay of positions 1…\(position): \(differences.isEmpty ? "no differences" : "\(differences.count) difference(s)")")
                if !differences.isEmpty { print(table.render()) }
            }
            if !differences.isEmpty { throw ExitCode(1) }
        }
    }
}
