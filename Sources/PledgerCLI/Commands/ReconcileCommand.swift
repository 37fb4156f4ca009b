import ArgumentParser
import PledgerApplication
import PledgerDomain
import PledgerStore

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the ledger with bank statements, the fund's account, an insurer's bordereau, or its own read models.",
        subcommands: [BankStatement.self, FundAccount.self, Bordereau.self, Projections.self]
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
            do { bankId = try BankId(bank) } catch let error as DomainError { throw ApplicationError.badInput("--bank: \(error.message)") }
            let date = try ReportCommand.TimeOptions.resolve(asOf: asOf, knownAt: nil).asOf ?? BusinessDate(containing: .now())
            let statement = try BankStatementReconciliation.read(
                try SpreadsheetFile(path: file, required: BankStatementReconciliation.columns))
            let rows = try await connection.withLedger { ledger in
                try await BankStatementReconciliation.run(ledger: ledger, bank: bankId, asOf: date, statement: statement)
            }
            let table = Findings(
                title:
                    "bank statement of \(bankId) as of \(date), \(statement.count) lines, \(rows.filter { $0.ledgerOutstanding != nil }.count) ledger loans",
                rows: rows, finding: \.finding,
                columns: [
                    .init("contract_no") { .text($0.contract.value) }, .init("line") { .number($0.line) },
                    .init("statement_outstanding_fen") { .money($0.statementOutstanding) },
                    .init("ledger_outstanding_fen") { .money($0.ledgerOutstanding) },
                    .init("statement_status") { .text($0.statementStatus?.rawValue ?? "") },
                    .init("ledger_status") { .text($0.ledgerStatus?.rawValue ?? "") },
                    .init("note") { .text($0.note) },
                ])
            try table.print(format)
        }
    }

    struct Bordereau: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare an insurer's pledge-insurance bordereau with its policies in the ledger.",
            discussion: """
                CSV columns (header row): policy_no, contract_no, amount (the claims the insurer has paid on the policy so far, yuan; 0.00 when none), status (in_force, expired, claim_open, claim_settled, not_covered). Every policy the ledger has for the insurer on --as-of is expected. Findings: matched, only_in_bordereau, only_in_ledger, amount_difference, status_difference, contract_difference. A sample is in deploy/samples/bordereau.csv.

                Exit 0 when everything matches, 1 on any discrepancy, 2 on a bad file.

                Example:
                  pledger reconcile bordereau --insurer PICC-LC --file picc-2025-12.csv --as-of 2025-12-31
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Insurer id (as in its schemes).") var insurer: String
        @Option(help: ArgumentHelp("The bordereau CSV.", valueName: "file")) var file: String
        @Option(help: "The bordereau's date (default: today).") var asOf: String?
        @Option(help: "Output for the detail: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let insurerId: InsurerId
            do { insurerId = try InsurerId(insurer) } catch let error as DomainError {
                throw ApplicationError.badInput("--insurer: \(error.message)")
            }
            let date = try ReportCommand.TimeOptions.resolve(asOf: asOf, knownAt: nil).asOf ?? BusinessDate(containing: .now())
            let bordereau = try BordereauReconciliation.read(try SpreadsheetFile(path: file, required: BordereauReconciliation.columns))
            let rows = try await connection.withLedger { ledger in
                try await BordereauReconciliation.run(ledger: ledger, insurer: insurerId, asOf: date, bordereau: bordereau)
            }
            let table = Findings(
                title:
                    "bordereau of \(insurerId) as of \(date), \(bordereau.count) lines, \(rows.filter { $0.ledgerStatus != nil }.count) ledger policies",
                rows: rows, finding: \.finding,
                columns: [
                    .init("policy_no") { .text($0.policy.value) }, .init("line") { .number($0.line) },
                    .init("bordereau_amount_fen") { .money($0.bordereauAmount) }, .init("ledger_amount_fen") { .money($0.ledgerAmount) },
                    .init("bordereau_status") { .text($0.bordereauStatus?.rawValue ?? "") },
                    .init("ledger_status") { .text($0.ledgerStatus?.rawValue ?? "") },
                    .init("note") { .text($0.note) },
                ])
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
            do { fundId = try FundId(fund) } catch let error as DomainError { throw ApplicationError.badInput("--fund: \(error.message)") }
            guard (0...60).contains(toleranceDays) else { throw ApplicationError.badInput("--tolerance-days must be 0–60") }
            let statement = try FundAccountReconciliation.read(
                try SpreadsheetFile(
                    path: file, required: FundAccountReconciliation.required, optional: FundAccountReconciliation.optional))
            let rows = try await connection.withLedger { ledger in
                try await FundAccountReconciliation.run(ledger: ledger, fund: fundId, statement: statement, toleranceDays: toleranceDays)
            }
            let table = Findings(
                title: "account statement of fund \(fundId), \(statement.count) lines",
                rows: rows, finding: \.finding,
                columns: [
                    .init("line") { .number($0.line) }, .init("date") { .text($0.date.description) },
                    .init("reference") { .text($0.reference) },
                    .init("statement_amount_fen") { .money($0.statementAmount) }, .init("ledger_amount_fen") { .money($0.ledgerAmount) },
                    .init("note") { .text($0.note) },
                ])
            try table.print(format)
        }
    }

    struct Projections: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the stored read models with a fresh replay of the log.",
            discussion:
                "Checks the read models (loans, funds, the growth and exposure sums) and each fund's stored state (what commands, reports and a start read a fund from, instead of its whole stream) against the log. Lists every difference; exit 0 only when there is none; `pledger projections rebuild` writes them all again."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let (differences, checked, position) = try await connection.withLedger { ledger in
                var progress = Progress("replaying")
                let result = try await ProjectionReconciliation(store: ledger.log).run { progress.update($0, of: $1) }
                progress.finish()
                return result
            }
            switch format {
            case .json:
                print(
                    CanonicalJSON.string(
                        .object(
                            try JSONObject([
                                ("position", .integer(position)), ("rows_checked", .integer(Int64(checked))),
                                (
                                    "differences",
                                    .array(
                                        differences.map {
                                            .object(
                                                (try? JSONObject([
                                                    ("table", .string($0.table)), ("key", .string($0.key)),
                                                    ("problem", .string($0.problem)),
                                                ])) ?? JSONObject())
                                        })
                                ),
                            ]))))
            case .csv:
                print("table,key,problem")
                for d in differences { print("\(CSV.field(d.table)),\(CSV.field(d.key)),\(CSV.field(d.problem))") }
            case .table:
                var table = Table([("Table", .left), ("Key", .left), ("Problem", .left)])
                for d in differences { table.add([d.table, d.key, d.problem]) }
                print(
                    "checked \(checked) rows against a replay of positions 1…\(position): \(differences.isEmpty ? "no differences" : "\(differences.count) difference(s)")"
                )
                if !differences.isEmpty { print(table.render()) }
            }
            if !differences.isEmpty { throw ExitCode(1) }
        }
    }
}
