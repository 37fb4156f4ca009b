import PledgerDomain

/// A figure printed on a page, tagged with the JSON report it comes from (`data-report`,
/// a key of the page's source list), where in it (`data-path`, a JSON Pointer) and how it
/// is written (`data-unit`). `tools/check-report-pages.py` fetches each source and checks
/// that every tagged figure reads exactly as the JSON value written that way — so what a
/// reader sees is provably what the ledger's report says.
struct Figure: Sendable, Hashable {
    enum Unit: String, Sendable {
        /// Fen written as exact yuan (`Money.description`).
        case yuan
        /// Fen written as 万元 to two decimals (`Amounts.wan`).
        case wan
        /// Basis points as a percentage (`Percent.text`), `—` for null.
        case percent
        /// Basis points as a multiple (`Percent.times`), `—` for null.
        case times
        /// An integer.
        case count
        /// A string, verbatim.
        case text
    }

    var report: String
    var path: String
    var unit: Unit
    var text: String

    static func yuan(_ report: String, _ path: String, _ money: Money) -> Figure {
        Figure(report: report, path: path, unit: .yuan, text: Amounts.yuan(money))
    }
    static func wan(_ report: String, _ path: String, _ money: Money) -> Figure {
        Figure(report: report, path: path, unit: .wan, text: Amounts.wan(money))
    }
    static func percent(_ report: String, _ path: String, _ bp: Bp?) -> Figure {
        Figure(report: report, path: path, unit: .percent, text: Percent.text(bp))
    }
    static func times(_ report: String, _ path: String, _ bp: Bp?) -> Figure {
        Figure(report: report, path: path, unit: .times, text: Percent.times(bp))
    }
    static func count(_ report: String, _ path: String, _ value: Int) -> Figure {
        Figure(report: report, path: path, unit: .count, text: String(value))
    }
    static func text(_ report: String, _ path: String, _ value: String) -> Figure {
        Figure(report: report, path: path, unit: .text, text: value)
    }

    var attributes: [(String, String?)] { [("data-report", report), ("data-path", path), ("data-unit", unit.rawValue)] }

    /// As HTML: `<span data-…>1,234.56</span>`.
    var html: String { Markup.element("span", attributes, Markup.escape(text)) }
    /// Inside an SVG `<text>`: `<tspan data-…>1,234.56</tspan>`.
    var svg: String { Markup.element("tspan", attributes, Markup.escape(text)) }
}
