import Foundation

/// CSV as RFC 4180 has it, for bank statements, fund-account statements, imports and bulk
/// reports: quoted fields, doubled quotes, CRLF or LF, a UTF-8 byte-order mark tolerated.
/// Every error names the line, because the people who fix these files use spreadsheets.
public enum CSV {
    /// One record, with the 1-based line it starts on.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let fields: [String]
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Quotes a field if it needs it.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    /// Parses raw bytes (which must be UTF-8). Blank lines are skipped. `firstLine` is the
    /// line the bytes start on, when they are a part of a file read a block at a time.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, firstLine: Int = 1) throws -> [Row] where Bytes.Element == UInt8 {
        var data = Array(bytes)
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        guard let text = String(validating: data, as: UTF8.self) else {
            let line = firstLine + (validPrefixLength(data).map { data[..<$0].filter { $0 == 0x0A }.count } ?? 0)
            throw ParseError(line: line, message: "the file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\"")
        }
        return try parse(text, firstLine: firstLine)
    }

    public static func parse(_ text: String, firstLine: Int = 1) throws -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var line = firstLine
        var rowStart = firstLine
        var inQuotes = false
        var quotedField = false
        var afterQuote = false
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func endField() {
            fields.append(field)
            field = ""
            quotedField = false
            afterQuote = false
        }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
            fields = []
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 2
                        continue
                    }
                    inQuotes = false
                    afterQuote = true
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty, !quotedField else {
                    throw ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field")
                }
                inQuotes = true
                quotedField = true
            case ",":
                endField()
            case "\r":
                if i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                endRow()
                line += 1
                rowStart = line
            case "\n":
                endRow()
                line += 1
                rowStart = line
            default:
                if afterQuote { throw ParseError(line: line, message: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw ParseError(line: rowStart, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRow() }
        return rows
    }

    private static func validPrefixLength(_ data: [UInt8]) -> Int? {
        var length = data.count
        while length > 0, String(validating: data[..<length], as: UTF8.self) == nil { length -= 1 }
        return length
    }

    /// A CSV with a header row, read by column name.
    public struct Table: Sendable {
        public let header: [String]
        public let rows: [Row]

        /// Checks the header has every required column (case-insensitive, trimmed), and each
        /// only once: with two, which one a row's value comes from would be a guess.
        public init(_ rows: [Row], required: [String], optional: [String] = []) throws {
            guard let first = rows.first else {
                throw ParseError(line: 1, message: "the file is empty; it needs a header row: \(required.joined(separator: ","))")
            }
            let names = first.fields.map { $0.trimmingCharactersInWhitespace().lowercased() }
            for (index, name) in names.enumerated() where !name.isEmpty {
                if let earlier = names[..<index].firstIndex(of: name) {
                    throw ParseError(
                        line: first.line,
                        message:
                            "column \"\(name)\" appears twice in the header (columns \(earlier + 1) \"\(first.fields[earlier])\" and \(index + 1) \"\(first.fields[index])\"); keep one"
                    )
                }
            }
            header = names
            let missing = required.filter { !names.contains($0) }
            guard missing.isEmpty else {
                throw ParseError(
                    line: first.line,
                    message:
                        "missing column(s) \(missing.joined(separator: ", ")); the header must name: \(required.joined(separator: ","))")
            }
            let known = Set(required + optional)
            if let unknown = names.first(where: { !known.contains($0) && !$0.isEmpty }) {
                throw ParseError(
                    line: first.line,
                    message: "unknown column \"\(unknown)\"; the columns are: \((required + optional).joined(separator: ","))")
            }
            self.rows = Array(rows.dropFirst())
            for row in self.rows where row.fields.count != header.count {
                throw ParseError(line: row.line, message: "\(row.fields.count) fields, the header has \(header.count)")
            }
        }

        /// The trimmed value of a column in a row ("" when the column is absent).
        public func value(_ row: Row, _ column: String) -> String {
            guard let index = header.firstIndex(of: column) else { return "" }
            return row.fields[index].trimmingCharactersInWhitespace().description
        }
    }
}
