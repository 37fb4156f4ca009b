import Foundation
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("Binary COPY out: rows cut whole from the stream, from a real server")
struct BinaryCopyReaderTests {
    static let layout = BinaryCopyReader.Layout([("n", 8), ("label", nil)])

    /// A binary COPY stream of `rows` (an Int64 and a text each), with a header extension
    /// of three bytes, as the format allows.
    static func stream(_ rows: [(Int64, String)]) -> (stream: [UInt8], rows: [UInt8]) {
        var header = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
        header += [0, 0, 0, 0, 0, 0, 0, 3, 9, 9, 9]
        var body: [UInt8] = []
        for (n, label) in rows {
            body += [0, 2]
            body += withUnsafeBytes(of: UInt32(8).bigEndian, Array.init) + withUnsafeBytes(of: n.bigEndian, Array.init)
            body += withUnsafeBytes(of: UInt32(label.utf8.count).bigEndian, Array.init) + Array(label.utf8)
        }
        return (header + body + [0xFF, 0xFF], body)
    }

    /// Feeds `stream` cut at `cuts`; the rows appended and how many.
    static func frame(_ stream: [UInt8], cuts: [Int]) throws -> (bytes: [UInt8], count: Int, whole: Bool) {
        var framing = BinaryCopyReader.Framing(layout: layout)
        var batch: [UInt8] = []
        var count = 0
        for (start, end) in zip([0] + cuts, cuts + [stream.count]) where start < end {
            count += try stream[start..<end].withUnsafeBytes { try framing.take($0, into: &batch) }
        }
        return (batch, count, framing.isWhole)
    }

    @Test("the same rows wherever the messages are cut: one message, two at every point, a byte each")
    func cutAnywhere() throws {
        let (stream, rows) = Self.stream([(1, "a"), (-2, ""), (3, "股权质押")])
        var cuttings = [[Int]()] + (1..<stream.count).map { [$0] }
        cuttings.append(Array(1..<stream.count))
        for cuts in cuttings {
            let framed = try Self.frame(stream, cuts: cuts)
            #expect(framed.bytes == rows && framed.count == 3 && framed.whole, "cut at \(cuts)")
        }
    }

    @Test("a stream that stops inside a row or before its end marker is not whole")
    func cutShort() throws {
        let (stream, _) = Self.stream([(1, "a"), (2, "b")])
        #expect(try !Self.frame(Array(stream.dropLast(2)), cuts: []).whole)
        let inside = try Self.frame(Array(stream.dropLast(5)), cuts: [])
        #expect(!inside.whole && inside.count == 1)
    }

    /// The stream of one row `(1, "a")`: a 22-byte header, the row at 22..<41 (count, then
    /// n's length at 24 and value at 28, label's length at 36 and byte at 40), the end at 41.
    @Test(
        "a row unlike the layout, a NULL, bytes after the end or no header are refused, naming the column",
        arguments: [
            ("a column too many", 23..<24, [3], "3 columns, not 2"),
            ("n of four bytes", 27..<28, [4], "n has 4 bytes, not 8"),
            ("a NULL label", 36..<41, [0xFF, 0xFF, 0xFF, 0xFF], "label is NULL"),
            ("bytes after the end", 43..<43, [0], "goes on after its end"),
            ("no header", 0..<1, [UInt8(ascii: "X")], "no binary header"),
        ] as [(String, Range<Int>, [UInt8], String)])
    func refused(_ name: String, at range: Range<Int>, with bytes: [UInt8], reason: String) throws {
        var (stream, _) = Self.stream([(1, "a")])
        #expect(stream.count == 43)
        stream.replaceSubrange(range, with: bytes)
        let error = #expect(throws: StoreError.self, "\(name)") { try Self.frame(stream, cuts: []) }
        #expect(error.map { "\($0)".contains(reason) } == true, "\(name): \(String(describing: error))")
    }

    /// What a server answered, collected on the reader's thread and checked in the test's task.
    struct Answers: Sendable {
        var rows: [Int] = []
        var batches: [[UInt8]] = []
        var errors: [StoreError?] = []
    }

    @Test("a server's rows read over one connection, COPY after COPY; its errors with their SQLSTATE")
    func fromServer() async throws {
        let sizes = [0, 1, 5000]
        let answers = try await TestDatabase.withDatabase { url in
            try await BlockingThread.run("test") {
                var answers = Answers()
                let reader = try BinaryCopyReader(url: url, layout: Self.layout, statementTimeout: .seconds(10))
                for rows in sizes {
                    try reader.start("SELECT n::int8, repeat('x', (n % 7)::int) FROM generate_series(1, \(rows)) n")
                    var batch: [UInt8] = []
                    var read = 0
                    while true {
                        let count = try reader.read(atLeast: 1000, into: &batch)
                        if count == 0 { break }
                        read += count
                    }
                    answers.rows.append(read)
                    answers.batches.append(batch)
                }
                do {
                    try reader.start("SELECT nothing FROM nowhere")
                    answers.errors.append(nil)
                } catch let error as StoreError {
                    answers.errors.append(error)
                }
                try reader.run("SET enable_sort = off")
                return answers
            }
        }
        #expect(answers.rows == sizes)
        for (rows, batch) in zip(sizes, answers.batches) {
            let expected = (1...max(1, rows)).prefix(rows).map { (Int64($0), String(repeating: "x", count: $0 % 7)) }
            #expect(batch == Self.stream(expected).rows, "\(rows) rows")
        }
        guard case .database(_, let state)?? = answers.errors.first else {
            Issue.record("no database error: \(answers.errors)")
            return
        }
        #expect(state == "42P01")
    }

    @Test("a statement past its limit ends the read with the server's reason, and the connection reads on")
    func timeout() async throws {
        let answers = try await TestDatabase.withDatabase { url in
            try await BlockingThread.run("test") {
                var answers = Answers()
                let reader = try BinaryCopyReader(url: url, layout: Self.layout, statementTimeout: .milliseconds(300))
                var batch: [UInt8] = []
                try reader.start("SELECT 1::int8, 'x'::text FROM pg_sleep(3)")
                do {
                    answers.rows.append(try reader.read(atLeast: 1, into: &batch))
                } catch let error as StoreError {
                    answers.errors.append(error)
                }
                // The connection reads on; with a limit no loaded server comes near.
                try reader.run("SET statement_timeout = '30s'")
                try reader.start("SELECT 7::int8, 'y'::text")
                answers.rows.append(try reader.read(atLeast: 1, into: &batch))
                answers.batches.append(batch)
                return answers
            }
        }
        guard case .database(_, let state)?? = answers.errors.first else {
            Issue.record("the read did not fail: \(answers)")
            return
        }
        #expect(state == "57014")
        #expect(answers.rows == [1] && answers.batches == [Self.stream([(7, "y")]).rows])
    }

    @Test("a server that cannot be reached is reported with the URL, not a crash")
    func unreachable() async throws {
        let url = try DatabaseURL("postgres://nobody@127.0.0.1:1/none")
        let error = await #expect(throws: StoreError.self) {
            try await BlockingThread.run("test") { try BinaryCopyReader(url: url, layout: Self.layout, statementTimeout: .seconds(1)) }
        }
        #expect(error.map { "\($0)".contains("127.0.0.1:1") } == true)
    }
}
