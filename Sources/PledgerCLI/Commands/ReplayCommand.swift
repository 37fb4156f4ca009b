import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild state in memory from the log up to a point and print a report as it stood then.",
        discussion: """
            Reproduces any figure the ledger ever published: fold the log up to a position or up to what was known at a time, then print the growth or exposure report from that state. The read models are not used.

            Examples:
              pledger replay --known-at 2025-01-15T09:00:00+08:00 --report growth --from 2021 --to 2024
              pledger replay --to-position 120000 --report exposure --fund LC-IPRC --as-of 2024-12-31
            """)

    enum Report: String, ExpressibleByArgument { case growth, exposure }

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Stop after this position.") var toPosition: Int64?
    @Option(help: ArgumentHelp("Only events recorded by this time.", valueName: "time")) var knownAt: String?
    @Option(help: "Which report: growth or exposure.") var report: Report = .growth
    @Option(help: "Fund for the exposure report (default: the only fund).") var fund: String?
    @Option(help: "Business date of the report (default: today).") var asOf: String?
    @Option(help: "Growth report: first year.") var from: Int?
    @Option(help: "Growth report: last year.") var to: Int?
    @Option(help: "Growth target in basis points.") var targetBp: Int64 = 1500
    @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

    func run() async throws {
        let time = try ReportCommand.TimeOptions.resolve(asOf: asOf, knownAt: knownAt)
        if let toPosition, toPosition < 0 { throw ApplicationError.badInput("--to-position must be ≥ 0") }
        let started = ContinuousClock.now
        let fold = try await connection.withLedger { ledger in
            var progress = Progress("replaying")
            let fold = try await ledger.log.replay(asOf: time.asOf, knownAt: time.knownAt, toPosition: toPosition, reading: .copy) {
                progress.update($0, of: $1)
            }
            progress.finish()
            return fold
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        note(
            "replayed positions 1…\(fold.lastPosition) in \(String(format: "%.2f", seconds)) s (\(Int(Double(fold.lastPosition) / max(seconds, 0.001))) events/s)"
        )
        switch report {
        case .growth:
            let to = self.to ?? time.asOf?.year ?? BusinessDate(containing: .now()).year
            // Cut where the report then would have: the business date asked, else the day the
            // ledger was looked at, else today.
            let cut = time.asOf ?? time.knownAt.map(BusinessDate.init(containing:)) ?? BusinessDate(containing: .now())
            ReportCommand.Growth.print(
                try GrowthReport.compute(fold.states.loanSnapshots, from: from ?? to - 3, to: to, asOf: cut, target: Bp(targetBp)),
                format: format)
        case .exposure:
            let funds = fold.states.funds.values.compactMap(\.id)
            let id: FundId
            if let fund {
                do { id = try FundId(fund) } catch let error as DomainError { throw ApplicationError.badInput("--fund: \(error.message)") }
            } else {
                guard funds.count == 1 else {
                    throw ApplicationError.badInput(
                        "--fund is needed: the ledger then had \(funds.count) funds (\(funds.map(\.value).sorted().joined(separator: ", ")))"
                    )
                }
                id = funds[0]
            }
            guard let state = fold.states.funds[id], state.exists else {
                throw ApplicationError.failure("fund \(id) did not exist at that point")
            }
            let date = time.asOf ?? BusinessDate(containing: .now())
            var report = try ExposureReport.compute(fund: state, loans: fold.states.loanSnapshots.filter { $0.fundId == id }, asOf: date)
            try report.addSchemeShares(schemes: Array(fold.states.schemes.values), loans: fold.states.loans)
            ReportCommand.Exposure.print(report, format: format)
        }
    }
}
