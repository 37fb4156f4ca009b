import ArgumentParser
import Foundation
import PledgerApplication
import PledgerCharts
import PledgerDomain
import PledgerStore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the financing-growth, fund-exposure, risk-sharing and subsidy reports.",
        subcommands: [Growth.self, Exposure.self, RiskSharing.self, Subsidies.self]
    )

    /// The bitemporal options every report takes.
    struct TimeOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Business date the report is about (YYYY-MM-DD).", valueName: "date"))
        var asOf: String?
        @Option(
            help: ArgumentHelp("Only what the ledger knew at this time (e.g. 2025-01-15T09:00:00+08:00 or 2025-01-15).", valueName: "time"))
        var knownAt: String?

        func resolve() throws -> (asOf: BusinessDate?, knownAt: RecordedTime?) {
            try Self.resolve(asOf: asOf, knownAt: knownAt)
        }

        static func resolve(asOf: String?, knownAt: String?) throws -> (asOf: BusinessDate?, knownAt: RecordedTime?) {
            let date = try asOf.map { text in
                do { return try BusinessDate(parsing: text, field: "--as-of") } catch let error as DomainError {
                    throw ApplicationError.badInput("--as-of: \(error.message)")
                }
            }
            let time = try knownAt.map { text in
                guard let time = RecordedTime(parsing: text) else {
                    throw ApplicationError.badInput(
                        "--known-at: \"\(text)\" is not a time like 2025-01-15T09:00:00+08:00 or a date like 2025-01-15")
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
                By year of origination (or by 12-month periods of a --window): loans, principal, distinct borrowers, growth on the year before and whether the target was met — judged on the average (CAGR of the complete periods, as the plan's 年均增幅 is) and period by period. The current year is year-to-date, compared with the same span of the year before (同比); it never counts as a −100% year. Percentages print exactly, two decimals (14.99% misses a 15.00% target). --by slices the figures (slices add up to the totals to the fen; by kind, principal is split pro rata to the pledged valuations); --rollup groups region slices by city or province. --benchmark prints published figures beside the ledger's. Without --as-of/--known-at the read models answer; with them the log is folded as it stood.

                Examples:
                  pledger report growth --from 2022 --to 2025
                  pledger report growth --window 2022-08:2025-08
                  pledger report growth --by region --rollup city
                  pledger report growth --benchmark published.csv        (columns year,amount_yuan[,source])
                  pledger report growth --by kind --format csv > growth-by-kind.csv
                  pledger report growth --as-of 2024-12-31 --known-at 2025-01-15
                  pledger report growth --from 2022 --to 2025 --html growth.html      (a page with charts; --lang en for English)

                With --html FILE the report is written as one self-contained HTML page: yearly principal as bars with the target path from the base year, YoY and CAGR labelled, the current year marked year-to-date, and small multiples by bank, IP kind and industry (--by chooses one slicing instead). The page is drawn from the log as it stood at --known-at (default: now) for --as-of (default: today); its footer prints the ledger head it saw and the command that draws it again.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var time: TimeOptions
        @Option(help: "First year (default: three years before --to).") var from: Int?
        @Option(help: "Last year (default: the current year).") var to: Int?
        @Option(
            help: ArgumentHelp(
                "A window of months instead of years, e.g. 2022-08:2025-08 (both included), in 12-month periods.", valueName: "from:to"))
        var window: String?
        @Option(help: "Slice by bank, kind, industry, region, enrolled (in the fund or not) or scheme (risk-sharing scheme).") var by:
            GrowthReport.Dimension?
        @Option(help: "Group region slices at district, city or province level (implies --by region).") var rollup: RegionLevel?
        @Option(
            help: ArgumentHelp("A CSV of published figures (year,amount_yuan[,source]) to print beside the ledger's.", valueName: "file"))
        var benchmark: String?
        @Option(help: "Growth target in basis points (1500 = 15%).") var targetBp: Int64 = 1500
        @Flag(help: "Also print the monthly series.") var monthly = false
        @Option(help: "Output: table, csv or json (default: table).") var format: OutputFormat?
        @OptionGroup var page: PageOptions

        func run() async throws {
            let (asOf, knownAt) = try time.resolve()
            try page.validate(format: format, others: [("--benchmark", benchmark != nil), ("--monthly", monthly)])
            let span: MonthWindow
            do {
                if let window {
                    guard from == nil, to == nil else {
                        throw ApplicationError.badInput("--window replaces --from and --to; give one or the other")
                    }
                    span = try MonthWindow(parsing: window, field: "--window")
                } else {
                    let to = self.to ?? asOf?.year ?? BusinessDate(containing: .now()).year
                    let from = self.from ?? to - 3
                    guard from <= to, to - from <= 50 else {
                        throw ApplicationError.badInput("--from \(from) must be at most 50 years before --to \(to)")
                    }
                    span = try MonthWindow.years(from, to)
                }
            } catch let error as DomainError {
                throw ApplicationError.badInput("\(error.field): \(error.message)")
            }
            if rollup != nil, let by, by != .region {
                throw ApplicationError.badInput("--rollup groups regions; it goes with --by region (or without --by)")
            }
            let published: GrowthBenchmark? = try benchmark.map { path in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ApplicationError.badInput("--benchmark: cannot read \(path)")
                }
                do { return try GrowthBenchmark.parse(data) } catch let error as CSV.ParseError {
                    throw ApplicationError.badInput("\(path): \(error)")
                }
            }
            let dimension = rollup != nil ? .region : by
            if page.html != nil {
                try await writePage(span: span, dimension: dimension, asOf: asOf, knownAt: knownAt)
                return
            }
            var report = try await connection.withLedger { ledger in
                do {
                    return try await ledger.reads.reports.growth(
                        window: span, target: Bp(targetBp), by: dimension, regionLevel: rollup ?? .district,
                        asOf: asOf, knownAt: knownAt)
                } catch let error as DomainError {
                    throw ApplicationError.badInput("\(error.field): \(error.message)")
                }
            }
            if let published {
                do { report = try report.comparing(with: published) } catch let error as DomainError {
                    throw ApplicationError.badInput("--benchmark: \(error.message)")
                }
            }
            Self.print(report, format: format ?? .table, monthly: monthly)
        }

        /// The total and its slicings (by `dimension`, else by bank, kind and industry) as a page.
        func writePage(span: MonthWindow, dimension: GrowthReport.Dimension?, asOf: BusinessDate?, knownAt: RecordedTime?) async throws {
            let date = asOf ?? BusinessDate(containing: .now())
            let moment = PageOptions.moment(knownAt)
            let dimensions: [GrowthReport.Dimension] = dimension.map { [$0] } ?? [.bank, .kind, .industry]
            let (total, slices, seen) = try await connection.withLedger { ledger in
                do {
                    return try await ledger.reads.reports.growthFigures(
                        window: span, target: Bp(targetBp), dimensions: dimensions,
                        regionLevel: rollup ?? .district, asOf: date, knownAt: moment)
                } catch let error as DomainError {
                    throw ApplicationError.badInput("\(error.field): \(error.message)")
                }
            }
            var arguments =
                window != nil
                ? ["growth", "--window", span.description] : ["growth", "--from", String(span.from.year), "--to", String(span.to.year)]
            if targetBp != 1500 { arguments += ["--target-bp", String(targetBp)] }
            if let rollup { arguments += ["--rollup", rollup.rawValue] } else if let by { arguments += ["--by", by.rawValue] }
            arguments += ["--as-of", date.description, "--known-at", moment.description]
            let provenance = Provenance(position: seen.position, hash: seen.hash, knownAt: moment, reproduce: page.command(arguments))
            try page.write(ReportPages.growth(total, slices: slices, provenance: provenance, language: page.language))
        }

        static func print(_ report: GrowthReport, format: OutputFormat, monthly: Bool = false) {
            switch format {
            case .json: Swift.print(CanonicalJSON.string(report.json))
            case .csv: Swift.print(report.csv, terminator: "")
            case .table: Swift.print(report.text(monthly: monthly, width: Table.width))
            }
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
                  pledger report exposure --fund LC-IPRC --html exposure.html        (a page with charts; --lang en for English)

                With --html FILE the report is written as one self-contained HTML page: the headline figures, then at each month end since the fund was established (at most 60) the balance against the contingent liability, leverage against its maximum and the NPL ratio against the suspension threshold, the largest borrowers and the banks, and every month's figures in an appendix. Drawn from the log as it stood at --known-at (default: now); the footer prints the ledger head it saw and the command that draws it again. The exit code is the same as without --html.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var time: TimeOptions
        @Option(help: "Fund id.") var fund: String
        @Option(help: "How many of the largest borrowers to list.") var top: Int = 10
        @Option(help: "Output: table, csv or json (default: table).") var format: OutputFormat?
        @OptionGroup var page: PageOptions

        func run() async throws {
            let (asOf, knownAt) = try time.resolve()
            try page.validate(format: format, others: [])
            let fundId: FundId
            do { fundId = try FundId(fund) } catch let error as DomainError { throw ApplicationError.badInput("--fund: \(error.message)") }
            let report: ExposureReport
            if page.html != nil {
                let date = asOf ?? BusinessDate(containing: .now())
                let moment = PageOptions.moment(knownAt)
                let (history, seen) = try await connection.withLedger { ledger in
                    do {
                        return try await ledger.reads.reports.exposureFigures(fund: fundId, asOf: date, knownAt: moment, topBorrowers: top)
                    } catch let error as DomainError {
                        throw ApplicationError.failure(error.message)
                    }
                }
                var arguments = ["exposure", "--fund", fundId.value]
                if top != 10 { arguments += ["--top", String(top)] }
                arguments += ["--as-of", date.description, "--known-at", moment.description]
                let provenance = Provenance(position: seen.position, hash: seen.hash, knownAt: moment, reproduce: page.command(arguments))
                try page.write(ReportPages.exposure(history, provenance: provenance, language: page.language))
                report = history[history.count - 1]
            } else {
                report = try await connection.withLedger { ledger in
                    do {
                        return try await ledger.reads.reports.exposure(fund: fundId, asOf: asOf, knownAt: knownAt, topBorrowers: top)
                    } catch let error as DomainError {
                        throw ApplicationError.failure(error.message)
                    }
                }
                Self.print(report, format: format ?? .table)
            }
            if report.suspensionBreached || report.leverageBreached {
                let npl = report.coveredPrincipalFen.isPositive ? report.coverNplRatioBp : report.nonPerformingRatioBp
                note(
                    "pledger: warning: \(report.suspensionBreached ? "NPL ratio \(Human.percent(npl)) exceeds the \(report.suspendThresholdBp.percent) threshold\(report.suspended ? "" : " — enrolments are open; to stop them: pledger fund suspend --fund \(fundId) --reason … --reference …")" : "leverage above its maximum")"
                )
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
            for (label, amount) in [
                ("Interest credited", r.interestFen), ("Bank charges", r.bankChargesFen),
                ("Returned to contributors", r.contributionsReturnedFen),
                ("Transfers in", r.transfersInFen), ("Transfers out", r.transfersOutFen),
                ("Premium subsidies paid", r.premiumSubsidiesFen),
            ] where amount.isPositive {
                summary.add([label, Human.yuan(amount)])
            }
            summary.add(["Balance", Human.yuan(r.balanceFen)])
            summary.add(["Recovery shares owed to the fund", Human.yuan(r.owedToFundFen)])
            summary.add(["Covered loans", String(r.coveredLoans)])
            summary.add(["Covered outstanding", Human.yuan(r.coveredOutstandingFen)])
            summary.add(["Contingent liability", Human.yuan(r.contingentLiabilityFen)])
            summary.add(["Pending claims (\(r.pendingFiled) filed, \(r.pendingApproved) approved)", Human.yuan(r.pendingClaimsFen)])
            summary.add([
                "Leverage (max \(Human.times(r.maxLeverageBp)))", Human.times(r.leverageBp) + (r.leverageBreached ? "  BREACHED" : ""),
            ])
            summary.add(["Coverage adequacy", Human.times(r.coverageAdequacyBp)])
            summary.add(["Defaulted, not yet compensated (outstanding)", Human.yuan(r.nonPerformingFen)])
            summary.add(["Covered principal (cover granted, not yet released)", Human.yuan(r.coveredPrincipalFen)])
            summary.add(["Room for new cover (balance × max leverage − covered)", Human.yuan(r.enrolmentHeadroomFen)])
            summary.add(["Defaulted cover (compensated included)", Human.yuan(r.coverNonPerformingFen)])
            let npl = r.coveredPrincipalFen.isPositive ? r.coverNplRatioBp : r.nonPerformingRatioBp
            summary.add([
                "NPL ratio (suspend above \(r.suspendThresholdBp.percent))",
                Human.percent(npl) + (r.suspensionBreached ? "  BREACHED" : ""),
            ])
            summary.add(["Fund status", r.suspended ? "SUSPENDED (resume with `pledger fund resume`)" : "open for enrolment"])
            if !r.suspendedBanks.isEmpty {
                summary.add(["Banks suspended", r.suspendedBanks.map(\.value).joined(separator: ", ")])
            }
            func breakdown(_ title: String, _ rows: [ExposureReport.Breakdown]) -> String {
                var table = Table([
                    (title, .left), ("Loans", .right), ("Covered outstanding", .right), ("Contingent", .right), ("Non-performing", .right),
                    ("Pending claims", .right),
                ])
                for row in rows {
                    table.add([
                        row.key, String(row.loans), Human.yuan(row.coveredOutstandingFen), Human.yuan(row.contingentLiabilityFen),
                        Human.yuan(row.nonPerformingFen), Human.yuan(row.pendingClaimsFen),
                    ])
                }
                return table.render()
            }
            var parts = [summary.render(), "", breakdown("Bank", r.byBank), "", breakdown("Largest borrowers", r.topBorrowers)]
            if !r.schemeShares.isEmpty {
                var schemes = Table([
                    ("Risk-sharing scheme", .left), ("Loans", .right), ("Contingent", .right), ("Due", .right), ("Paid", .right),
                    ("Owed", .right), ("Recovered", .right),
                ])
                for share in r.schemeShares {
                    let row = share.row
                    schemes.add([
                        "\(share.schemeId) \(share.name)", String(row.loans), Human.yuan(row.contingentFen), Human.yuan(row.dueFen),
                        Human.yuan(row.paidFen), Human.yuan(row.owedFen), Human.yuan(row.recoveredFen),
                    ])
                }
                schemes.add(["Total", "", Human.yuan(r.schemeContingentFen), "", "", Human.yuan(r.schemeOwedFen), ""])
                parts += ["", "The fund's part in risk-sharing schemes (beside its own cover above):", schemes.render()]
            }
            return parts.joined(separator: "\n")
        }
    }
}

extension ReportCommand {
    struct RiskSharing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "risk-sharing",
            abstract: "Per party of a scheme: contingent share, shares due, paid, owed, recovered and net loss.",
            discussion: """
                The table a district sends to the province. Contingent: the party's share of the enrolled loans still performing, were they to default now. Due: its shares of the defaulted loans' losses. Paid: what it settled (the bank bears its share by keeping it, so its paid is its share). Owed: shares not yet settled. Recovered: its part of the recoveries shared back. Net loss: paid − recovered. The shares add up to the losses exactly (every share but the bank's rounds down; the bank takes the rest).

                Examples:
                  pledger report risk-sharing --scheme ZS
                  pledger report risk-sharing --scheme ZS --format csv > 风险分担-ZS.csv
                """)
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var scheme: SchemeCommand.SchemeOption
        @Option(help: "Output: table, csv or json (default: table).") var format: OutputFormat?

        func run() async throws {
            let id = try scheme.id()
            let report = try await connection.withLedger { ledger in
                do { return try await ledger.reads.reports.riskSharing(scheme: id) } catch let error as DomainError {
                    throw ApplicationError.failure(error.message)
                }
            }
            switch format ?? .table {
            case .json: print(CanonicalJSON.string(report.json))
            case .csv: print(report.csv, terminator: "")
            case .table: print(Self.table(report))
            }
        }

        static func table(_ r: RiskSharingReport) -> String {
            var summary = Table([("", .left), ("", .right)])
            summary.headers = ["\(r.name) (\(r.schemeId))", ""]
            summary.add(["Loans enrolled", String(r.enrolledLoans)])
            summary.add(["  performing (outstanding \(Human.yuan(r.activeOutstandingFen)))", String(r.activeLoans)])
            summary.add(["  loss shared", String(r.sharedLoans)])
            summary.add(["  defaulted, loss not shared yet", String(r.awaitingSharing)])
            summary.add(["Losses shared", Human.yuan(r.lossFen)])
            summary.add(["Recovered and shared back", Human.yuan(r.recoveredFen)])
            var parties = Table([
                ("Party", .left), ("Loans", .right), ("Contingent", .right), ("Due", .right), ("Paid", .right), ("Owed", .right),
                ("Recovered", .right), ("Net loss", .right),
            ])
            let rows = r.parties.map { ($0.party.description + ($0.cappedLoans > 0 ? " (capped on \($0.cappedLoans))" : ""), $0) }
            for (name, row) in rows + [("Total", r.total)] {
                parties.add([
                    name, String(row.loans), Human.yuan(row.contingentFen), Human.yuan(row.dueFen), Human.yuan(row.paidFen),
                    Human.yuan(row.owedFen), Human.yuan(row.recoveredFen), Human.yuan(row.netLossFen),
                ])
            }
            return [summary.render(), "", SchemeCommand.versions(r.versions), "", parties.render()].joined(separator: "\n")
        }
    }
}

extension ReportCommand {
    struct Subsidies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A subsidy programme's budget, committed (approved) and paid, by firm and year.",
            discussion: """
                Basis: the interest paid (interest programmes) or the fees (appraisal-fee programmes) the applications cite; entitled: what the ledger computed for them; approved: committed against the budget; paid. Rejected applications are left out.

                Examples:
                  pledger report subsidies --programme TX-2024
                  pledger report subsidies --programme TX-2024 --format csv
                """)
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: SubsidyCommand.ProgrammeOption
        @Option(help: "Output: table, csv or json (default: table).") var format: OutputFormat?

        func run() async throws {
            let id = try programme.id()
            let report = try await connection.withLedger { ledger in
                do { return try await ledger.reads.reports.subsidies(programme: id) } catch let error as DomainError {
                    throw ApplicationError.failure(error.message)
                }
            }
            switch format ?? .table {
            case .json: print(CanonicalJSON.string(report.json))
            case .csv: print(report.csv, terminator: "")
            case .table: print(Self.table(report))
            }
        }

        static func table(_ r: SubsidyReport) -> String {
            let t = r.terms
            var summary = Table([("", .left), ("", .right)])
            summary.headers = ["\(t.name) (\(t.programmeId))", ""]
            summary.add(["Kind", t.kind == .interest ? "interest (贴息)" : "appraisal fee (评估费补贴)"])
            summary.add([
                "Rate, cap",
                "\(t.rateBp.percent), at most \(Human.yuan(t.capFen)) \(t.kind == .interest ? "per firm per year" : "per valuation")",
            ])
            summary.add(["Payments from", "\(t.startsOn) to \(t.endsOn)"])
            summary.add(["Budget", Human.yuan(t.budgetFen)])
            summary.add(["Committed (approved)", Human.yuan(r.committedFen)])
            summary.add(["Paid", Human.yuan(r.paidFen)])
            summary.add(["Left", Human.yuan(r.remainingFen)])
            summary.add(["Applications awaiting a decision", String(r.pending)])
            var rows = Table([
                ("Firm", .left), ("Year", .right), ("Applications", .right), ("Basis", .right), ("Entitled", .right), ("Approved", .right),
                ("Paid", .right),
            ])
            for row in r.rows {
                rows.add([
                    row.borrower.value, String(row.year), String(row.applications), Human.yuan(row.basisFen), Human.yuan(row.entitledFen),
                    Human.yuan(row.approvedFen), Human.yuan(row.paidFen),
                ])
            }
            return [summary.render(), "", rows.render()].joined(separator: "\n")
        }
    }
}

extension GrowthReport.Dimension: ExpressibleByArgument {}
extension RegionLevel: ExpressibleByArgument {}
