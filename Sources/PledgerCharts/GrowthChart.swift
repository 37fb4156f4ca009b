import PledgerDomain

/// Principal lent per period as bars, with the target path from the base period as a
/// dashed line with hollow markers. An incomplete period (year-to-date, partial) is
/// hatched and labelled so, and its comparison — the same span a year earlier — is drawn
/// across its bar, so nobody reads a half year as a collapse. The full chart labels each
/// bar with its principal (万元) and its YoY growth; the small multiples of the slices
/// keep the principal only and share one scale, so their bars compare.
struct GrowthChart {
    var id: String
    var rows: [GrowthReport.Period]
    var path: [Money?]
    var target: Bp
    /// The JSON source and the pointer to the periods in it (`/years`, `/slices/2/years`).
    var report: String
    var pointer: String
    var language: Language
    var compact: Bool
    var scale: Scale

    /// A scale covering the principal, the path and the bases of several series.
    static func scale(_ series: [(rows: [GrowthReport.Period], path: [Money?])]) -> Scale {
        Scale(
            covering: series.flatMap { s in
                s.rows.map(\.principalFen.fen) + s.path.compactMap { $0?.fen } + s.rows.compactMap { $0.base?.principalFen.fen }
            },
            ticks: 4, minimumStep: 1_000_000)
    }

