import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Write receipts: what a bank kept, checked against the log")
struct ReceiptsTests {
    /// Ten appends, each answered with its position and hash, kept as JSON Lines.
    static func appendsWithReceipts(_ store: EventStore) async throws -> (file: URL, results: [AppendResult]) {
        var results: [AppendResult] = []
        for n in 1...10 {
            let event = try NewEvent(type: "Tested", data: .object(JSONObject([("n", .integer(Int64(n)))])))
            results.append(try await store.append(AppendRequest(stream: "s-\(n)", expected: .noStream, events: [event])))
        }
        let lines = results.map { #"{"position":\#($0.lastPosition),"hash":"\#($0.lastHash ?? "")","stream":"ignored"}"# }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("receipts-\(UUID()).jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        return (file, results)
    }

    @Test("every answer carries the chain hash up to it; the receipts of an untouched log all match")
    func untouched() async throws {
        try await TestDatabase.withLedger { store, _ in
            let (file, results) = try await Self.appendsWithReceipts(store)
            defer { try? FileManager.default.removeItem(at: file) }
            let head = try await store.head()
            #expect(results.last?.lastHash == head.hash.hex)
            let receipts = try Receipts.read(path: file.path)
            #expect(receipts.count == 10)
            #expect(try await Receipts.check(receipts, against: store).isEmpty)
        }
    }

    @Test("a superuser who rewrites position 4 and re-hashes the chain passes verify, but not the receipts from 4 on")
    func rewritten() async throws {
        try await TestDatabase.withLedger { store, url in
            let (file, _) = try await Self.appendsWithReceipts(store)
            defer { try? FileManager.default.removeItem(at: file) }
            try await TestDatabase.rewriteHistory(url, store, position: 4, data: #"{"n":4000}"#)
            #expect(try await LedgerVerification(store: store).run().isIntact, "the chain alone cannot tell")
            let mismatches = try await Receipts.check(try Receipts.read(path: file.path), against: store)
            #expect(mismatches.map(\.receipt.position) == Array(4...10))
            #expect(mismatches.allSatisfy { $0.problem.contains("history up to it was rewritten") })
        }
    }

    @Test("a log cut back to position 7 passes verify, but the receipts past it say the log was cut")
    func cut() async throws {
        try await TestDatabase.withLedger { store, url in
            let (file, _) = try await Self.appendsWithReceipts(store)
            defer { try? FileManager.default.removeItem(at: file) }
            try await TestDatabase.cutTail(url, keeping: 7)
            #expect(try await LedgerVerification(store: store).run().isIntact)
            let mismatches = try await Receipts.check(try Receipts.read(path: file.path), against: store)
            #expect(mismatches.map(\.receipt.position) == [8, 9, 10])
            #expect(mismatches.allSatisfy { $0.problem.contains("past the log's head (7)") })
        }
    }

    @Test("receipts as CSV; a line without a hash or with a bad one is refused naming its line")
    func reading() throws {
        let directory = FileManager.default.temporaryDirectory
        let csv = directory.appendingPathComponent("receipts-\(UUID()).csv")
        try Data("position,hash\n3,\(String(repeating: "ab", count: 32))\n".utf8).write(to: csv)
        defer { try? FileManager.default.removeItem(at: csv) }
        #expect(try Receipts.read(path: csv.path).map(\.position) == [3])

        // Answers without a receipt (a bulk report that wrote nothing, an answer from before
        // answers carried their hash) are skipped; CRLF line ends are fine; a bad hash is not.
        let jsonl = directory.appendingPathComponent("receipts-\(UUID()).jsonl")
        let zero = String(repeating: "0", count: 64)
        try Data("{\"position\":1,\"hash\":\"\(zero)\"}\r\n\r\n{\"position\":null,\"hash\":null}\r\n{\"position\":2}\r\n".utf8).write(
            to: jsonl)
        defer { try? FileManager.default.removeItem(at: jsonl) }
        #expect(try Receipts.read(path: jsonl.path).map(\.position) == [1])
        try Data("{\"position\":1,\"hash\":\"xyz\"}\n".utf8).write(to: jsonl)
        #expect(throws: ApplicationError.badInput("\(jsonl.path): line 1: position must be 1 or more and hash 64 hex digits")) {
            try Receipts.read(path: jsonl.path)
        }
        try Data("position,hash\n3,zz\n".utf8).write(to: csv)
        #expect(throws: ApplicationError.badInput("\(csv.path): line 2, column hash: is not a hash (64 hex digits)")) {
            try Receipts.read(path: csv.path)
        }
    }
}
