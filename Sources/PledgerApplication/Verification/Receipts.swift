import Foundation
import PledgerDomain
import PledgerStore

/// What a bank kept of its writes — the `position` and `hash` of each answer — checked
/// against the log. Every write's answer carries the chain hash up to it, so a receipt the
/// log no longer matches proves the history the bank was shown has since been rewritten
/// or cut, even by a database superuser who recomputed the chain after the change.
public enum Receipts {
    /// One receipt, and where it was read.
    public struct Receipt: Sendable, Hashable {
        public var position: Int64
        public var hash: LedgerHash
        public var line: Int
    }

    /// A receipt the log does not honour, and why.
    public struct Mismatch: Sendable, Hashable {
        public var receipt: Receipt
        public var problem: String
    }

    /// Reads receipts from JSON Lines (the write answers as they came, or any objects with
    /// `position` and `hash`) or from CSV with `position` and `hash` columns.
    public static func read(path: String) throws -> [Receipt] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ApplicationError.badInput("\(path): cannot read the file (does it exist?)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let first = text.first { !$0.isWhitespace }
        if first == "{" { return try jsonLines(text, path: path) }
        let file = try SpreadsheetFile(path: path, contents: data, required: ["position", "hash"])
        return try file.table.rows.map { row in
            let position = try file.parse(row, "position") { text -> Int64 in
                guard let value = Int64(text), value >= 1 else { throw DomainError.invalid("position", "is not a position (1 or more)") }
                return value
            }!
            let hash = try file.parse(row, "hash") { text -> LedgerHash in
                guard let hash = LedgerHash(hex: text.lowercased()) else {
                    throw DomainError.invalid("hash", "is not a hash (64 hex digits)")
                }
                return hash
            }!
            return Receipt(position: position, hash: hash, line: row.line)
        }
    }

    /// Answers that carry no receipt — a bulk report that wrote nothing (`"hash": null`), or
    /// an answer from before answers carried their hash — are skipped, not refused.
    static func jsonLines(_ text: String, path: String) throws -> [Receipt] {
        var receipts: [Receipt] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        where !line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let location = "\(path): line \(index + 1)"
            guard case .object(let object)? = try? JSONParser.parse(Array(line.trimmingCharacters(in: .whitespacesAndNewlines).utf8)) else {
                throw ApplicationError.badInput("\(location): not a JSON object")
            }
            switch (object["position"], object["hash"]) {
            case (.integer(let position)?, .string(let hex)?):
                guard position >= 1, let hash = LedgerHash(hex: hex.lowercased()) else {
                    throw ApplicationError.badInput("\(location): position must be 1 or more and hash 64 hex digits")
                }
                receipts.append(Receipt(position: position, hash: hash, line: index + 1))
            case (nil, _), (.null?, _), (_, nil), (_, .null?):
                continue
            default:
                throw ApplicationError.badInput("\(location): position must be an integer and hash a string of 64 hex digits")
            }
        }
        guard !receipts.isEmpty else {
            throw ApplicationError.badInput("\(path): no receipts (answers with a position and a hash) in the file")
        }
        return receipts
    }

    /// The receipts the log does not honour: a position past its head (the log was cut, or
    /// the receipt is another ledger's) or another hash there (history up to it rewritten).
    public static func check(_ receipts: [Receipt], against log: EventStore) async throws -> [Mismatch] {
        let head = try await log.head()
        var mismatches: [Mismatch] = []
        for receipt in receipts.sorted(by: { $0.position < $1.position }) {
            guard receipt.position <= head.position else {
                mismatches.append(
                    Mismatch(
                        receipt: receipt,
                        problem:
                            "position \(receipt.position) is past the log's head (\(head.position)): the log was cut back, or the receipt is not from this ledger"
                    ))
                continue
            }
            guard let stored = try await log.read(after: receipt.position - 1, limit: 1).first, stored.position == receipt.position else {
                mismatches.append(Mismatch(receipt: receipt, problem: "position \(receipt.position) is missing from the log"))
                continue
            }
            if stored.hash != receipt.hash {
                mismatches.append(
                    Mismatch(
                        receipt: receipt,
                        problem:
                            "the log's hash at \(receipt.position) is \(stored.hash.hex), the receipt says \(receipt.hash.hex): history up to it was rewritten"
                    ))
            }
        }
        return mismatches
    }
}
