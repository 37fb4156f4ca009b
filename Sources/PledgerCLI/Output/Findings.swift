import ArgumentParser
import PledgerDomain

/// The output of a reconciliation: a summary by finding, then the detail — aligned for
/// people, CSV or JSON (exact fen) for machines. Exit code 1 unless everything matched.
struct Findings {
    let title: String
    let columns: [String]
    /// (finding, cells) — cells in `columns` order, amounts as integer fen.
    let findings: [(String, [String])]
    /// The findings in the order the summary lists them; the first is "matched".
    let order: [String]
    /// Cells as people read them (amounts in yuan).
    let people: ([String]) -> [String]

    var discrepancies: Int { findings.filter { $0.0 != "matched" }.count }

    func print(_ format: OutputFormat) throws {
        switch format {
        case .csv:
            Swift.print(CSV.line(columns))
            for (_, cells) in findings { Swift.print(CSV.line(cells)) }
        case .json:
            var summary = JSONObject()
            for finding in order { summary.set(finding, .integer(Int64(findings.filter { $0.0 == finding }.count))) }
            let rows: [JSONValue] = findings.map { _, cells in
                var object = JSONObject()
                for (column, cell) in zip(columns, cells) {
                    if column.hasSuffix("_fen") || column == "line" { object.set(column, Int64(cell).map(JSONValue.integer) ?? .null) }
                    else { object.set(column, cell.isEmpty ? .null : .string(cell)) }
                }
                return .object(object)
            }
            var root = JSONObject()
            root.set("clean", .bool(discrepancies == 0))
            root.set("summary", .object(summary))
            root.set("rows", .array(rows))
            Swift.print(CanonicalJSON.string(.object(root)))
        case .table:
            Swift.print(title)
            var summary = Table([("Finding", .left), ("Count", .right)])
            for finding in order { summary.add([finding, String(findings.filter { $0.0 == finding }.count)]) }
            Swift.print(summary.render())
            let problems = findings.filter { $0.0 != "matched" }
            if !problems.isEmpty {
                Swift.print("")
                var detail = Table(columns.map { ($0.replacingOccurrences(of: "_fen", with: ""), $0.hasSuffix("_fen") ? .right : .left) })
                for (_, cells) in problems { detail.add(people(cells)) }
                Swift.print(detail.render())
            }
            Swift.print(discrepancies == 0 ? "\nclean: everything matches" : "\n\(discrepancies) discrepancy(ies)")
        }
        if discrepancies > 0 { throw ExitCode(1) }
    }
}
