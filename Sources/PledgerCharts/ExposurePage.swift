import PledgerDomain

/// The exposure page: the headline figures on `asOf`, then month by month the balance
/// against the contingent liability, leverage against its maximum and the NPL ratio
/// against the suspension threshold, the largest borrowers and the banks, and an appendix
/// with every month's figures exactly.
struct ExposurePage {
    /// The fund at each month end; the last is the report as of the page's date.
    var history: [ExposureReport]
    var provenance: Provenance
    var language: Language

    var report: ExposureReport { history[history.count - 1] }

    /// Each point's key (`data-report`): its date.
    func key(_ point: ExposureReport) -> String { point.asOf.description }

    /// The NPL ratio the fund enforces (defaulted cover, compensated included), and its JSON
    /// field; a log older than cover events falls back to the outstanding-based one.
    static func npl(_ r: ExposureReport) -> (Bp?, String) {
        r.coveredPrincipalFen.isPositive ? (r.coverNplRatioBp, "/cover_npl_ratio_bp") : (r.nonPerformingRatioBp, "/non_performing_ratio_bp")
    }

    func source(_ point: ExposureReport) -> Source {
        var query = [("fund_id", point.fundId.value), ("as_of", point.asOf.description), ("known_at", provenance.knownAt.description)]
        if point.asOf == report.asOf { query.append(("top", String(max(report.topBorrowers.count, 1)))) }
        return Source(key: key(point), path: "/v1/reports/fund-exposure", query: query)
    }

    var html: String {
        let l = language
        let r = report
        let k = key(report)
        var body =
            "<h1>\(Words.exposureTitle(l))</h1>\n<p class=\"subtitle\">" + Figure.text(k, "/fund_name", r.fundName).html + " ("
            + Figure.text(k, "/fund_id", r.fundId.value).html + ") · " + Words.asOf(l)
            + " <span id=\"as-of\">\(Markup.escape(r.asOf.description))</span></p>\n"

        let (npl, nplPath) = Self.npl(r)
        body +=
            "<div class=\"verdicts\"><div>\(Words.fundStatus(l)): "
            + (r.suspended ? "<span class=\"breached\">\(Words.suspended(l))</span>" : Words.open(l)) + "</div>"
            + "<div>\(Words.leverage(l)) " + Figure.times(k, "/leverage_bp", r.leverageBp).html + " / "
            + Figure.times(k, "/max_leverage_bp", r.maxLeverageBp).html
            + " "
            + (r.leverageBreached
                ? "<span class=\"breached\">\(Words.breached(l))</span>" : "<span class=\"met\">\(Words.within(l))</span>") + "</div>"
            + "<div>\(Words.npl(l)) " + Figure.percent(k, nplPath, npl).html + " / "
            + Figure.percent(k, "/suspend_threshold_bp", r.suspendThresholdBp).html
            + " "
            + (r.suspensionBreached
                ? "<span class=\"breached\">\(Words.breached(l))</span>" : "<span class=\"met\">\(Words.within(l))</span>")
            + "</div></div>\n"

        body += "<h2>\(Words.headline(l))</h2>\n<table><tbody>\n"
        let rows: [(Term, Figure)] = [
            (Words.balance, .yuan(k, "/balance_fen", r.balanceFen)), (Words.contributed, .yuan(k, "/contributed_fen", r.contributedFen)),
            (Words.paidOut, .yuan(k, "/paid_out_fen", r.paidOutFen)),
            (Words.recoveriesReturned, .yuan(k, "/recoveries_returned_fen", r.recoveriesReturnedFen)),
            (Words.coveredLoans, .count(k, "/covered_loans", r.coveredLoans)),
            (Words.coveredOutstanding, .yuan(k, "/covered_outstanding_fen", r.coveredOutstandingFen)),
            (Words.contingent, .yuan(k, "/contingent_liability_fen", r.contingentLiabilityFen)),
            (Words.pending, .yuan(k, "/pending_claims_fen", r.pendingClaimsFen)),
            (Words.nonPerforming, .yuan(k, "/non_performing_fen", r.nonPerformingFen)),
            (Words.coverage, .times(k, "/coverage_adequacy_bp", r.coverageAdequacyBp)),
            (Words.headroom, .yuan(k, "/enrolment_headroom_fen", r.enrolmentHeadroomFen)),
        ]
        for (term, figure) in rows {
            body += "<tr><th>\(term(l))</th><td class=\"n\">\(figure.html)</td><td>\(figure.unit == .yuan ? Words.yuan(l) : "")</td></tr>\n"
        }
        body += "</tbody></table>\n"

        let dates = history.map(\.asOf)
        let keys = history.map(key)
        let money = SeriesChart(
            id: "balance", dates: dates, reports: keys,
            series: [
                .init(
                    name: Words.balance(l), values: history.map(\.balanceFen.fen), path: "/balance_fen", marker: .square, dash: nil,
                    figure: { .wan($0, "/balance_fen", Money(fen: $1 ?? 0)) }),
                .init(
                    name: Words.contingent(l), values: history.map(\.contingentLiabilityFen.fen), path: "/contingent_liability_fen",
                    marker: .triangle, dash: "7 4",
                    figure: { .wan($0, "/contingent_liability_fen", Money(fen: $1 ?? 0)) }),
            ],
            limit: nil, axisTitle: Words.wan(l), tick: Amounts.wanTick, minimumStep: 1_000_000)
        body +=
            "<h2>\(Words.balanceVsContingent(l))</h2>\n<figure>\(money.svg)<figcaption>\(Words.monthEnd(l)); \(Words.wan(l))</figcaption></figure>\n"

        let leverage = SeriesChart(
            id: "leverage", dates: dates, reports: keys,
            series: [
                .init(
                    name: Words.leverage(l), values: history.map { $0.leverageBp?.value }, path: "/leverage_bp", marker: .circle, dash: nil,
                    figure: { .times($0, "/leverage_bp", $1.map(Bp.init)) })
            ],
            limit: .init(
                label: Words.maxLeverage(l) + " " + Figure.times(k, "/max_leverage_bp", r.maxLeverageBp).svg,
                values: history.map(\.maxLeverageBp.value)),
            axisTitle: Words.leverage(l) + " ×", tick: { Percent.times(Bp($0)) }, minimumStep: 100)
        body += "<h2>\(Words.leverageVsMax(l))</h2>\n<figure>\(leverage.svg)</figure>\n"

        let ratios = history.map { Self.npl($0) }
        let nplChart = SeriesChart(
            id: "npl", dates: dates, reports: keys,
            series: [
                .init(
                    name: Words.npl(l), values: ratios.map { $0.0?.value }, path: nplPath, marker: .diamond, dash: nil,
                    figure: { .percent($0, nplPath, $1.map(Bp.init)) })
            ],
            limit: .init(
                label: Words.threshold(l) + " " + Figure.percent(k, "/suspend_threshold_bp", r.suspendThresholdBp).svg,
                values: history.map(\.suspendThresholdBp.value)),
            axisTitle: Words.npl(l) + " %", tick: { Percent.text(Bp($0)) }, minimumStep: 10)
        body += "<h2>\(Words.nplVsThreshold(l))</h2>\n<figure>\(nplChart.svg)</figure>\n"

        body += "<h2>\(Words.topBorrowers(l))</h2>\n" + breakdown(r.topBorrowers, Words.borrower, "/top_borrowers", "borrower")
        body += "<h2>\(Words.byBankTable(l))</h2>\n" + breakdown(r.byBank, Words.bank, "/by_bank", "bank_id")
        body += "<section class=\"appendix\"><h2>\(Words.monthly(l))</h2>\n" + monthly() + "</section>\n"
        let title = Words.exposureTitle.plain(l) + " " + r.fundName + " " + r.asOf.description
        return Page.document(language: l, title: title, body: body, provenance: provenance, sources: history.map(source))
    }

