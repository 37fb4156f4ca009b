import Foundation
import PledgerDomain

/// A CSV file a person made in a spreadsheet (a bank's statement, a loans list): every
/// problem is an `ApplicationError.badInput` naming the file, the line and the column, so
/// the fix is obvious.
public struct SpreadsheetFile: Sendable {
    /// The file as the person named it; every message starts with it.
    public let path: String
    public let table: CSV.Table

    public init(path: String, required: [String], optional: [String] = []) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ApplicationError.badInput("\(path): cannot read the file (does it exist?)")
        }
        try self.init(path: path, contents: data, required: required, optional: optional)
    }

    /// A file already read (or never on disk, as in tests).
    public init(path: String, contents: Data, required: [String], optional: [String] = []) throws {
        self.path = path
        do {
            table = try CSV.Table(try CSV.parse(contents), required: required, optional: optional)
        } catch let error as CSV.ParseError {
            throw ApplicationError.badInput("\(path): \(error)")
        }
        guard !table.rows.isEmpty else { throw ApplicationError.badInput("\(path): the file has a header but no rows") }
    }

    /// Rows already parsed (a block of a file read by `SpreadsheetReader`).
    public init(path: String, table: CSV.Table) {
        self.path = path
        self.table = table
    }

    public func fail(_ row: CSV.Row, _ column: String, _ message: String) -> ApplicationError {
        .badInput("\(path): line \(row.line), column \(column): \(message)")
    }

    public func text(_ row: CSV.Row, _ column: String, required: Bool = true) throws -> String {
        let value = table.value(row, column)
        if required && value.isEmpty { throw fail(row, column, "is empty") }
        return value
    }

    /// An amount in yuan (`12345.67` or `12,345.67`); empty → nil unless required.
    public func money(_ row: CSV.Row, _ column: String, required: Bool = true) throws -> Money? {
        let value = table.value(row, column)
        if value.isEmpty {
            if required { throw fail(row, column, "is empty; give an amount in yuan like 12345.67") }
            return nil
        }
        do { return try Money(parsing: value) } catch let error as DomainError { throw fail(row, column, error.message) }
    }

    public func date(_ row: CSV.Row, _ column: String) throws -> BusinessDate {
        do { return try BusinessDate(parsing: try text(row, column)) } catch let error as DomainError {
            throw fail(row, column, error.message)
        }
    }

    public func parse<T>(_ row: CSV.Row, _ column: String, required: Bool = true, _ make: (String) throws -> T) throws -> T? {
        let value = table.value(row, column)
        if value.isEmpty {
            if required { throw fail(row, column, "is empty") }
            return nil
        }
        do { return try make(value) } catch let error as DomainError { throw fail(row, column, error.message) }
    }
}
