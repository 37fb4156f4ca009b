import PledgerDomain

/// The growth page: the total as bars against the target path, the verdicts (on average and
/// period by period) in words, the exact figures in a table, then each slicing as small
/// multiples on one shared scale.
struct GrowthPage {
    var total: GrowthReport
    /// Reports each sliced by one dimension.
    var slices: [GrowthReport]
    var provenance: Provenance
    var language: Language

    /// The API request for the JSON a report on this page was computed as.
    func source(_ key: String, _ report: GrowthReport) -> Source {
        var query = [("window", report.window.description), ("target_bp", String(report.targetBp.value))]
        if let dimension = report.dimension {
            query.append(("by", dimension.rawValue))
            if let level = report.regionLevel, level != .district { query.append(("rollup", level.rawValue)) }
        }
        if let asOf = report.asOf { query.append(("as_of", asOf.description)) }
        query.append(("known_at", provenance.knownAt.description))
        return Source(key: key, path: "/v1/reports/financing-growth", query: query)
    }

    var html: String {
        let l = language
        let range =
            total.window.isCalendarYears
            ? (total.fromYear == total.toYear ? "\(total.fromYear)" : "\(total.fromYear)–\(total.toYear)") : total.window.description
        var body = "<h1>\(Words.growthTitle(l)) \(Markup.escape(range))</h1>\n"
        body +=
            "<p class=\"subtitle\">"
            + (total.asOf.map { Words.asOf(l) + " <span id=\"as-of\">\(Markup.escape($0.description))</span> · " } ?? "")
            + Words.target(l) + " " + Figure.percent("total", "/target_bp", total.targetBp).html + " " + Words.perYear(l) + "</p>\n"
        body += verdicts("total", "", total.summary)
        let path = total.targetPath
        let main = GrowthChart(
            id: "growth-total", rows: total.years, path: path, target: total.targetBp, report: "total", pointer: "/years",
            language: l, compact: false, scale: GrowthChart.scale([(total.years, path)]))
        body += "<figure>\(main.svg)<figcaption>\(caption(total))</figcaption></figure>\n"
        body += table(total, path)
        for report in slices {
            guard let dimension = report.dimension else { continue }
            let key = dimension.rawValue
            body += "<h2>\(Words.dimension(dimension)(l))</h2>\n<div class=\"multiples\">\n"
            let paths = report.slices.map { GrowthReport.targetPath($0.years, target: report.targetBp) }
            let scale = GrowthChart.scale(zip(report.slices, paths).map { ($0.years, $1) })
            for (index, slice) in report.slices.enumerated() {
                let chart = GrowthChart(
                    id: "growth-\(key)-\(index)", rows: slice.years, path: paths[index], target: report.targetBp, report: key,
                    pointer: "/slices/\(index)/years", language: l, compact: true, scale: scale)
                // The slice's name as readers know it; its value as the JSON has it rides along.
                let title = Markup.element(
                    "h3",
                    [("data-report", key), ("data-path", "/slices/\(index)/value"), ("data-unit", "text"), ("data-value", slice.value)],
                    Words.slice(slice.value, of: dimension)(l))
                body +=
                    "<figure>\(title)\(chart.svg)<figcaption>\(Words.cagr(l)) "
                    + Figure.percent(key, "/slices/\(index)/cagr_bp", slice.summary.cagrBp).html
                    + verdictWord(slice.summary.targetMetOnAverage) + "</figcaption></figure>\n"
            }
            body += "</div>\n"
        }
        let sources = [source("total", total)] + slices.compactMap { report in report.dimension.map { source($0.rawValue, report) } }
        return Page.document(
            language: l, title: Words.growthTitle.plain(l) + " " + range, body: body, provenance: provenance, sources: sources)
    }

    func verdictWord(_ met: Bool?) -> String {
        guard let met else { return "" }
        return met ? " <span class=\"met\">\(Words.met(language))</span>" : " <span class=\"missed\">\(Words.missed(language))</span>"
    }

