import Foundation
import PledgerDomain

/// An aligned text table for people. Widths count CJK characters as two columns, so
/// Chinese names line up in a terminal.
struct Table {
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ cells: [String]) { rows.append(cells) }

    func render() -> String {
        var widths = headers.map(Self.width)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], Self.width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - Self.width(cell)))
                return alignments[index] == .right ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out =
            headers.allSatisfy(\.isEmpty) ? [] : [line(headers), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }

    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let wide =
                (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
                || (0xFFE0...0xFFE6).contains(scalar.value) || (0x1F300...0x1FAFF).contains(scalar.value)
            let zeroWidth = scalar.properties.generalCategory == .nonspacingMark || scalar.value == 0x200D
            return total + (zeroWidth ? 0 : wide ? 2 : 1)
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

/// Formatting for people: yuan with separators, percentages with one decimal.
enum Human {
    static func yuan(_ money: Money) -> String { money.description }
    static func percent(_ bp: Bp?) -> String { Percent.text(bp) }
    static func times(_ bp: Bp?) -> String { Percent.times(bp) }
    static func flag(_ value: Bool?) -> String { value.map { $0 ? "yes" : "NO" } ?? "—" }
}
