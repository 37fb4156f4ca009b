import Foundation
import PledgerApplication
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Testing

@Suite("Loan import in chunks: checked and staged chunk by chunk, written only when all is checked, resumed after a stop")
struct LoanImportChunkTests {
    static let header = LoanImportTests.sampleLines[0]

    /// Loan `n`: the sample's second loan (no fund) under contract LCRCB-T-n, pledging its
    /// own trademark; every loan has the same borrower, so later chunks find it registered.
    static func loan(_ n: Int, asset: Int? = nil) -> String {
        let number = String(format: "%05d", n)
        let assetNumber = String(format: "%05d", asset ?? n)
        return LoanImportTests.sampleLines[2].replacingOccurrences(of: "LCRCB-2019-00902", with: "LCRCB-T-\(number)")
            .replacingOccurrences(of: "TM2020088888", with: "TM2020\(assetNumber)")
            .replacingOccurrences(of: "Y2025211303000902", with: "Y202521130\(number)")
    }

    static func file(_ rows: [String], path: String = "loans.csv") throws -> SpreadsheetFile {
        try LoanImportTests.file([header] + rows, path: path)
    }

    /// The events an import wrote, without ids and times: two imports of one file compare equal.
    static func imported(_ url: DatabaseURL) async throws -> [String] {
        try await TestDatabase.asSuperuser(url) { connection in
            var events: [String] = []
            let rows = try await connection.query(
                "SELECT stream, version, type, data FROM events WHERE meta LIKE '%\"actor\":\"import\"%' ORDER BY stream, version",
                logger: TestDatabase.logger)
            for try await (stream, version, type, data) in rows.decode((String, Int32, String, String).self) {
                events.append("\(stream) \(version) \(type) \(data)")
            }
            return events
        }
    }

    /// The demo district's ledger (banks, funds) in a test database of its own.
    static func withLedger<Result: Sendable>(_ body: (EventStore, DatabaseURL) async throws -> Result) async throws -> Result {
        try await TestDatabase.withLedger { store, url in
            _ = try await DemoLedger.district.load(into: Ledger(log: store))
            return try await body(store, url)
        }
    }