    var svg: String {
        let width: Double = compact ? 240 : 720
        let height: Double = compact ? 168 : 320
        // Room on the right for the label of an incomplete last period's comparison.
        let labelledBase = !compact && rows.last.map { $0.state != .complete && $0.base != nil } == true
        let left: Double = compact ? 40 : 64
        let right: Double = compact ? 6 : labelledBase ? 150 : 18
        let top: Double = compact ? 16 : 46
        let bottom: Double = compact ? 30 : 50
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let font = compact ? "8.5" : "11"
        func y(_ fen: Int64) -> Double { top + plotHeight * (1 - scale.fraction(fen)) }
        let band = plotWidth / Double(max(rows.count, 1))
        func center(_ index: Int) -> Double { left + band * (Double(index) + 0.5) }
        var parts: [String] = [Svg.definitions(id)]

        // Grid and value axis, in 万元.
        for tick in scale.ticks {
            parts.append(
                Svg.line(
                    left, y(tick), width - right, y(tick),
                    [("stroke", tick == 0 ? "#000" : "#c8c8c8"), ("stroke-width", tick == 0 ? "1" : "0.6")]))
            parts.append(
                Svg.text(
                    x: left - 4, y: y(tick) + 3.5, Markup.escape(Amounts.wanTick(tick)), [("text-anchor", "end"), ("font-size", font)]))
        }
        parts.append(Svg.text(x: 2, y: compact ? 10 : 14, Words.wan(language), [("font-size", font)]))
        if !compact {
            // Legend: the shapes, not the colours, carry the meaning.
            parts.append(Svg.rect(x: 150, y: 5, width: 14, height: 10, [("fill", "#2f5597")]))
            parts.append(Svg.text(x: 168, y: 14, Words.principal(language), [("font-size", font)]))
            if rows.contains(where: { $0.state == .yearToDate || $0.state == .partial }) {
                parts.append(Svg.rect(x: 300, y: 5, width: 14, height: 10, [("fill", "url(#\(id)-hatch)"), ("stroke", "#2f5597")]))
                let incomplete = rows.contains { $0.state == .yearToDate } ? Words.ytd : Words.partial
                parts.append(Svg.text(x: 318, y: 14, incomplete(language), [("font-size", font)]))
            }
            parts.append(Svg.line(420, 10, 448, 10, [("stroke", "#000"), ("stroke-width", "1.6"), ("stroke-dasharray", "6 4")]))
            parts.append(Svg.marker(.circle, x: 434, y: 10, [("fill", "#fff"), ("stroke", "#000"), ("stroke-width", "1.4")]))
            parts.append(
                Svg.text(
                    x: 452, y: 14, Words.targetPath(language) + Markup.escape(" \(Percent.text(target)) ") + Words.perYear(language),
                    [("font-size", font)]))
        }

        for (index, row) in rows.enumerated() {
            let at = "\(pointer)/\(index)"
            let barWidth = band * (compact ? 0.62 : 0.56)
            let x = center(index) - barWidth / 2
            let complete = row.state == .complete
            if row.state != .notBegun {
                let value = row.principalFen.fen
                let top = min(y(value), y(0))
                let bottom = max(y(value), y(0))
                parts.append(
                    Svg.rect(
                        x: x, y: top, width: barWidth, height: bottom - top,
                        [
                            ("fill", complete ? "#2f5597" : "url(#\(id)-hatch)"), ("stroke", "#2f5597"), ("stroke-width", "1"),
                            ("data-report", report), ("data-path", "\(at)/principal_fen"), ("data-value", String(value)),
                        ]))
                parts.append(
                    Svg.text(
                        x: center(index), y: top - 4, Figure.wan(report, "\(at)/principal_fen", row.principalFen).svg,
                        [("text-anchor", "middle"), ("font-size", font), ("class", "halo")]))
                if let base = row.base, !complete, !compact {
                    // What an incomplete period is compared with: the same span a year earlier.
                    let by = y(base.principalFen.fen)
                    parts.append(
                        Svg.line(
                            x - 6, by, x + barWidth + 6, by, [("stroke", "#000"), ("stroke-width", "1.2"), ("stroke-dasharray", "2 2")]))
                    parts.append(
                        Svg.text(
                            x: x + barWidth + 8, y: by + 4,
                            Words.sameSpanLastYear(language) + " " + Figure.wan(report, "\(at)/base_principal_fen", base.principalFen).svg,
                            [("font-size", "10"), ("class", "halo")]))
                }
            }
            // Period label, its state, and (full chart) its YoY growth.
            var label = Markup.escape(row.label)
            switch row.state {
            case .complete: break
            case .yearToDate: label += " " + Words.ytd(language)
            case .partial: label += " " + Words.partial(language)
            case .notBegun: label += " " + Words.notBegun(language)
            }
            if compact && row.state != .complete {
                // Two short lines, so that neighbouring labels in a narrow chart do not collide.
                parts.append(
                    Svg.text(
                        x: center(index), y: height - bottom + 11, Markup.escape(row.label),
                        [("text-anchor", "middle"), ("font-size", font)]))
                let state = row.state == .yearToDate ? Words.ytd : row.state == .partial ? Words.partial : Words.notBegun
                parts.append(
                    Svg.text(x: center(index), y: height - bottom + 22, state(language), [("text-anchor", "middle"), ("font-size", "7.5")]))
            } else {
                parts.append(
                    Svg.text(
                        x: center(index), y: height - bottom + (compact ? 12 : 16), label, [("text-anchor", "middle"), ("font-size", font)])
                )
            }
            if !compact {
                let growth =
                    index == 0
                    ? Words.baseYear(language)
                    : Words.yoy(language) + " " + Figure.percent(report, "\(at)/principal_growth_bp", row.principalGrowthBp).svg
                parts.append(Svg.text(x: center(index), y: height - bottom + 32, growth, [("text-anchor", "middle"), ("font-size", font)]))
            }
        }

        // The target path, over the complete periods.
        let points = path.enumerated().compactMap { index, value in value.map { (index, $0) } }
        if points.count >= 1 {
            parts.append(
                Svg.polyline(
                    points.map { (center($0.0), y($0.1.fen)) },
                    [("stroke", "#000"), ("stroke-width", compact ? "1.2" : "1.6"), ("stroke-dasharray", "6 4")]))
            for (index, value) in points {
                parts.append(
                    Svg.marker(
                        .circle, x: center(index), y: y(value.fen), size: compact ? 2.4 : 3.4,
                        [
                            ("fill", "#fff"), ("stroke", "#000"), ("stroke-width", "1.4"), ("data-target-fen", String(value.fen)),
                            ("data-report", report), ("data-target-of", "\(pointer)/\(index)"),
                        ]))
            }
        }
        let title = Words.principal.plain(language) + " / " + Words.targetPath.plain(language)
        return Svg.document(width: width, height: height, title: title, parts.joined(separator: "\n"))
    }
}
