import PledgerDomain

extension LoanImport {
    /// One chunk of the file as read: its rows parsed and grouped into loans, each loan's
    /// commands made, and the rows that do not parse. Nothing in it depends on the ledger.
    struct Gathered: Sendable {
        var rows: [Row] = []
        /// Loans whose rows agree, in the order their first rows appear, with their commands.
        var loans: [(loan: Loan, commands: [LedgerCommand])] = []
        /// Rows that do not parse, and rows that disagree with their contract's first row.
        var problems: [Problem] = []
        /// Rows read, those that do not parse included.
        var rowCount = 0
        var lastLine = 0
    }

    /// The file cut into chunks: a chunk ends once it has begun `chunkLoans` contracts and
    /// the next row begins another, so a contract's consecutive rows stay in one chunk.
    /// Reading, parsing and grouping need no ledger, so the check gathers the next chunk on
    /// another core while it decides this one (`next()` in a task of its own).
    ///
    /// A class, unchecked for sending, because one gathering task hands the reader on to the
    /// next: the check starts a gathering only once the one before has ended, so one task at
    /// a time uses it.
    final class RowChunks: @unchecked Sendable {
        private let file: String
        private let chunkLoans: Int
        /// Rows up to this line are in the ledger already (an earlier run of the same file).
        private let skipThrough: Int
        private let nextBlock: () throws -> SpreadsheetFile?
        private var block: SpreadsheetFile?
        private var index = 0
        /// The row that begins the next chunk, parsed when the last one ended.
        private var carried: Row?
        private var lastKey: LoanKey?

        init(
            file: String, chunkLoans: Int, skipThrough: Int, first: SpreadsheetFile?, next: @escaping () throws -> SpreadsheetFile?
        ) {
            self.file = file
            self.chunkLoans = max(1, chunkLoans)
            self.skipThrough = skipThrough
            self.block = first
            self.nextBlock = next
        }

        /// The next chunk, or nil when the file has no more rows.
        func next() throws -> Gathered? {
            var chunk = Gathered()
            var contracts = 0
            if let row = carried {
                carried = nil
                contracts = 1
                chunk.rows.append(row)
                chunk.lastLine = row.line
            }
            gathering: while let spreadsheet = block {
                let rows = spreadsheet.table.rows
                while index < rows.count {
                    let csvRow = rows[index]
                    index += 1
                    guard csvRow.line > skipThrough else { continue }
                    let row: Row
                    do {
                        row = try Row(spreadsheet, csvRow)
                    } catch let error as ApplicationError {
                        chunk.problems.append(Problem(line: csvRow.line, message: error.description))
                        chunk.lastLine = max(chunk.lastLine, csvRow.line)
                        continue
                    }
                    if row.key != lastKey {
                        lastKey = row.key
                        if contracts >= chunkLoans {
                            carried = row
                            break gathering
                        }
                        contracts += 1
                    }
                    chunk.rows.append(row)
                    chunk.lastLine = max(chunk.lastLine, row.line)
                }
                block = try nextBlock()
                index = 0
            }
            guard !chunk.rows.isEmpty || !chunk.problems.isEmpty else { return nil }
            chunk.rowCount = chunk.rows.count + chunk.problems.count
            let grouped = LoanImport.loans(chunk.rows, file: file)
            chunk.problems += grouped.conflicts
            chunk.loans = try grouped.loans.map { ($0, try $0.commands) }
            return chunk
        }
    }
}
