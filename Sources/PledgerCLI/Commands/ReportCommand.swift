import ArgumentParser
import Foundation
import PledgerDomain
import PledgerStore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the financing-growth and fund-exposure reports.",
        subcommands: [Growth.self, Exposure.self]
    )

    /// The bitemporal options every report takes.
    struct TimeOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Business date the report is about (YYYY-MM-DD).", valueName: "date"))
        var asOf: String?
        @Option(help: ArgumentHelp("Only what the ledger knew at this time (e.g. 2025-01-15T09:00:00+08:00 or 2025-01-15).", valueName: "time"))
        var knownAt: String?

        func resolve() throws -> (asOf: BusinessDate?, knownAt: RecordedTime?) {
            try Self.resolve(asOf: asOf, knownAt: knownAt)
        }

        static func resolve(asOf: String?, knownAt: String?) throws -> (asOf: BusinessDate?, knownAt: RecordedTime?) {
            let date = try asOf.map { text in
                do { return try BusinessDate(parsing: text, field: "--as-of") } catch let error as DomainError { throw CLIError.badInput("--as-of: \(error.message)") }
            }
            let time = try knownAt.map { text in
                guard let time = RecordedTime(parsing: text) else {
                    throw CLIError.badInput("--known-at: \"\(text)\" is not a time like 2025-01-15T09:00:00+08:00 or a date like 2025-01-15")
                }
                return time
            }
            return (date, time)
        }
    }

    struct Growth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Annual growth of IP pledge financing against the target.",
            discussion: """
                By year of origination: loans, principal, distinct borrowers, year-on-year growth and whether the target was met, with the CAGR over the range. --by slices the figures (slices add up to the totals to the fen; by kind, principal is split pro rata to the pledged valuations). Without --as-of/--known-at the read models answer; with them the log is folded as it stood.

                Examples:
                  pledger report growth --from 2022 --to 2025
                  pledger report growth --by kind --format csv > growth-by-kind.csv
                  pledger report growth --as-of 2024-12-31 --known-at 2025-01-15
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var time: TimeOptions
        @Option(help: "First year (default: three years before --to).") var from: Int?
        @Option(help: "Last year (default: the current year).") var to: Int?
        @Option(help: "Slice by bank, kind, industry, region or enrolled.") var by: GrowthReport.Dimension?
        @Option(help: "Growth target in basis points (1500 = 15%).") var targetBp: Int64 = 1500
        @Flag(help: "Also print the monthly series.") var monthly = false
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let (asOf, knownAt) = try time.resolve()
            let to = self.to ?? asOf?.year ?? BusinessDate(containing: .now()).year
            let from = self.from ?? to - 3
            guard from <= to, to - from <= 50 else { throw CLIError.badInput("--from \(from) must be at most 50 years before --to \(to)") }
            let report = try await connection.withLedger { store in
                try await ReportService(store: store).growth(from: from, to: to, target: Bp(targetBp), by: by, asOf: asOf, knownAt: knownAt)
            }
            Self.print(report, format: format, monthly: monthly)
        }

        static func print(_ report: GrowthReport, format: OutputFormat, monthly: Bool = false) {
            switch format {
            case .json: Swift.print(CanonicalJSON.string(report.json))
            case .csv: Swift.print(report.csv, terminator: "")
            case .table: Swift.print(table(report, monthly: monthly))
            }
        }

        static func table(_ report: GrowthReport, monthly: Bool) -> String {
            func rows(_ years: [GrowthReport.Year]) -> Table {
                var table = Table([("Year", .left), ("Loans", .right), ("Principal (yuan)", .right), ("Borrowers", .right),
                                   ("YoY principal", .right), ("YoY loans", .right), ("Target \(report.targetBp.percent)", .left)])
                for year in years {
                    table.add([String(year.year), String(year.loans), Human.yuan(year.principalFen), String(year.borrowers),
                               Human.percent(year.principalGrowthBp), Human.percent(year.loanGrowthBp), year.targetMet.map { $0 ? "met" : "MISSED" } ?? "—"])
                }
                return table
            }
            var out = ["IP pledge financing \(report.fromYear)–\(report.toYear)", "", rows(report.years).render(),
                       "", "CAGR \(report.fromYear)–\(report.toYear): \(Human.percent(report.cagrBp))"]
            for slice in report.slices {
                out += ["", "\(report.dimension!.rawValue): \(slice.value)  (CAGR \(Human.percent(slice.cagrBp)))", rows(slice.years).render()]
            }
            if monthly {
                var table = Table([("Month", .left), ("Loans", .right), ("Principal (yuan)", .right)])
                for month in report.monthly { table.add([month.month, String(month.loans), Human.yuan(month.principalFen)]) }
                out += ["", table.render()]
            }
            return out.joined(separator: "\n")
        }
    }

    struct Exposure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a compensation fund holds and may owe, on a date.",
            discussion: """
                Balance (contributions − payouts + recoveries returned), covered outstanding principal, contingent liability Σ min(coverage × outstanding, caps), pending claims, leverage, coverage adequacy and the non-performing ratio against the suspension threshold, by bank and for the largest borrowers. Exit code 1 when the NPL ratio breaches the threshold or leverage exceeds its maximum, so a monthly script notices.

                Examples:
                  pledger report exposure --fund LC-IPRC
                  pledger report exposure --fund LC-IPRC --as-of 2024-12-31 --format json
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var time: TimeOptions
        @Option(help: "Fund id.") var fund: String
        @Option(help: "How many of the largest borrowers to list.") var top: Int = 10
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let (asOf, knownAt) = try time.resolve()
            let fundId: FundId
            do { fundId = try FundId(fund) } catch let error as DomainError { throw CLIError.badInput("--fund: \(error.message)") }
            let report = try await connection.withLedger { store in
                do {
                    return try await ReportService(store: store).exposure(fund: fundId, asOf: asOf, knownAt: knownAt, topBorrowers: top)
                } catch let error as DomainError {
                    throw CLIError.failure(error.message)
                }
            }
            Self.print(report, format: format)
            if report.suspensionBreached || report.leverageBreached {
                note("pledger: warning: \(report.suspensionBreached ? "NPL ratio \(Human.percent(report.nonPerformingRatioBp)) exceeds the \(report.suspendThresholdBp.percent) threshold\(report.suspended ? "" : " — consider: pledger fund suspend --fund \(fundId)")" : "leverage above its maximum")")
                throw ExitCode(1)
            }
        }

        static func print(_ report: ExposureReport, format: OutputFormat) {
            switch format {
            case .json: Swift.print(CanonicalJSON.string(report.json))
            case .csv: Swift.print(report.csv, terminator: "")
            case .table: Swift.print(table(report))
            }
        }

        static func table(_ r: ExposureReport) -> String {
            var summary = Table([("", .left), ("", .right)])
            summary.headers = ["\(r.fundName) (\(r.fundId)) as of \(r.asOf)", ""]
            for contributor in Contributor.allCases where r.contributionsByContributor[contributor] != nil {
                summary.add(["  contributions, \(contributor.rawValue)", Human.yuan(r.contributionsByContributor[contributor]!)])
            }
            summary.add(["Contributed", Human.yuan(r.contributedFen)])
            summary.add(["Paid out", Human.yuan(r.paidOutFen)])
            summary.add(["Recoveries returned", Human.yuan(r.recoveriesReturnedFen)])
            summary.add(["Balance", Human.yuan(r.balanceFen)])
            summary.add(["Covered loans", String(r.coveredLoans)])
            summary.add(["Covered outstanding", Human.yuan(r.coveredOutstandingFen)])
            summary.add(["Contingent liability", Human.yuan(r.contingentLiabilityFen)])
            summary.add(["Pending claims (\(r.pendingFiled) filed, \(r.pendingApproved) approved)", Human.yuan(r.pendingClaimsFen)])
            summary.add(["Leverage (max \(Human.times(r.maxLeverageBp)))", Human.times(r.leverageBp) + (r.leverageBreached ? "  BREACHED" : "")])
            summary.add(["Coverage adequacy", Human.times(r.coverageAdequacyBp)])
            summary.add(["Non-performing", Human.yuan(r.nonPerformingFen)])
            summary.add(["NPL ratio (suspend above \(r.suspendThresholdBp.percent))", Human.percent(r.nonPerformingRatioBp) + (r.suspensionBreached ? "  BREACHED" : "")])
            summary.add(["Fund status", r.suspended ? "SUSPENDED" : "open for enrolment"])
            func breakdown(_ title: String, _ rows: [ExposureReport.Breakdown]) -> String {
                var table = Table([(title, .left), ("Loans", .right), ("Covered outstanding", .right), ("Contingent", .right), ("Non-performing", .right), ("Pending claims", .right)])
                for row in rows {
                    table.add([row.key, String(row.loans), Human.yuan(row.coveredOutstandingFen), Human.yuan(row.contingentLiabilityFen), Human.yuan(row.nonPerformingFen), Human.yuan(row.pendingClaimsFen)])
                }
                return table.render()
            }
            return [summary.render(), "", breakdown("Bank", r.byBank), "", breakdown("Largest borrowers", r.topBorrowers)].joined(separator: "\n")
        }
    }
}

extension GrowthReport.Dimension: ExpressibleByArgument {}