    func breakdown(_ rows: [ExposureReport.Breakdown], _ name: Term, _ pointer: String, _ field: String) -> String {
        let l = language
        let k = key(report)
        var out =
            "<table><thead><tr><th>\(name(l))</th><th class=\"n\">\(Words.loans(l))</th><th class=\"n\">\(Words.coveredOutstanding(l))</th>"
            + "<th class=\"n\">\(Words.contingent(l))</th><th class=\"n\">\(Words.nonPerforming(l))</th><th class=\"n\">\(Words.pending(l))</th></tr></thead><tbody>\n"
        for (index, row) in rows.enumerated() {
            let at = "\(pointer)/\(index)"
            out +=
                "<tr><td>" + Figure.text(k, "\(at)/\(field)", row.key).html + "</td><td class=\"n\">"
                + Figure.count(k, "\(at)/loans", row.loans).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "\(at)/covered_outstanding_fen", row.coveredOutstandingFen).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "\(at)/contingent_liability_fen", row.contingentLiabilityFen).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "\(at)/non_performing_fen", row.nonPerformingFen).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "\(at)/pending_claims_fen", row.pendingClaimsFen).html + "</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    func monthly() -> String {
        let l = language
        var out =
            "<table><thead><tr><th>\(Words.monthEnd(l))</th><th class=\"n\">\(Words.balance(l))</th><th class=\"n\">\(Words.contingent(l))</th>"
            + "<th class=\"n\">\(Words.pending(l))</th><th class=\"n\">\(Words.leverage(l))</th><th class=\"n\">\(Words.npl(l))</th></tr></thead><tbody>\n"
        for point in history {
            let k = key(point)
            let (npl, path) = Self.npl(point)
            out +=
                "<tr><td>\(Markup.escape(k))</td><td class=\"n\">" + Figure.yuan(k, "/balance_fen", point.balanceFen).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "/contingent_liability_fen", point.contingentLiabilityFen).html
                + "</td><td class=\"n\">" + Figure.yuan(k, "/pending_claims_fen", point.pendingClaimsFen).html
                + "</td><td class=\"n\">" + Figure.times(k, "/leverage_bp", point.leverageBp).html
                + "</td><td class=\"n\">" + Figure.percent(k, path, npl).html + "</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}
