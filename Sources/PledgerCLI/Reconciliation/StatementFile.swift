import Foundation
import PledgerDomain

/// Reading a CSV file a person made in a spreadsheet: every problem is a `CLIError.badInput`
/// naming the file, the line and the column, so the fix is obvious.
struct StatementFile {
    let path: String
    let table: CSV.Table

    init(path: String, required: [String], optional: [String] = []) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.badInput("\(path): cannot read the file (does it exist?)")
        }
        do {
            table = try CSV.Table(try CSV.parse(data), required: required, optional: optional)
        } catch let error as CSV.ParseError {
            throw CLIError.badInput("\(path): \(error)")
        }
        guard !table.rows.isEmpty else { throw CLIError.badInput("\(path): the file has a header but no rows") }
    }

    func fail(_ row: CSV.Row, _ column: String, _ message: String) -> CLIError {
        .badInput("\(path): line \(row.line), column \(column): \(message)")
    }

    func text(_ row: CSV.Row, _ column: String, required: Bool = true) throws -> String {
        let value = table.value(row, column)
        if required && value.isEmpty { throw fail(row, column, "is empty") }
        return value
    }

    /// An amount in yuan (`12345.67` or `12,345.67`); empty → nil unless required.
    func money(_ row: CSV.Row, _ column: String, required: Bool = true) throws -> Money? {
        let value = table.value(row, column)
        if value.isEmpty {
            if required { throw fail(row, column, "is empty; give an amount in yuan like 12345.67") }
            return nil
        }
        do { return try Money(parsing: value) } catch let error as DomainError { throw fail(row, column, error.message) }
    }

    func date(_ row: CSV.Row, _ column: String) throws -> BusinessDate {
        do { return try BusinessDate(parsing: try text(row, column)) } catch let error as DomainError { throw fail(row, column, error.message) }
    }

    func parse<T>(_ row: CSV.Row, _ column: String, required: Bool = true, _ make: (String) throws -> T) throws -> T? {
        let value = table.value(row, column)
        if value.isEmpty {
            if required { throw fail(row, column, "is empty") }
            return nil
        }
        do { return try make(value) } catch let error as DomainError { throw fail(row, column, error.message) }
    }
}
