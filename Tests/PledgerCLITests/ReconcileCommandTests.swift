import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("pledger reconcile")
struct ReconcileCommandTests {
    static func write(_ text: String, bytes: [UInt8]? = nil) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("statement-\(UUID()).csv")
        try Data(bytes ?? Array(text.utf8)).write(to: file)
        return file
    }

    static func sample(_ name: String) throws -> [String] {
        try String(contentsOf: DemoFixture.samples.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("bank statement: the shipped sample matches the demo; every mismatch class is found, row by row")
    func bankStatement() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let clean = try await PledgerBinary.run(
                [
                    "reconcile", "bank-statement", "--bank", "LCRCB", "--file",
                    DemoFixture.samples.appendingPathComponent("bank-statement.csv").path, "--as-of", "2025-12-31",
                ], database: url)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.contains("clean: everything matches"))

            var lines = try Self.sample("bank-statement.csv")
            // line 2: amount; line 3: status; line 4: borrower; line 5 removed (only in ledger); a new line (only in statement).
            func cells(_ line: String) -> [String] { line.split(separator: ",").map(String.init) }
            let (amountRow, statusRow, borrowerRow) = (cells(lines[1]), cells(lines[2]), cells(lines[3]))
            let ledgerFen = try Money(parsing: amountRow[2]).fen
            lines[1] = [amountRow[0], amountRow[1], Money(fen: ledgerFen + 1).plainYuan, amountRow[3]].joined(separator: ",")
            let otherStatus = statusRow[3] == "active" ? "defaulted" : "active"
            lines[2] = [statusRow[0], statusRow[1], statusRow[2], otherStatus].joined(separator: ",")
            lines[3] = [borrowerRow[0], "91512081MA62K0260E", borrowerRow[2], borrowerRow[3]].joined(separator: ",")
            let removed = lines.remove(at: 4)
            lines.append("LCRCB-2099-00001,91512081MA62K0260E,\"1,000.00\",active")
            let file = try Self.write(lines.joined(separator: "\r\n") + "\r\n")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await PledgerBinary.run(
                ["reconcile", "bank-statement", "--bank", "LCRCB", "--file", file.path, "--as-of", "2025-12-31", "--format", "csv"],
                database: url)
            #expect(result.status == 1)
            let rows = result.stdout.split(separator: "\n").map(String.init)
            #expect(
                rows.first
                    == "finding,contract_no,line,statement_outstanding_fen,ledger_outstanding_fen,statement_status,ledger_status,note")
            #expect(
                rows.contains(
                    "amount_difference,\(amountRow[0]),2,\(ledgerFen + 1),\(ledgerFen),\(amountRow[3]),\(amountRow[3]),difference 0.01 (statement − ledger)"
                ), "\(rows)")
            let statusFen = try Money(parsing: statusRow[2]).fen
            #expect(
                rows.contains(
                    "status_difference,\(statusRow[0]),3,\(statusFen),\(statusFen),\(otherStatus),\(statusRow[3]),\"statement says \(otherStatus), ledger \(statusRow[3])\""
                ), "\(rows)")
            let borrowerFen = try Money(parsing: borrowerRow[2]).fen
            #expect(
                rows.contains(
                    "borrower_difference,\(borrowerRow[0]),4,\(borrowerFen),\(borrowerFen),\(borrowerRow[3]),\(borrowerRow[3]),\"statement borrower 91512081MA62K0260E, ledger \(borrowerRow[1])\""
                ), "\(rows)")
            #expect(
                rows.contains(
                    "only_in_statement,LCRCB-2099-00001,\(lines.count),100000,,active,,the ledger has no such loan for this bank"),
                "\(rows)")
            let removedContract = String(removed.split(separator: ",")[0])
            #expect(rows.contains { $0.hasPrefix("only_in_ledger,\(removedContract),,,") })
            #expect(rows.filter { $0.hasPrefix("matched,") }.count == lines.count - 1 - 4)
        }
    }

    @Test(
        "bad statement files: exit 2 with the file, line and column",
        arguments: [
            ("contract_no,borrower_uscc,status\n", "missing column(s) outstanding"),
            ("", "the file is empty"),
            ("contract_no,borrower_uscc,outstanding,status\n", "no rows"),
            ("contract_no,borrower_uscc,outstanding,status\nC-1,91512081MA62K0260E,12.345,active\n", "line 2, column outstanding"),
            ("contract_no,borrower_uscc,outstanding,status\nC-1,91512081MA62K0260F,1.00,active\n", "line 2, column borrower_uscc"),
            ("contract_no,borrower_uscc,outstanding,status\nC-1,91512081MA62K0260E,1.00,sleeping\n", "line 2, column status"),
            (
                "contract_no,borrower_uscc,outstanding,status\nC-1,91512081MA62K0260E,1.00,active\nC-1,91512081MA62K0260E,1.00,active\n",
                "listed twice"
            ),
            ("contract_no,borrower_uscc,outstanding,status\nC-1,\"unterminated,1.00,active\n", "not closed"),
        ])
    func badFiles(content: String, message: String) async throws {
        try await TestDatabase.withDatabase { url in
            let file = try Self.write(content)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await PledgerBinary.run(
                ["reconcile", "bank-statement", "--bank", "LCRCB", "--file", file.path], database: url)
            #expect(result.status == 2)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.contains(file.path))
        }
    }

    @Test("encodings: a UTF-8 BOM is fine; GBK bytes are refused with the line")
    func encodings() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let sample = try String(contentsOf: DemoFixture.samples.appendingPathComponent("bank-statement.csv"), encoding: .utf8)
            let bom = try Self.write("", bytes: [0xEF, 0xBB, 0xBF] + Array(sample.utf8))
            let gbk = try Self.write(
                "",
                bytes: Array("contract_no,borrower_uscc,outstanding,status\nC-1,".utf8) + [0xC1, 0xFA, 0xB3, 0xC7]
                    + Array(",1.00,active\n".utf8))
            defer {
                try? FileManager.default.removeItem(at: bom)
                try? FileManager.default.removeItem(at: gbk)
            }
            #expect(
                try await PledgerBinary.run(
                    ["reconcile", "bank-statement", "--bank", "LCRCB", "--file", bom.path, "--as-of", "2025-12-31"], database: url
                ).status == 0)
            let refused = try await PledgerBinary.run(
                ["reconcile", "bank-statement", "--bank", "LCRCB", "--file", gbk.path], database: url)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("line 2") && refused.stderr.contains("not UTF-8"), "\(refused.stderr)")
        }
    }

    @Test("fund account: sample clean; amount, date, missing lines and closing balance are each found")
    func fundAccount() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let clean = try await PledgerBinary.run(
                [
                    "reconcile", "fund-account", "--fund", "LC-IPRC", "--file",
                    DemoFixture.samples.appendingPathComponent("fund-account.csv").path,
                ], database: url)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")

            var lines = try Self.sample("fund-account.csv")
            lines[1] = lines[1].replacingOccurrences(of: "2022-01-15", with: "2022-01-25")  // 10 days late
            let payout = try #require(lines.firstIndex { $0.contains("龙财补") })  // a payout, one yuan short
            let paid = try #require(lines[payout].split(separator: "\"").dropFirst().first.map(String.init))
            lines[payout] = lines[payout].replacingOccurrences(
                of: "\"\(paid)\"", with: "\"\(Money(fen: try Money(parsing: paid).fen - 100))\"")
            lines.remove(at: 5)  // a movement missing
            lines.append("2025-12-30,\"500.00\",,银行,利息收入,\"99,999,999.00\"")  // not a ledger movement; balance now off
            let file = try Self.write(lines.joined(separator: "\n"))
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try await PledgerBinary.run(
                ["reconcile", "fund-account", "--fund", "LC-IPRC", "--file", file.path, "--format", "json"], database: url)
            #expect(result.status == 1)
            let json = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(json["summary"]?["date_outside_tolerance"] == .integer(1))
            #expect(json["summary"]?["amount_difference"] == .integer(1))
            #expect(json["summary"]?["only_in_ledger"] == .integer(1))
            #expect(json["summary"]?["only_in_statement"] == .integer(1))
            #expect(json["summary"]?["closing_balance_difference"] == .integer(1))
            #expect(json["clean"] == .bool(false))
        }
    }

    @Test(
        "bordereau: the shipped sample matches the demo insurer's book; a changed amount, a bad status and an unknown insurer are each reported"
    )
    func bordereau() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let sample = DemoFixture.samples.appendingPathComponent("bordereau.csv").path
            let clean = try await PledgerBinary.run(
                ["reconcile", "bordereau", "--insurer", "PICC-LC", "--file", sample, "--as-of", "2025-12-31"], database: url)
            #expect(clean.status == 0 && clean.stdout.contains("clean: everything matches"), "\(clean.stdout)\(clean.stderr)")

            var lines = try Self.sample("bordereau.csv")
            let settled = try #require(lines.firstIndex { $0.hasSuffix(",claim_settled") })
            let policy = String(lines[settled].prefix { $0 != "," })
            lines[settled] = lines[settled].replacingOccurrences(of: ",claim_settled", with: ",claim_open")
            let changed = try Self.write(lines.joined(separator: "\n") + "\n")
            defer { try? FileManager.default.removeItem(at: changed) }
            let found = try await PledgerBinary.run(
                ["reconcile", "bordereau", "--insurer", "PICC-LC", "--file", changed.path, "--as-of", "2025-12-31", "--format", "csv"],
                database: url)
            #expect(found.status == 1)
            #expect(found.stdout.contains("status_difference,\(policy),"), "\(found.stdout)")

            let bad = try Self.write("policy_no,contract_no,amount,status\nP-1,C-1,1.00,lapsed\n")
            defer { try? FileManager.default.removeItem(at: bad) }
            let refused = try await PledgerBinary.run(
                ["reconcile", "bordereau", "--insurer", "PICC-LC", "--file", bad.path], database: url)
            #expect(refused.status == 2 && refused.stderr.contains("line 2") && refused.stderr.contains("status"), "\(refused.stderr)")
            let unknown = try await PledgerBinary.run(["reconcile", "bordereau", "--insurer", "NOBODY", "--file", sample], database: url)
            #expect(unknown.status == 2 && unknown.stderr.contains("no policies of insurer NOBODY"), "\(unknown.stderr)")
        }
    }

    @Test("insurance: the insurer's policies as a table and as JSON; a premium subsidy paid once per reference, never beyond the premium")
    func insurancePolicies() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let listed = try await PledgerBinary.run(
                ["insurance", "policies", "--insurer", "PICC-LC", "--as-of", "2025-12-31", "--format", "json"], database: url)
            #expect(listed.status == 0, "\(listed.stderr)")
            guard case .array(let policies) = try JSONParser.parse(listed.stdout) else {
                Issue.record("not an array: \(listed.stdout)")
                return
            }
            let open = try #require(policies.first { $0["status"] == .string("in_force") })
            guard case .string(let number) = open["policy_no"], case .integer(let premium) = open["premium_fen"],
                case .integer(let subsidised) = open["premium_subsidised_fen"]
            else {
                Issue.record("\(listed.stdout)")
                return
            }
            #expect(subsidised * 2 == premium)
            let pay = [
                "insurance", "subsidise-premium", "--insurer", "PICC-LC", "--policy", number, "--fund", "LC-IPRC", "--on", "2025-12-31",
                "--reference", "保费补贴-追加-1", "--yes",
            ]
            let paid = try await PledgerBinary.run(pay, database: url)
            #expect(paid.status == 0, "\(paid.stderr)")
            let again = try await PledgerBinary.run(pay, database: url)
            #expect(again.status == 0 && !again.stderr.contains("recorded at position"), "\(again.stderr)")
            let more = try await PledgerBinary.run(
                [
                    "insurance", "subsidise-premium", "--insurer", "PICC-LC", "--policy", number, "--fund", "LC-IPRC", "--on", "2025-12-31",
                    "--reference", "保费补贴-追加-2", "--yes",
                ], database: url)
            #expect(more.status != 0 && more.stderr.contains("subsidised in full"), "\(more.stderr)")
            let table = try await PledgerBinary.run(
                ["insurance", "policies", "--insurer", "PICC-LC", "--as-of", "2025-12-31"], database: url)
            #expect(table.status == 0 && table.stdout.contains(number) && table.stdout.contains("Sum insured"), "\(table.stdout)")
        }
    }
}
