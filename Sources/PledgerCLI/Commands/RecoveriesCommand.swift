import ArgumentParser
import Foundation
import PledgerDomain
import PledgerStore

/// `pledger recoveries due`: the fund's share of recoveries that banks still have to return.
struct RecoveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recoveries",
        abstract: "Recovery shares owed to the fund.",
        subcommands: [Due.self])

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shares of recoveries the banks owe the fund, oldest first; overdue ones flagged.",
            discussion: """
                After the fund has paid compensation on a loan, what the bank recovers later is shared back pro rata to what the fund paid (rounded up in the fund's favour). A share is overdue when the bank has not returned it within the fund's recovery_return_days (30 when the policy does not say). Exit 1 when any share is overdue.

                Examples:
                  pledger recoveries due --fund LC-IPRC
                  pledger recoveries due --as-of 2025-12-31 --format csv
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Only this fund's loans.", valueName: "id")) var fund: String?
        @Option(help: ArgumentHelp("The day to count from (default: today).", valueName: "date")) var asOf: String?
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let fundId = try fund.map { try ActInput.id($0, flag: "--fund") { try FundId($0) } }
            let date = try ActInput.date(asOf, flag: "--as-of")
            let due = try await connection.withLedger { ledger in
                try await ledger.reads.reports.recoveriesDue(asOf: date, fund: fundId)
            }
            switch format {
            case .json: print(CanonicalJSON.string(due.json))
            case .csv: print(due.csv, terminator: "")
            case .table:
                var table = Table([
                    ("Bank", .left), ("Contract", .left), ("Recovery", .right), ("Received", .left), ("Recovered (yuan)", .right),
                    ("Share due (yuan)", .right), ("Days", .right), ("", .left),
                ])
                for row in due.rows {
                    table.add([
                        row.bankId.value, row.contractNo.value, String(row.recoveryNo), row.receivedOn.description,
                        row.recoveryFen.description,
                        row.shareDueFen.description, String(row.daysSinceReceipt), row.overdue ? "OVERDUE (> \(row.returnDays) days)" : "",
                    ])
                }
                print(table.render())
                print("owed to the fund: \(due.totalDueFen); overdue: \(due.overdueFen) in \(due.overdueCount) share(s)")
            }
            if due.overdueCount > 0 { throw ExitCode(1) }
        }
    }
}
