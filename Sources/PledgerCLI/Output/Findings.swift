import ArgumentParser
import PledgerDomain

/// The output of a reconciliation: a summary by finding, then the detail — aligned for
/// people (amounts in yuan), CSV or JSON (amounts in exact fen) for machines. Exit code 1
/// unless everything matched.
struct Findings<Finding: RawRepresentable & CaseIterable & Equatable, Row> where Finding.RawValue == String {
    /// A row's value in one column, kept typed until it is printed.
    enum Cell {
        case text(String)
        case number(Int?)
        case money(Money?)

        /// CSV: integers as they are, amounts in fen, nothing as an empty field.
        var machine: String {
            switch self {
            case .text(let text): text
            case .number(let number): number.map(String.init) ?? ""
            case .money(let money): money.map { String($0.fen) } ?? ""
            }
        }

        /// JSON: integers and fen as numbers, nothing (or empty text) as null.
        var json: JSONValue {
            switch self {
            case .text(let text): text.isEmpty ? .null : .string(text)
            case .number(let number): number.map { .integer(Int64($0)) } ?? .null
            case .money(let money): money.map { .integer($0.fen) } ?? .null
            }
        }

        /// The table for people: amounts in yuan.
        var people: String {
            switch self {
            case .money(let money): money.map(Human.yuan) ?? ""
            default: machine
            }
        }
    }

    /// A column of the detail after `finding`, which always comes first. Amount columns are
    /// named `…_fen` (the table shows them in yuan, without the suffix, right-aligned).
    struct Column {
        let name: String
        let cell: (Row) -> Cell

        init(_ name: String, _ cell: @escaping (Row) -> Cell) {
            self.name = name
            self.cell = cell
        }
    }

    let title: String
    let rows: [Row]
    let finding: (Row) -> Finding
    let columns: [Column]

    private var names: [String] { ["finding"] + columns.map(\.name) }
    private func cells(_ row: Row) -> [Cell] { [.text(finding(row).rawValue)] + columns.map { $0.cell(row) } }
    private func matched(_ row: Row) -> Bool { finding(row).rawValue == "matched" }

    var discrepancies: Int { rows.filter { !matched($0) }.count }

    func print(_ format: OutputFormat) throws {
        switch format {
        case .csv:
            Swift.print(CSV.line(names))
            for row in rows { Swift.print(CSV.line(cells(row).map(\.machine))) }
        case .json:
            var summary = JSONObject()
            for kind in Finding.allCases { summary.set(kind.rawValue, .integer(Int64(rows.filter { finding($0) == kind }.count))) }
            let details: [JSONValue] = rows.map { row in
                var object = JSONObject()
                for (name, cell) in zip(names, cells(row)) { object.set(name, cell.json) }
                return .object(object)
            }
            var root = JSONObject()
            root.set("clean", .bool(discrepancies == 0))
            root.set("summary", .object(summary))
            root.set("rows", .array(details))
            Swift.print(CanonicalJSON.string(.object(root)))
        case .table:
            Swift.print(title)
            var summary = Table([("Finding", .left), ("Count", .right)])
            for kind in Finding.allCases { summary.add([kind.rawValue, String(rows.filter { finding($0) == kind }.count)]) }
            Swift.print(summary.render())
            let problems = rows.filter { !matched($0) }
            if !problems.isEmpty {
                Swift.print("")
                var detail = Table(names.map { ($0.replacingOccurrences(of: "_fen", with: ""), $0.hasSuffix("_fen") ? .right : .left) })
                for row in problems { detail.add(cells(row).map(\.people)) }
                Swift.print(detail.render())
            }
            Swift.print(discrepancies == 0 ? "\nclean: everything matches" : "\n\(discrepancies) discrepancy(ies)")
        }
        if discrepancies > 0 { throw ExitCode(1) }
    }
}