    @Test("chunks of two loans: a contract's consecutive rows stay in one chunk, a borrower registered in one is found in the next")
    func chunkBoundaries() async throws {
        // Loan 3 has two rows; with two loans a chunk, its second row would fall after a
        // boundary if rows were cut by count.
        var rows = (1...7).map { Self.loan($0) }
        rows.insert(Self.loan(3, asset: 93), at: 3)
        let file = try Self.file(rows)
        try await Self.withLedger { store, url in
            var checked: [Int] = []
            var written: [Int] = []
            let outcome = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 2) { progress in
                switch progress {
                case .checked(let line, _): checked.append(line)
                case .written(let chunk, let of, _, _):
                    #expect(of == 4)
                    written.append(chunk)
                }
            }
            #expect(outcome.problems.isEmpty)
            #expect(outcome.imported == 7 && outcome.chunks == 4 && outcome.chunksWritten == 4)
            #expect(checked.last == 9 && written == [1, 2, 3, 4])
            // Each chunk after the first was planned while the one before was written.
            #expect(store.statistics.plannedAhead == 3)
            var states = AggregateStates()
            try await CommandHandler(store: store).load(.loan(loanKey("LCRCB", "LCRCB-T-00003")), into: &states)
            #expect(states.loans[loanKey("LCRCB", "LCRCB-T-00003")]?.origination?.collateral.count == 2)

            // The same file in one chunk writes the same events.
            try await Self.withLedger { other, otherURL in
                let whole = try await LoanImport.run(file, ledger: Ledger(log: other), skipInvalid: false, chunkLoans: 100)
                #expect(whole.chunks == 1 && whole.events == outcome.events)
                let (mine, theirs) = (try await Self.imported(url), try await Self.imported(otherURL))
                #expect(!mine.isEmpty && mine == theirs)
            }
        }
    }

    @Test("a contract whose rows a chunk boundary separates is refused, naming its lines")
    func contractAcrossChunks() async throws {
        let rows = [Self.loan(1), Self.loan(2), Self.loan(3), Self.loan(1, asset: 91)]
        try await Self.withLedger { store, _ in
            let head = try await store.head().position
            let outcome = try await LoanImport.run(try Self.file(rows), ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 2)
            #expect(
                outcome.problems.map(\.message) == [
                    "loans.csv: line 5: contract LCRCB/LCRCB-T-00001 also has rows before line 4, with other contracts' rows between; put all rows of one contract together"
                ])
            let after = try await store.head().position
            #expect(outcome.appended == nil && after == head)

            // A contract refused in one chunk (its rows disagree) stays refused in a later one:
            // its remaining row does not become a loan with only that asset.
            let disagreeing = Self.loan(1, asset: 92).replacingOccurrences(of: ",420,", with: ",421,")
            let skipped = try await LoanImport.run(
                try Self.file([Self.loan(1), disagreeing, Self.loan(2), Self.loan(3), Self.loan(1, asset: 91)]), ledger: Ledger(log: store),
                skipInvalid: true, chunkLoans: 2)
            #expect(skipped.problems.map(\.line) == [3, 6] && skipped.imported == 2)
            var states = AggregateStates()
            try await CommandHandler(store: store).load(.loan(loanKey("LCRCB", "LCRCB-T-00001")), into: &states)
            #expect(states.loans[loanKey("LCRCB", "LCRCB-T-00001")]?.origination == nil)
        }
    }

    @Test("a bad row late in a big file: nothing is written; with skipInvalid everything else is")
    func badRowLate() async throws {
        var rows = (1...60).map { Self.loan($0) }
        rows[57] = rows[57].replacingOccurrences(of: ",420,", with: ",4x0,")
        let file = try Self.file(rows)
        try await Self.withLedger { store, _ in
            let head = try await store.head().position
            let refused = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 8)
            #expect(refused.problems.map(\.line) == [59] && refused.chunks == 8 && refused.chunksWritten == 0)
            let after = try await store.head().position
            #expect(refused.appended == nil && after == head)

            let skipped = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: true, chunkLoans: 8)
            #expect(skipped.problems.map(\.line) == [59] && skipped.imported == 59 && skipped.chunksWritten == 8)
            #expect(skipped.appended?.lastPosition == head + Int64(skipped.events))

            let again = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: true, chunkLoans: 8)
            #expect(again.imported == 0 && again.alreadyThere == 59 && again.appended == nil)
        }
    }

    struct Interrupted: Error {}

    @Test("stopped after two chunks were written, a re-run resumes after them: the same ledger, nothing twice")
    func interruptedAndResumed() async throws {
        let file = try Self.file((1...25).map { Self.loan($0) })
        try await Self.withLedger { store, url in
            await #expect(throws: Interrupted.self) {
                try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 5) { progress in
                    if case .written(2, _, _, _) = progress { throw Interrupted() }
                }
            }
            let stopped = try await Self.imported(url)
            #expect(stopped.filter { $0.contains(" LoanOriginated ") }.count == 10)

            let resumed = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 5)
            #expect(resumed.resumedAfterLine == 11)
            #expect(resumed.imported == 15 && resumed.alreadyThere == 0 && resumed.chunksWritten == 3 && resumed.rows == 15)

            let finished = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false, chunkLoans: 5)
            #expect(finished.resumedAfterLine == nil && finished.alreadyThere == 25 && finished.appended == nil)

            try await Self.withLedger { other, otherURL in
                _ = try await LoanImport.run(file, ledger: Ledger(log: other), skipInvalid: false, chunkLoans: 5)
                let (mine, theirs) = (try await Self.imported(url), try await Self.imported(otherURL))
                #expect(!mine.isEmpty && mine == theirs)
            }
        }
    }

    @Test("the reader: blocks cut at row ends, never inside a quoted field; lines as in the file")
    func reader() throws {
        // Every fifth title is quoted over two lines, with a comma: a cut there would break the row.
        let rows = (1...40).map { n in
            n % 5 == 0 ? Self.loan(n).replacingOccurrences(of: ",朝阳光伏,", with: ",\"朝阳,\n光伏\",") : Self.loan(n)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loans-\(UUID()).csv").path
        try (([Self.header] + rows).joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = try SpreadsheetReader(path: path, required: LoanImport.required, optional: LoanImport.optional, blockSize: 97)
        var read: [CSV.Row] = []
        var blocks = 0
        while let block = try reader.next() {
            read += block.table.rows
            blocks += 1
        }
        let whole = try SpreadsheetFile(path: path, required: LoanImport.required, optional: LoanImport.optional)
        #expect(blocks > 10 && read.count == 40 && read == whole.table.rows)
        #expect(read.last?.line == 48)
    }
}
