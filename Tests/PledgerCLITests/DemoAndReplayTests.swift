import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// The demo district as a fixture: loaded through the real binary into a test database.
enum DemoFixture {
    static func load(_ url: DatabaseURL, seed: Int = 2023) async throws -> String {
        let demo = try await PledgerBinary.run(["demo", "--seed", String(seed)], database: url)
        #expect(demo.status == 0, "\(demo.stderr)")
        return demo.stdout.split(separator: "\n").first { $0.hasPrefix("head ") }.map(String.init) ?? ""
    }

    static let samples = TestDatabase.repositoryRoot.appendingPathComponent("deploy/samples")
}

@Suite("pledger demo and replay")
struct DemoAndReplayTests {
    @Test("the demo is deterministic: same seed, same head hash; another seed, another")
    func deterministic() async throws {
        let first = try await TestDatabase.withDatabase { try await DemoFixture.load($0) }
        let second = try await TestDatabase.withDatabase { try await DemoFixture.load($0) }
        let other = try await TestDatabase.withDatabase { try await DemoFixture.load($0, seed: 7) }
        #expect(first.hasPrefix("head ") && first == second)
        #expect(other != first)
    }

    @Test("the demo refuses a ledger that already has events")
    func demoNeedsEmptyLedger() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let again = try await PledgerBinary.run(["demo"], database: url)
            #expect(again.status == 1)
            #expect(again.stderr.contains("empty ledger"))
        }
    }

    @Test("replay at a past known_at prints what the report said then, after more was appended")
    func replayReproducesThePast() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let then = try await PledgerBinary.run(
                ["report", "growth", "--from", "2022", "--to", "2025", "--format", "json"], database: url)
            #expect(then.status == 0, "\(then.stderr)")
            let knownAt = RecordedTime.now().description
            try await Task.sleep(for: .milliseconds(5))
            let imported = try await PledgerBinary.run(
                ["import", DemoFixture.samples.appendingPathComponent("loans.csv").path], database: url)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try await PledgerBinary.run(["projections", "catch-up"], database: url).status == 0)
            let now = try await PledgerBinary.run(
                ["report", "growth", "--from", "2022", "--to", "2025", "--format", "json"], database: url)
            #expect(now.stdout != then.stdout, "the import should have changed 2025")
            let replayed = try await PledgerBinary.run(
                ["replay", "--known-at", knownAt, "--report", "growth", "--from", "2022", "--to", "2025", "--format", "json"], database: url
            )
            #expect(replayed.status == 0, "\(replayed.stderr)")
            #expect(replayed.stdout == then.stdout)
            #expect(replayed.stderr.contains("events/s"))
        }
    }

    @Test("import is all or nothing; --skip-invalid writes the valid rows; re-import writes nothing new")
    func importRows() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let sample = try String(contentsOf: DemoFixture.samples.appendingPathComponent("loans.csv"), encoding: .utf8)
            var lines = sample.split(separator: "\n").map(String.init)
            lines[2] = lines[2].replacingOccurrences(of: ",420,", with: ",abc,")  // line 3: a rate that is not a number
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("loans-\(UUID()).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let head = try await Self.head(url)

            let refused = try await PledgerBinary.run(["import", file.path], database: url)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("line 3, column rate_bp"), "\(refused.stderr)")
            #expect(try await Self.head(url) == head)

            let partial = try await PledgerBinary.run(["import", "--skip-invalid", file.path], database: url)
            #expect(partial.status == 1)
            #expect(partial.stdout.contains("imported 1 loans"), "\(partial.stdout)")
            let afterPartial = try await Self.head(url)
            #expect(afterPartial > head)

            let again = try await PledgerBinary.run(["import", "--skip-invalid", file.path], database: url)
            #expect(again.stdout.contains("imported 0 loans") && again.stdout.contains("1 already in the ledger"), "\(again.stdout)")
            #expect(try await Self.head(url) == afterPartial)
        }
    }

    @Test("rows with one contract number form one loan with every pledged asset; rows that disagree on the loan name both lines")
    func importSeveralAssets() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let sample = try String(contentsOf: DemoFixture.samples.appendingPathComponent("loans.csv"), encoding: .utf8)
            let lines = sample.split(separator: "\n").map(String.init)
            // A second asset for the first contract: another patent, its own valuation and pledge number.
            let second = lines[1].replacingOccurrences(of: "ZL201910456789", with: "ZL201910456790")
                .replacingOccurrences(of: "Y2025211303000901", with: "Y2025211303000911")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("loans-\(UUID()).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try ([lines[0], lines[1], second].joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let imported = try await PledgerBinary.run(["import", file.path], database: url)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("imported 1 loans"), "\(imported.stdout)")
            try await LedgerRuntime.with(url, logger: TestDatabase.logger) { ledger in
                let key = LoanKey(bank: try BankId("LCRCB"), contract: try ContractNo("LCRCB-2019-00901"))
                let states = try await ledger.log.state(of: .loan(key))
                #expect(states.loans[key]?.origination?.collateral.map(\.assetId.value).sorted() == ["ZL201910456789", "ZL201910456790"])
            }
            let again = try await PledgerBinary.run(["import", file.path], database: url)
            #expect(again.stdout.contains("1 already in the ledger"), "\(again.stdout)")

            let conflicting = lines[1].replacingOccurrences(of: "ZL201910456789", with: "ZL201910456791")
                .replacingOccurrences(of: "\"3,000,000.00\"", with: "\"2,500,000.00\"")
            try ([lines[0], lines[1], conflicting].joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let head = try await Self.head(url)
            let refused = try await PledgerBinary.run(["import", file.path], database: url)
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains("lines 2 and 3")
                    && refused.stderr.contains("principal is 3,000,000.00 on line 2 but 2,500,000.00 on line 3"),
                "\(refused.stderr)")
            #expect(try await Self.head(url) == head)
        }
    }

    static func head(_ url: DatabaseURL) async throws -> Int64 {
        let verify = try await PledgerBinary.run(["verify", "--format", "json"], database: url)
        guard
            case .integer(let position) = try JSONParser.parse(verify.stdout.trimmingCharacters(in: .whitespacesAndNewlines))[
                "last_position"]
        else { return -1 }
        return position
    }
}
