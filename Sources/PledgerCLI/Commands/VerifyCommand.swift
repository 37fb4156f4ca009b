import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the hash chain from the database and compare it with the head.",
        discussion: """
            Prints how many events were verified and how fast; exits 1 naming the first bad position if any event was altered, removed or re-ordered. With --checkpoint, also checks a signed checkpoint (pledger checkpoint sign): its signature, and that the log still has the same hash at that position — proof that history up to it was not rewritten, even by a database superuser. Every checkpoint the server signed and kept (pledger serve --checkpoint-key) is checked the same way. With --public-key, the checkpoint given and every kept one must be signed with that key (pin the signer's key whenever you check someone else's ledger). With --receipts, checks the (position, hash) every write answered with, as a bank kept them: JSON Lines of the answers, or CSV with position and hash columns.

            Examples:
              pledger verify
              pledger verify --from 1000000 --checkpoint checkpoints/2025-12-31.json
              pledger verify --checkpoint lc-2025-12.json --public-key 3b6a27bc…
              pledger verify --receipts lcrcb-receipts.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "First position to verify (trusts the stored hash before it).") var from: Int64 = 1
    @Option(help: ArgumentHelp("A signed checkpoint file to check against the log.", valueName: "file")) var checkpoint: String?
    @Option(help: ArgumentHelp("Write receipts (position and hash of each answer) to check against the log.", valueName: "file"))
    var receipts: String?
    @Option(help: SignedCheckpoint.publicKeyHelp) var publicKey: String?
    @Option(help: "Output: table or json.") var format: OutputFormat = .table

    func run() async throws {
        let trusted = try publicKey.map(SignedCheckpoint.parsePublicKey)
        let signed = try checkpoint.map { try SignedCheckpoint.load(path: $0, trusting: trusted) }
        let kept = try receipts.map { try Receipts.read(path: $0) }
        let (report, checkpointProblem, mismatches, stored) = try await connection.withLedger { ledger in
            var progress = Progress("verifying")
            let report = try await LedgerVerification(store: ledger.log).run(from: from) { done, total in progress.update(done, of: total) }
            progress.finish()
            var problem: String?
            if let signed { problem = try await signed.check(against: ledger) }
            var mismatches: [Receipts.Mismatch] = []
            if let kept { mismatches = try await Receipts.check(kept, against: ledger.log) }
            // The checkpoints the server signed and kept: each must still match the log.
            var stored = (count: 0, problems: [String]())
            for body in try await ledger.checkpoints.list(limit: 1000) {
                stored.count += 1
                do {
                    let (checkpoint, key) = try Checkpoint.verify(json: body, trustedPublicKey: trusted)
                    if let found = try await SignedCheckpoint(checkpoint: checkpoint, publicKey: key).check(against: ledger) {
                        stored.problems.append("checkpoint of position \(checkpoint.position): \(found)")
                    }
                } catch {
                    stored.problems.append("a stored checkpoint does not verify: \(error)")
                }
            }
            return (report, problem, mismatches, stored)
        }
        switch format {
        case .json:
            var object = JSONObject()
            object.set("intact", .bool(report.isIntact && checkpointProblem == nil && mismatches.isEmpty && stored.problems.isEmpty))
            object.set("stored_checkpoints", .integer(Int64(stored.count)))
            object.set("stored_checkpoint_problems", .array(stored.problems.map(JSONValue.string)))
            object.set("verified", .integer(report.verified))
            object.set("from", .integer(report.from))
            object.set("last_position", .integer(report.lastPosition))
            object.set("last_hash", .string(report.lastHash.hex))
            object.set("events_per_second", .integer(Int64(report.eventsPerSecond)))
            if let problem = report.firstBreak {
                object.set("first_bad_position", .integer(problem.position))
                object.set("reason", .string(problem.reason))
            }
            if let checkpointProblem { object.set("checkpoint_problem", .string(checkpointProblem)) }
            if let kept {
                object.set("receipts_checked", .integer(Int64(kept.count)))
                object.set(
                    "receipt_problems",
                    .array(mismatches.map { JSONValue.string("line \($0.receipt.line): \($0.problem)") }))
            }
            print(CanonicalJSON.string(.object(object)))
        case .table, .csv:
            print(
                "verified   \(report.verified) events (positions \(report.from)…\(report.lastPosition)) in \(String(format: "%.2f", report.seconds)) s, \(Int(report.eventsPerSecond)) events/s"
            )
            print("head       \(report.head?.position ?? 0) \(report.head?.hash.hex ?? "")")
            if let signed {
                print("checkpoint position \(signed.position) \(checkpointProblem == nil ? "matches the log" : "DOES NOT MATCH")")
            }
            if let kept {
                print(
                    "receipts   \(kept.count) checked, \(mismatches.isEmpty ? "every one matches the log" : "\(mismatches.count) DO NOT MATCH")"
                )
                for mismatch in mismatches { print("  line \(mismatch.receipt.line): \(mismatch.problem)") }
            }
        }
        if let problem = report.firstBreak {
            throw ApplicationError.failure("first bad position \(problem.position): \(problem.reason)")
        }
        if let checkpointProblem { throw ApplicationError.failure(checkpointProblem) }
        if let first = stored.problems.first { throw ApplicationError.failure(first) }
        if let first = mismatches.first {
            throw ApplicationError.failure(
                "\(mismatches.count) receipt(s) do not match the log; the first, line \(first.receipt.line): \(first.problem)")
        }
    }
}

/// How a command prints results: aligned tables for people, CSV or JSON for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}
