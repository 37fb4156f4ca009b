import Foundation
import NIOCore
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("pledger verify, export, checkpoint")
struct LedgerAuditCommandTests {
    static func seed(_ store: EventStore, count: Int) async throws {
        for n in 1...count {
            try await store.append(
                AppendRequest(
                    stream: "s-\(n % 4)", expected: .any,
                    events: [
                        try NewEvent(
                            type: "Seeded", data: .object(JSONObject([("n", .integer(Int64(n))), ("note", .string("第\(n)号 \"x\"\n"))])))
                    ]))
        }
    }

    @Test("verify passes on a good log; after a superuser edits a row it exits 1 naming the first bad position")
    func verifyDetectsTampering() async throws {
        try await TestDatabase.withLedger { store, url in
            try await Self.seed(store, count: 30)
            let good = try await PledgerBinary.run(["verify"], database: url)
            #expect(good.status == 0, "\(good.stderr)")
            #expect(good.stdout.contains("verified   30 events"))

            try await TestDatabase.behindTheApplicationsBack(url, #"UPDATE events SET meta = '{"actor":"mallory"}' WHERE position = 17"#)
            let bad = try await PledgerBinary.run(["verify"], database: url)
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("first bad position 17"), "\(bad.stderr)")
            let json = try await PledgerBinary.run(["verify", "--format", "json"], database: url)
            #expect(json.stdout.contains("\"first_bad_position\":17"))
        }
    }

    @Test("export → tools/verify-export.py passes; one flipped byte fails at that line")
    func exportVerifiesWithPython() async throws {
        try await TestDatabase.withLedger { store, url in
            try await Self.seed(store, count: 25)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID()).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            let export = try await PledgerBinary.run(["export", "--out", file.path], database: url)
            #expect(export.status == 0, "\(export.stderr)")
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 25)

            let ok = try Self.python(["tools/verify-export.py", file.path])
            #expect(ok.status == 0, "\(ok.stderr)")
            let head = try await store.head()
            #expect(ok.stdout.contains(head.hash.hex))

            // Flip one byte inside line 11's payload.
            var text = Array(try String(contentsOf: file, encoding: .utf8).utf8)
            let lineStarts = [0] + text.indices.filter { text[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
            let target = lineStarts[10] + 12
            text[target] = text[target] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            try Data(text).write(to: file)
            let broken = try Self.python(["tools/verify-export.py", file.path])
            #expect(broken.status == 1)
            #expect(broken.stderr.contains("line 11"), "\(broken.stderr)")
        }
    }

    @Test("a signed checkpoint verifies; after history is rewritten it does not")
    func checkpoints() async throws {
        try await TestDatabase.withLedger { store, url in
            try await Self.seed(store, count: 10)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let key = folder.appendingPathComponent("fund.key").path
            let checkpoint = folder.appendingPathComponent("cp.json").path
            let keygen = try await PledgerBinary.run(["checkpoint", "keygen", "--key", key])
            #expect(keygen.status == 0)
            let publicKey = keygen.stdout.replacingOccurrences(of: "public key ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await PledgerBinary.run(["checkpoint", "sign", "--key", key, "--out", checkpoint], database: url).status == 0)
            #expect(try await PledgerBinary.run(["checkpoint", "show", checkpoint]).stdout.contains("position   10"))
            #expect(try await PledgerBinary.run(["checkpoint", "show", "--public-key", publicKey, checkpoint]).status == 0)
            try await Self.seed(store, count: 5)
            #expect(
                try await PledgerBinary.run(["verify", "--checkpoint", checkpoint, "--public-key", publicKey], database: url).status == 0)

            // Anyone can sign: a checkpoint from another key verifies on its own, but not
            // against the signer's pinned key.
            let forger = folder.appendingPathComponent("forger.key").path
            let forged = folder.appendingPathComponent("forged.json").path
            #expect(try await PledgerBinary.run(["checkpoint", "keygen", "--key", forger]).status == 0)
            #expect(try await PledgerBinary.run(["checkpoint", "sign", "--key", forger, "--out", forged], database: url).status == 0)
            #expect(try await PledgerBinary.run(["verify", "--checkpoint", forged], database: url).status == 0)
            let pinned = try await PledgerBinary.run(["verify", "--checkpoint", forged, "--public-key", publicKey], database: url)
            #expect(pinned.status != 0 && pinned.stderr.contains("key other than the trusted public key"), "\(pinned.stderr)")
            let shown = try await PledgerBinary.run(["checkpoint", "show", "--public-key", publicKey, forged])
            #expect(shown.status != 0 && shown.stderr.contains("trusted public key"), "\(shown.stderr)")
            let malformed = try await PledgerBinary.run(["checkpoint", "show", "--public-key", "abc", checkpoint])
            #expect(malformed.status != 0 && malformed.stderr.contains("64 hex digits"), "\(malformed.stderr)")

            // A superuser rewrites position 4 and re-hashes the whole chain after it, so the log
            // is internally consistent again — only the checkpoint can tell.
            try await TestDatabase.rewriteHistory(url, store, position: 4, data: #"{"n":4000}"#)
            #expect(try await PledgerBinary.run(["verify"], database: url).status == 0)
            let caught = try await PledgerBinary.run(["verify", "--checkpoint", checkpoint], database: url)
            #expect(caught.status == 1)
            #expect(caught.stderr.contains("history was rewritten"), "\(caught.stderr)")
        }
    }

    static func python(_ arguments: [String]) throws -> PledgerBinary.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = TestDatabase.repositoryRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
