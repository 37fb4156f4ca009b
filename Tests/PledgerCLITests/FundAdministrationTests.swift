import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A fund administrator's month through `pledger` alone (the shared `FundMonth` scenario).
@Suite("pledger fund, claims, recoveries: an administrator's month")
struct FundAdministrationTests {
    @discardableResult
    static func run(_ arguments: [String], _ url: DatabaseURL, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> PledgerBinary.Outcome
    {
        let outcome = try await PledgerBinary.run(arguments, database: url)
        #expect(outcome.status == 0, "\(arguments.joined(separator: " ")): \(outcome.stderr)", sourceLocation: sourceLocation)
        return outcome
    }

    @Test("approve, pay from a thin balance, queue, money arrives, pay the queue, reconcile clean — each act idempotent on its reference")
    func month() async throws {
        try await TestDatabase.withLedger { store, url in
            try await FundMonth.recordBankSide(store)
            let loan = ["--bank", "LCRCB", "--contract", "LC-2024-0001"]

            let unknown = try await PledgerBinary.run(["claims", "list", "--fund", "NOPE", "--status", "filed"], database: url)
            #expect(unknown.status == 1 && unknown.stderr.contains("no fund NOPE"), "\(unknown.stderr)")
            let filed = try await Self.run(["claims", "list", "--status", "filed", "--format", "csv"], url)
            #expect(filed.stdout.contains("LCRCB,LC-2024-0001,91512081MA62K0260E,LC-IPRC,filed,50000000,0,50000000,"), "\(filed.stdout)")

            let approved = try await Self.run(
                ["claims", "approve"] + loan + ["--amount", "500,000.00", "--on", FundMonth.approvedOn, "--reference", "批复-1", "--yes"], url
            )
            #expect(approved.stdout.contains("balance of LC-IPRC now 300,000.00"), "\(approved.stdout)")

            let paid = try await Self.run(
                ["claims", "pay"] + loan + ["--on", FundMonth.firstPaymentOn, "--reference", FundMonth.firstPaymentRef], url)
            #expect(paid.stdout.contains("balance of LC-IPRC now 0.00"), "\(paid.stdout)")
            let queued = try await Self.run(["claims", "list", "--status", "queued", "--format", "csv"], url)
            #expect(queued.stdout.contains("queued,50000000,30000000,20000000,2025-01-06"), "\(queued.stdout)")

            // Nothing left to pay with: refused, exit 1, nothing written.
            let empty = try await PledgerBinary.run(
                ["claims", "pay"] + loan + ["--on", "2025-01-11", "--reference", "龙财补〔2025〕X号"], database: url)
            #expect(empty.status == 1 && empty.stderr.contains("queued"), "\(empty.stderr)")

            try await Self.run(
                [
                    "fund", "contribute", "--fund", "LC-IPRC", "--amount", "250,000.00", "--contributor", "city", "--on", FundMonth.cityOn,
                    "--reference", FundMonth.cityRef,
                ], url)
            let interest = try await Self.run(
                [
                    "fund", "interest", "--fund", "LC-IPRC", "--amount", "1,234.56", "--on", FundMonth.interestOn, "--reference",
                    FundMonth.interestRef,
                ], url)
            #expect(interest.stdout.contains("now 251,234.56"), "\(interest.stdout)")
            let head = try await store.head().position
            // The same act again (a retry): nothing new, the same balance.
            let again = try await Self.run(
                [
                    "fund", "interest", "--fund", "LC-IPRC", "--amount", "1,234.56", "--on", FundMonth.interestOn, "--reference",
                    FundMonth.interestRef,
                ], url)
            #expect(again.stderr.contains("already recorded") && again.stdout.contains("now 251,234.56"))
            #expect(try await store.head().position == head)
            // The same reference for another act is refused.
            let reused = try await PledgerBinary.run(
                [
                    "fund", "interest", "--fund", "LC-IPRC", "--amount", "1.00", "--on", FundMonth.interestOn, "--reference",
                    FundMonth.interestRef,
                ], database: url)
            #expect(reused.status == 1 && reused.stderr.contains("already used for a different act"))

            let queue = try await Self.run(
                ["fund", "pay-queue", "--fund", "LC-IPRC", "--on", FundMonth.queuePaidOn, "--reference", FundMonth.queueRef], url)
            #expect(queue.stdout.contains("now 51,234.56"), "\(queue.stdout)")
            #expect(
                try await Self.run(["claims", "list", "--format", "csv"], url).stdout.split(separator: "\n").count == 1,
                "no claim left open")

            // The default took the NPL ratio over the threshold: enrolments stopped by themselves,
            // fund-wide and through the bank. The administrator reviews and reopens both.
            let suspended = try JSONParser.parse(
                try await Self.run(["fund", "show", "--fund", "LC-IPRC", "--format", "json"], url).stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(suspended["suspended"] == .bool(true) && suspended["suspended_banks"] == .array([.string("LCRCB")]))
            let twice = try await PledgerBinary.run(
                ["fund", "suspend", "--fund", "LC-IPRC", "--bank", "LCRCB", "--reason", "x", "--reference", "S-0"], database: url)
            #expect(twice.status == 1 && twice.stderr.contains("already suspended"))
            try await Self.run(
                [
                    "fund", "resume", "--fund", "LC-IPRC", "--bank", "LCRCB", "--on", "2025-01-24", "--reason", "review done",
                    "--reference", "S-1",
                ], url)
            try await Self.run(
                ["fund", "resume", "--fund", "LC-IPRC", "--on", "2025-01-24", "--reason", "review done", "--reference", "S-2"], url)

            let shown = try await Self.run(["fund", "show", "--fund", "LC-IPRC", "--format", "json"], url)
            let fund = try JSONParser.parse(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(fund["balance_fen"] == .integer(FundMonth.closingBalance.fen))
            #expect(fund["suspended_banks"] == .array([]) && fund["suspended"] == .bool(false))
            #expect(fund["paid_out_fen"] == .integer(50_000_000))
            #expect(fund["account"]?["interest_fen"] == .integer(123_456))

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("fund-month-\(UUID()).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try FundMonth.statement.write(to: file, atomically: true, encoding: .utf8)
            let reconciled = try await Self.run(["reconcile", "fund-account", "--fund", "LC-IPRC", "--file", file.path], url)
            #expect(reconciled.stdout.contains("clean: everything matches"), "\(reconciled.stdout)")
        }
    }

    @Test("input is checked before anything is written: amounts, dates, references, unknown funds and loans")
    func badInput() async throws {
        try await TestDatabase.withLedger { store, url in
            try await FundMonth.recordBankSide(store)
            let head = try await store.head().position
            for (arguments, status, message) in [
                (
                    ["fund", "contribute", "--fund", "LC-IPRC", "--amount", "12.345", "--contributor", "city", "--reference", "R"],
                    Int32(2), "--amount"
                ),
                (["fund", "interest", "--fund", "LC-IPRC", "--amount", "0", "--reference", "R"], 2, "more than 0.00"),
                (["fund", "interest", "--fund", "LC-IPRC", "--amount", "1.00", "--on", "2025-02-30", "--reference", "R"], 2, "--on"),
                (["fund", "interest", "--fund", "LC-IPRC", "--amount", "1.00", "--reference", " "], 2, "--reference"),
                (["fund", "interest", "--fund", "NOPE", "--amount", "1.00", "--reference", "R"], 1, "no such fund"),
                (["claims", "approve", "--bank", "LCRCB", "--contract", "NOPE", "--reference", "R"], 1, "no loan"),
                (
                    [
                        "fund", "return", "--fund", "LC-IPRC", "--amount", "400,000.00", "--contributor", "province", "--reason", "x",
                        "--reference", "R",
                    ], 1, "refused"
                ),
            ] {
                let outcome = try await PledgerBinary.run(arguments, database: url)
                #expect(outcome.status == status && outcome.stderr.contains(message), "\(arguments): \(outcome.status) \(outcome.stderr)")
            }
            #expect(try await store.head().position == head)
        }
    }
}
