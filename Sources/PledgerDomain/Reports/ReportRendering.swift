import Foundation

/// Machine forms of the reports — JSON (canonical) and CSV — shared by the CLI and the
/// HTTP API. Amounts are integer fen and ratios integer basis points, so nothing is lost.
extension GrowthReport {
    /// Canonical JSON. The keys of earlier versions are unchanged; periods gain their span,
    /// state and base, the report and each slice gain both verdicts.
    public var json: JSONValue {
        func date(_ value: BusinessDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
        func years(_ rows: [Period]) -> JSONValue {
            .array(
                rows.map { row in
                    object([
                        ("year", .integer(Int64(row.year))), ("loans", .integer(Int64(row.loans))),
                        ("principal_fen", .integer(row.principalFen.fen)), ("borrowers", .integer(Int64(row.borrowers))),
                        ("principal_growth_bp", row.principalGrowthBp.map { .integer($0.value) } ?? .null),
                        ("loan_growth_bp", row.loanGrowthBp.map { .integer($0.value) } ?? .null),
                        ("target_met", row.targetMet.map(JSONValue.bool) ?? .null),
                        ("period", .string(row.label)), ("start", date(row.start)), ("end", date(row.end)), ("through", date(row.through)),
                        ("state", .string(row.state.rawValue)), ("ytd", .bool(row.ytd)),
                        ("base_start", date(row.base?.start)), ("base_end", date(row.base?.end)),
                        ("base_loans", row.base.map { .integer(Int64($0.loans)) } ?? .null),
                        ("base_principal_fen", row.base.map { .integer($0.principalFen.fen) } ?? .null),
                    ])
                })
        }
        func verdicts(_ summary: Summary) -> [(String, JSONValue)] {
            [
                ("cagr_bp", summary.cagrBp.map { .integer($0.value) } ?? .null),
                ("cagr_from", summary.cagrFrom.map(JSONValue.string) ?? .null), ("cagr_to", summary.cagrTo.map(JSONValue.string) ?? .null),
                ("cagr_periods", .integer(Int64(summary.cagrPeriods))),
                ("target_met_on_average", summary.targetMetOnAverage.map(JSONValue.bool) ?? .null),
                ("target_met_every_period", summary.targetMetEveryPeriod.map(JSONValue.bool) ?? .null),
                ("periods_judged", .integer(Int64(summary.periodsJudged))), ("periods_met", .integer(Int64(summary.periodsMet))),
            ]
        }
        let optionalBp = { (value: Bp?) -> JSONValue in value.map { .integer($0.value) } ?? .null }
        return object(
            [
                ("from_year", .integer(Int64(fromYear))), ("to_year", .integer(Int64(toYear))), ("target_bp", .integer(targetBp.value)),
                ("from_month", .string(window.from.description)), ("to_month", .string(window.to.description)),
                ("period_kind", .string(window.isCalendarYears ? "calendar_years" : "12_months")), ("as_of", date(asOf)),
                ("years", years(self.years)),
            ] + verdicts(summary) + [
                ("by", dimension.map { .string($0.rawValue) } ?? .null),
                ("region_level", regionLevel.map { .string($0.rawValue) } ?? .null),
                (
                    "slices",
                    .array(
                        slices.map { slice in
                            object([("value", .string(slice.value)), ("years", years(slice.years))] + verdicts(slice.summary))
                        })
                ),
                (
                    "monthly",
                    .array(
                        monthly.map { month in
                            object([
                                ("month", .string(month.month)), ("loans", .integer(Int64(month.loans))),
                                ("principal_fen", .integer(month.principalFen.fen)),
                            ])
                        })
                ),
                (
                    "benchmark",
                    benchmark.map { rows in
                        .array(
                            rows.map { row in
                                object([
                                    ("year", .integer(Int64(row.year))), ("state", .string(row.state.rawValue)),
                                    ("published_fen", row.publishedFen.map { .integer($0.fen) } ?? .null),
                                    ("source", row.source.map(JSONValue.string) ?? .null),
                                    ("ours_fen", .integer(row.oursFen.fen)),
                                    ("difference_fen", row.differenceFen.map { .integer($0.fen) } ?? .null),
                                    ("difference_bp", optionalBp(row.differenceBp)),
                                ])
                            })
                    } ?? .null
                ),
                ("benchmark_years_outside", .array(benchmarkYearsOutside.map { .integer(Int64($0)) })),
            ])
    }

    /// One row per period (and slice), integer fen and bp; the columns of earlier versions
    /// come first and unchanged. Each row repeats its series' CAGR and verdicts. With a
    /// benchmark, a second table follows after a blank line: published, ours, difference.
    public var csv: String {
        var lines = [
            "slice,year,loans,principal_fen,borrowers,principal_growth_bp,loan_growth_bp,target_met,"
                + "period,start,end,through,state,ytd,base_start,base_end,base_loans,base_principal_fen,cagr_bp,target_met_on_average,target_met_every_period"
        ]
        func flag(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "" }
        let groups: [(String, [Period], Summary)] =
            dimension == nil ? [("total", years, summary)] : slices.map { ($0.value, $0.years, $0.summary) }
        for (slice, rows, summary) in groups {
            for row in rows {
                var cells: [String] = [
                    CSV.field(slice), String(row.year), String(row.loans), String(row.principalFen.fen), String(row.borrowers),
                ]
                cells += [
                    row.principalGrowthBp.map { String($0.value) } ?? "", row.loanGrowthBp.map { String($0.value) } ?? "",
                    flag(row.targetMet),
                ]
                cells += [
                    CSV.field(row.label), row.start.description, row.end.description, row.through?.description ?? "", row.state.rawValue,
                    flag(row.ytd),
                ]
                let base: Base? = row.base
                cells += [
                    base?.start.description ?? "", base?.end.description ?? "", base.map { String($0.loans) } ?? "",
                    base.map { String($0.principalFen.fen) } ?? "",
                ]
                cells += [
                    summary.cagrBp.map { String($0.value) } ?? "", flag(summary.targetMetOnAverage), flag(summary.targetMetEveryPeriod),
                ]
                lines.append(cells.joined(separator: ","))
            }
        }
        if let benchmark {
            lines += ["", "year,state,published_fen,ours_fen,difference_fen,difference_bp,source"]
            for row in benchmark {
                lines.append(
                    [
                        String(row.year), row.state.rawValue, row.publishedFen.map { String($0.fen) } ?? "", String(row.oursFen.fen),
                        row.differenceFen.map { String($0.fen) } ?? "", row.differenceBp.map { String($0.value) } ?? "",
                        CSV.field(row.source ?? ""),
                    ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report for people, as tables whose cells are final: every percentage goes through
    /// `Percent.text`, so what is printed is what the verdict was decided on.
    public func tables(monthly showMonthly: Bool = false) -> [TextTable] {
        let byYear = window.isCalendarYears
        let unit = byYear ? "year" : "period"
        func name(_ row: Period) -> String {
            switch row.state {
            case .complete: row.label
            case .yearToDate: "\(row.label) YTD"
            case .partial: "\(row.label) partial"
            case .notBegun: "\(row.label) not begun"
            }
        }
        func verdict(_ row: Period) -> String {
            if row.ytd && row.base != nil && !row.principalFen.isPositive { return "— no loans yet" }
            guard let met = row.targetMet else { return "—" }
            return (met ? "met" : "MISSED") + (row.ytd ? " (YTD)" : "")
        }
        func series(_ title: [String], _ rows: [Period], _ summary: Summary) -> TextTable {
            var table = TextTable(
                title: title,
                headers: [
                    byYear ? "Year" : "Period", "Loans", "Principal (yuan)", "Borrowers", "YoY principal", "YoY loans",
                    "Target \(Percent.text(targetBp))",
                ],
                alignments: [.left, .right, .right, .right, .right, .right, .left])
            for row in rows {
                table.rows.append([
                    name(row), String(row.loans), row.principalFen.description, String(row.borrowers),
                    Percent.text(row.principalGrowthBp), Percent.text(row.loanGrowthBp), verdict(row),
                ])
            }
            for row in rows where row.state != .complete {
                let against = row.base.map { ", against \($0.start) to \($0.end) (the same span a year earlier)" } ?? ""
                switch row.state {
                case .yearToDate:
                    table.notes.append(
                        "\(row.label) is \(byYear ? "year" : "period")-to-date: \(row.start) to \(row.through!)\(against)"
                            + (row.base != nil && !row.principalFen.isPositive
                                ? "; no loans recorded yet, so no growth figure" : "; provisional") + "; not in the CAGR.")
                case .partial:
                    table.notes.append("\(row.label) is a partial period: \(row.start) to \(row.end)\(against); not in the CAGR.")
                case .notBegun:
                    table.notes.append("\(row.label) has not begun on \(asOf!).")
                case .complete: break
                }
            }
            if let cagr = summary.cagrBp, let from = summary.cagrFrom, let to = summary.cagrTo {
                let span = byYear ? "\(from)–\(to)" : "\(from) to \(to)"
                table.notes.append(
                    "CAGR \(span) (\(summary.cagrPeriods) \(unit)\(summary.cagrPeriods == 1 ? "" : "s")): \(Percent.text(cagr)) — target \(Percent.text(targetBp)) "
                        + (summary.targetMetOnAverage == true ? "met on average" : "MISSED on average"))
            } else {
                table.notes.append("CAGR: — (needs two complete \(unit)s, the first with loans)")
            }
            if summary.periodsJudged > 0 {
                table.notes.append(
                    "\(byYear ? "Year by year" : "Period by period"): \(summary.periodsMet) of \(summary.periodsJudged) complete \(unit)s met the target"
                )
            }
            return table
        }
        let range =
            byYear ? (fromYear == toYear ? "\(fromYear)" : "\(fromYear)–\(toYear)") : "\(window.from) to \(window.to), in 12-month periods"
        var out = [series(["IP pledge financing \(range)" + (asOf.map { ", as of \($0)" } ?? "")], years, summary)]
        for slice in slices {
            let level = regionLevel.map { $0 == .district ? "" : " (\($0.rawValue))" } ?? ""
            out.append(series(["\(dimension!.rawValue)\(level): \(slice.value)"], slice.years, slice.summary))
        }
        if let benchmark {
            var table = TextTable(
                title: ["Published figures beside ours"],
                headers: ["Year", "Published (yuan)", "Ours (yuan)", "Difference (yuan)", "Difference", "Source"],
                alignments: [.left, .right, .right, .right, .right, .left])
            for row in benchmark {
                table.rows.append([
                    row.state == .complete
                        ? String(row.year)
                        : "\(row.year) \(row.state == .yearToDate ? "YTD" : row.state == .partial ? "partial" : "not begun")",
                    row.publishedFen?.description ?? "—", row.oursFen.description, row.differenceFen?.description ?? "—",
                    Percent.text(row.differenceBp), row.source ?? "",
                ])
            }
            table.notes.append("Difference = ours − published, relative to published (rounded down); none for an incomplete year.")
            if !benchmarkYearsOutside.isEmpty {
                table.notes.append(
                    "Published years outside the report, not compared: \(benchmarkYearsOutside.map(String.init).joined(separator: ", ")).")
            }
            out.append(table)
        }
        if showMonthly {
            var table = TextTable(title: [], headers: ["Month", "Loans", "Principal (yuan)"], alignments: [.left, .right, .right])
            for month in monthly { table.rows.append([month.month, String(month.loans), month.principalFen.description]) }
            out.append(table)
        }
        return out
    }

    /// `tables(monthly:)` laid out, one blank line between tables. `width` measures a cell
    /// in terminal columns (the CLI passes one counting CJK characters as two).
    public func text(monthly: Bool = false, width: (String) -> Int = { $0.count }) -> String {
        tables(monthly: monthly).map { $0.render(width: width) }.joined(separator: "\n\n")
    }
}

/// A table for people whose cells are already formatted; renderings only lay it out.
public struct TextTable: Sendable, Hashable {
    public enum Alignment: Sendable, Hashable { case left, right }

    /// Lines printed above the table, and below it.
    public var title: [String]
    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []
    public var notes: [String] = []

    public init(title: [String] = [], headers: [String], alignments: [Alignment], rows: [[String]] = [], notes: [String] = []) {
        self.title = title
        self.headers = headers
        self.alignments = alignments
        self.rows = rows
        self.notes = notes
    }

    /// Columns padded to their widest cell, two spaces apart, a rule under the headers.
    public func render(width: (String) -> Int = { $0.count }) -> String {
        var widths = headers.map(width)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, (index < widths.count ? widths[index] : 0) - width(cell)))
                return index < alignments.count && alignments[index] == .right ? padding + cell : cell + padding
            }.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let body = [line(headers), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")] + rows.map(line)
        return (title + (title.isEmpty ? [] : [""]) + body + notes).joined(separator: "\n")
    }
}

extension ExposureReport {
    public var json: JSONValue {
        func breakdown(_ rows: [Breakdown], _ key: String) -> JSONValue {
            .array(
                rows.map { row in
                    object([
                        (key, .string(row.key)), ("loans", .integer(Int64(row.loans))),
                        ("covered_outstanding_fen", .integer(row.coveredOutstandingFen.fen)),
                        ("contingent_liability_fen", .integer(row.contingentLiabilityFen.fen)),
                        ("non_performing_fen", .integer(row.nonPerformingFen.fen)),
                        ("pending_claims_fen", .integer(row.pendingClaimsFen.fen)), ("owed_to_fund_fen", .integer(row.owedToFundFen.fen)),
                    ])
                })
        }
        let optionalBp = { (value: Bp?) -> JSONValue in value.map { .integer($0.value) } ?? .null }
        return object([
            ("fund_id", .string(fundId.value)), ("fund_name", .string(fundName)), ("as_of", .string(asOf.description)),
            (
                "contributions_fen",
                object(contributionsByContributor.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .integer($0.value.fen)) })
            ),
            ("contributed_fen", .integer(contributedFen.fen)), ("paid_out_fen", .integer(paidOutFen.fen)),
            ("recoveries_returned_fen", .integer(recoveriesReturnedFen.fen)), ("balance_fen", .integer(balanceFen.fen)),
            ("interest_fen", .integer(interestFen.fen)), ("bank_charges_fen", .integer(bankChargesFen.fen)),
            ("contributions_returned_fen", .integer(contributionsReturnedFen.fen)), ("transfers_in_fen", .integer(transfersInFen.fen)),
            ("transfers_out_fen", .integer(transfersOutFen.fen)), ("premium_subsidies_fen", .integer(premiumSubsidiesFen.fen)),
            ("owed_to_fund_fen", .integer(owedToFundFen.fen)),
            ("covered_loans", .integer(Int64(coveredLoans))), ("covered_outstanding_fen", .integer(coveredOutstandingFen.fen)),
            ("contingent_liability_fen", .integer(contingentLiabilityFen.fen)), ("pending_claims_fen", .integer(pendingClaimsFen.fen)),
            ("pending_claims_filed", .integer(Int64(pendingFiled))), ("pending_claims_approved", .integer(Int64(pendingApproved))),
            ("leverage_bp", optionalBp(leverageBp)), ("max_leverage_bp", .integer(maxLeverageBp.value)),
            ("leverage_breached", .bool(leverageBreached)),
            ("coverage_adequacy_bp", optionalBp(coverageAdequacyBp)), ("non_performing_fen", .integer(nonPerformingFen.fen)),
            ("non_performing_ratio_bp", optionalBp(nonPerformingRatioBp)), ("suspend_threshold_bp", .integer(suspendThresholdBp.value)),
            ("suspension_breached", .bool(suspensionBreached)), ("suspended", .bool(suspended)),
            ("covered_principal_fen", .integer(coveredPrincipalFen.fen)), ("cover_non_performing_fen", .integer(coverNonPerformingFen.fen)),
            ("cover_npl_ratio_bp", optionalBp(coverNplRatioBp)), ("enrolment_headroom_fen", .integer(enrolmentHeadroomFen.fen)),
            ("suspended_banks", .array(suspendedBanks.map { .string($0.value) })),
            ("by_bank", breakdown(byBank, "bank_id")), ("top_borrowers", breakdown(topBorrowers, "borrower")),
            ("scheme_contingent_fen", .integer(schemeContingentFen.fen)), ("scheme_owed_fen", .integer(schemeOwedFen.fen)),
            (
                "scheme_shares",
                .array(
                    schemeShares.map { share in
                        object([
                            ("scheme_id", .string(share.schemeId.value)), ("name", .string(share.name)),
                            ("loans", .integer(Int64(share.row.loans))), ("contingent_fen", .integer(share.row.contingentFen.fen)),
                            ("due_fen", .integer(share.row.dueFen.fen)), ("paid_fen", .integer(share.row.paidFen.fen)),
                            ("owed_fen", .integer(share.row.owedFen.fen)), ("recovered_fen", .integer(share.row.recoveredFen.fen)),
                        ])
                    })
            ),
        ])
    }

    /// The headline figures as `metric,value` rows, then the by-bank breakdown.
    public var csv: String {
        guard case .object(let root) = json else { return "" }
        var lines = ["metric,value"]
        for member in root.members {
            switch member.value {
            case .integer(let n): lines.append("\(member.key),\(n)")
            case .bool(let flag): lines.append("\(member.key),\(flag)")
            case .string(let text): lines.append("\(member.key),\(CSV.field(text))")
            case .null: lines.append("\(member.key),")
            default: continue
            }
        }
        lines.append("")
        lines.append(
            "bank_id,loans,covered_outstanding_fen,contingent_liability_fen,non_performing_fen,pending_claims_fen,owed_to_fund_fen")
        for row in byBank {
            lines.append(
                "\(CSV.field(row.key)),\(row.loans),\(row.coveredOutstandingFen.fen),\(row.contingentLiabilityFen.fen),\(row.nonPerformingFen.fen),\(row.pendingClaimsFen.fen),\(row.owedToFundFen.fen)"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Builds a JSON object from pairs whose keys are known to be distinct.
func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
    var result = JSONObject()
    for (key, value) in pairs { result.set(key, value) }
    return .object(result)
}
