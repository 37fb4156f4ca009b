import Foundation
import PledgerDomain

/// A spreadsheet CSV read a block at a time, each block a `SpreadsheetFile` of whole rows
/// with the file's header: a file of any size needs memory for one block. Problems name the
/// file, line and column as `SpreadsheetFile`'s do.
public struct SpreadsheetReader {
    public let path: String
    private let handle: FileHandle
    private let required: [String]
    private let optional: [String]
    private let blockSize: Int
    private var header: CSV.Row?
    /// Bytes read but not parsed yet: the start of a row the last block cut through.
    private var pending: [UInt8] = []
    /// The line `pending` starts on.
    private var line = 1
    private var atEnd = false
    private var hadRows = false

    public init(path: String, required: [String], optional: [String] = [], blockSize: Int = 1 << 20) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ApplicationError.badInput("\(path): cannot read the file (does it exist?)")
        }
        self.path = path
        self.handle = handle
        self.required = required
        self.optional = optional
        self.blockSize = blockSize
    }

    /// The next rows, or nil at the end of the file. The first call reads the header too,
    /// and refuses a file without rows.
    public mutating func next() throws -> SpreadsheetFile? {
        while true {
            var rows = try nextRows()
            if header == nil, !rows.isEmpty { header = rows.removeFirst() }
            if !rows.isEmpty {
                hadRows = true
                return try file(rows)
            }
            guard atEnd && pending.isEmpty else { continue }
            guard header != nil else { throw ApplicationError.badInput("\(path): \(Self.empty(required))") }
            if !hadRows {
                _ = try file([])
                throw ApplicationError.badInput("\(path): the file has a header but no rows")
            }
            return nil
        }
    }

    private func file(_ rows: [CSV.Row]) throws -> SpreadsheetFile {
        do {
            return SpreadsheetFile(path: path, table: try CSV.Table([header!] + rows, required: required, optional: optional))
        } catch let error as CSV.ParseError {
            throw ApplicationError.badInput("\(path): \(error)")
        }
    }

    static func empty(_ required: [String]) -> String {
        "line 1: the file is empty; it needs a header row: \(required.joined(separator: ","))"
    }

    /// Reads on to the end of the last whole row in what has been read (a newline outside
    /// quotes) and parses up to there.
    private mutating func nextRows() throws -> [CSV.Row] {
        guard !(atEnd && pending.isEmpty) else { return [] }
        if !atEnd {
            let block = try handle.read(upToCount: blockSize) ?? Data()
            if block.isEmpty {
                atEnd = true
                try? handle.close()
            } else {
                pending += block
            }
        }
        let cut = atEnd ? pending.count : Self.endOfLastRow(pending)
        guard cut > 0 else { return [] }
        let part = pending[..<cut]
        let rows: [CSV.Row]
        do {
            rows = try CSV.parse(part, firstLine: line)
        } catch let error as CSV.ParseError {
            throw ApplicationError.badInput("\(path): \(error)")
        }
        line += part.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        pending.removeSubrange(..<cut)
        return rows
    }

    /// Just after the last newline that is not inside a quoted field (0 when none): the
    /// bytes always start at the start of a row, where no quote is open.
    static func endOfLastRow(_ bytes: [UInt8]) -> Int {
        var quoted = false
        var end = 0
        for (index, byte) in bytes.enumerated() {
            if byte == 0x22 {
                quoted.toggle()
            } else if byte == 0x0A, !quoted {
                end = index + 1
            }
        }
        return end
    }

    /// The SHA-256 of a file, read a block at a time: an import names the file it wrote by
    /// its contents, not by its name.
    public static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ApplicationError.badInput("\(path): cannot read the file (does it exist?)")
        }
        defer { try? handle.close() }
        var digest = Digest.Running()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { digest.update(block) }
        return digest.hex
    }
}
