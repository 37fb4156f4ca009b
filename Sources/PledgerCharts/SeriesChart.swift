import PledgerDomain

/// Figures at each month end as lines: each series with its own dash style and marker
/// shape, labelled directly at its last point (no legend to match colours against), and an
/// optional limit drawn as a dash-dot line with its name — maximum leverage, the NPL
/// suspension threshold. Values are fen or basis points; a missing one breaks the line.
struct SeriesChart {
    struct Series {
        /// Markup: the series' name.
        var name: String
        var values: [Int64?]
        /// The JSON path of the figure in each point's report (`/balance_fen`).
        var path: String
        var marker: Svg.Marker
        var dash: String?
        var figure: (String, Int64?) -> Figure
    }

    struct Limit {
        /// Markup: the limit's name and figure.
        var label: String
        var values: [Int64]
    }

    var id: String
    var dates: [BusinessDate]
    /// The JSON source of each point (one report per month end).
    var reports: [String]
    var series: [Series]
    var limit: Limit?
    var axisTitle: String
    var tick: (Int64) -> String
    var minimumStep: Int64 = 1

    var svg: String {
        let width: Double = 720
        let height: Double = 250
        let left: Double = 64
        let right: Double = 205
        let top: Double = 22
        let bottom: Double = 34
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let scale = Scale(
            covering: series.flatMap { $0.values.compactMap { $0 } } + (limit?.values ?? []), ticks: 4, minimumStep: minimumStep)
        func y(_ value: Int64) -> Double { top + plotHeight * (1 - scale.fraction(value)) }
        func x(_ index: Int) -> Double {
            dates.count > 1 ? left + plotWidth * Double(index) / Double(dates.count - 1) : left + plotWidth / 2
        }
        var parts: [String] = []
        for tick in scale.ticks {
            parts.append(
                Svg.line(
                    left, y(tick), left + plotWidth, y(tick),
                    [("stroke", tick == 0 ? "#000" : "#c8c8c8"), ("stroke-width", tick == 0 ? "1" : "0.6")]))
            parts.append(
                Svg.text(x: left - 4, y: y(tick) + 3.5, Markup.escape(self.tick(tick)), [("text-anchor", "end"), ("font-size", "10")]))
        }
        parts.append(Svg.text(x: 2, y: 12, axisTitle, [("font-size", "10")]))
        // Month labels: at most about twelve, always the last.
        let every = max(1, (dates.count + 11) / 12)
        for index in dates.indices where index % every == 0 || index == dates.count - 1 {
            if index != dates.count - 1 && dates.count - 1 - index < every && index != 0 { continue }
            parts.append(Svg.line(x(index), top + plotHeight, x(index), top + plotHeight + 4, [("stroke", "#000")]))
            parts.append(
                Svg.text(
                    x: x(index), y: height - bottom + 18, Markup.escape(String(dates[index].description.prefix(7))),
                    [("text-anchor", "middle"), ("font-size", "9.5")]))
        }
        var labelled: [Double] = []
        if let limit {
            let points = limit.values.enumerated().map { (x($0.offset), y($0.element)) }
            parts.append(Svg.polyline(points, [("stroke", "#b00000"), ("stroke-width", "1.6"), ("stroke-dasharray", "9 3 2 3")]))
            if let last = points.last {
                parts.append(Svg.text(x: last.0 + 8, y: last.1 - 6, limit.label, [("font-size", "10"), ("class", "halo")]))
                labelled.append(last.1 - 6)
            }
        }
        for (number, line) in series.enumerated() {
            let stroke = number == 0 ? "#1f3864" : "#000"
            // Runs of present values, so a missing month breaks the line instead of bridging it.
            var runs: [[(Double, Double)]] = [[]]
            for (index, value) in line.values.enumerated() {
                if let value { runs[runs.count - 1].append((x(index), y(value))) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where run.count > 1 {
                parts.append(Svg.polyline(run, [("stroke", stroke), ("stroke-width", "1.8"), ("stroke-dasharray", line.dash)]))
            }
            for (index, value) in line.values.enumerated() {
                guard let value else { continue }
                parts.append(
                    Svg.marker(
                        line.marker, x: x(index), y: y(value), size: 2.6,
                        [
                            ("fill", number == 0 ? stroke : "#fff"), ("stroke", stroke), ("stroke-width", "1.2"),
                            ("data-report", reports[index]), ("data-path", line.path), ("data-value", String(value)),
                        ]))
            }
            if let lastIndex = line.values.lastIndex(where: { $0 != nil }) {
                var labelY = y(line.values[lastIndex]!) + 4
                // Keep direct labels apart.
                while labelled.contains(where: { abs($0 - labelY) < 13 }) { labelY += 13 }
                labelled.append(labelY)
                parts.append(
                    Svg.text(
                        x: x(lastIndex) + 8, y: labelY, line.name + " " + line.figure(reports[lastIndex], line.values[lastIndex]).svg,
                        [("font-size", "10"), ("class", "halo")]))
            }
        }
        return Svg.document(width: width, height: height, title: axisTitle, parts.joined(separator: "\n"))
    }
}