    /// Both verdicts, in words, above the chart.
    func verdicts(_ key: String, _ pointer: String, _ summary: GrowthReport.Summary) -> String {
        let l = language
        var out = "<div class=\"verdicts\">"
        if let from = summary.cagrFrom, let to = summary.cagrTo {
            out +=
                "<div>\(Words.cagr(l)) \(Markup.escape(from))–\(Markup.escape(to)): <strong>"
                + Figure.percent(key, "\(pointer)/cagr_bp", summary.cagrBp).html
                + "</strong> " + Words.onAverage(l) + verdictWord(summary.targetMetOnAverage) + "</div>"
        } else {
            out += "<div>\(Words.cagr(l)): —</div>"
        }
        if summary.periodsJudged > 0 {
            out +=
                "<div>\(Words.everyPeriod(l)): " + Figure.count(key, "\(pointer)/periods_met", summary.periodsMet).html + " / "
                + Figure.count(key, "\(pointer)/periods_judged", summary.periodsJudged).html + verdictWord(summary.targetMetEveryPeriod)
                + "</div>"
        }
        return out + "</div>\n"
    }

    func caption(_ report: GrowthReport) -> String {
        let l = language
        var notes: [String] = []
        for row in report.years where row.state != .complete {
            var note = Markup.escape(row.label) + " "
            switch row.state {
            case .yearToDate:
                note += Words.ytd(l) + Markup.escape(": \(row.start) – \(row.through!)")
                if let base = row.base {
                    note += ", " + Words.sameSpanLastYear(l) + Markup.escape(" \(base.start) – \(base.end)")
                }
                note += " (" + Words.provisional(l) + ")"
            case .partial: note += Words.partial(l) + Markup.escape(": \(row.start) – \(row.end)")
            case .notBegun: note += Words.notBegun(l)
            case .complete: break
            }
            notes.append(note)
        }
        let path =
            Words.targetPath(l) + ": " + Markup.escape(report.years.first?.label ?? "") + " × (1 + "
            + Markup.escape(Percent.text(report.targetBp)) + ")ⁿ"
        return ([path] + notes).joined(separator: "; ")
    }

    func table(_ report: GrowthReport, _ path: [Money?]) -> String {
        let l = language
        var out =
            "<table><thead><tr><th>\(report.window.isCalendarYears ? Words.year(l) : Words.period(l))</th><th class=\"n\">\(Words.loans(l))</th>"
            + "<th class=\"n\">\(Words.principal(l))（\(Words.yuan(l))）</th><th class=\"n\">\(Words.borrowers(l))</th><th class=\"n\">\(Words.yoy(l))</th>"
            + "<th class=\"n\">\(Words.yoyLoans(l))</th><th class=\"n\">\(Words.targetPath(l))（\(Words.yuan(l))）</th><th>\(Words.verdict(l))</th></tr></thead><tbody>\n"
        for (index, row) in report.years.enumerated() {
            let at = "/years/\(index)"
            var label = Markup.escape(row.label)
            if row.ytd { label += " " + Words.ytd(l) }
            if row.state == .partial { label += " " + Words.partial(l) }
            if row.state == .notBegun { label += " " + Words.notBegun(l) }
            var verdict = verdictWord(row.targetMet).trimmingPrefix(" ")
            if row.ytd && row.targetMet != nil { verdict += " (" + Words.provisional(l) + ")" }
            if row.ytd && row.base != nil && !row.principalFen.isPositive { verdict = Words.noLoansYet(l) }
            out +=
                "<tr><td>\(label)</td><td class=\"n\">" + Figure.count("total", "\(at)/loans", row.loans).html + "</td><td class=\"n\">"
                + Figure.yuan("total", "\(at)/principal_fen", row.principalFen).html + "</td><td class=\"n\">"
                + Figure.count("total", "\(at)/borrowers", row.borrowers).html
                + "</td><td class=\"n\">" + Figure.percent("total", "\(at)/principal_growth_bp", row.principalGrowthBp).html
                + "</td><td class=\"n\">"
                + Figure.percent("total", "\(at)/loan_growth_bp", row.loanGrowthBp).html + "</td><td class=\"n\">"
                + (path[index].map {
                    "<span data-target-of=\"\(at)\" data-target-fen=\"\($0.fen)\">\(Markup.escape(Amounts.yuan($0)))</span>"
                } ?? "—")
                + "</td><td>\(verdict.isEmpty ? "—" : verdict)</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}

extension String {
    func trimmingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
