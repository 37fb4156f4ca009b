import Foundation
import PledgerDomain
import PledgerStore

/// An insurer's bordereau (保险清单) compared with its book in the ledger, policy by policy.
///
/// Bordereau CSV columns (header row, any order): `policy_no`, `contract_no`, `amount` (the
/// claims the insurer has paid on the policy so far, yuan; `0.00` when none), `status`
/// (`in_force`, `expired`, `claim_open`, `claim_settled`, `not_covered`). Policies issued
/// after the bordereau's date are not expected on it.
public enum BordereauReconciliation {
    /// One policy as the bordereau lists it.
    public struct Line: Sendable, Hashable {
        public var line: Int
        public var policy: PolicyNo
        public var contract: ContractNo
        public var claimsPaid: Money
        public var status: PolicyPosition.Status
    }

    public enum Finding: String, Sendable, CaseIterable {
        case matched
        case onlyInBordereau = "only_in_bordereau"
        case onlyInLedger = "only_in_ledger"
        case amountDifference = "amount_difference"
        case statusDifference = "status_difference"
        case contractDifference = "contract_difference"
    }

    public struct Row: Sendable, Hashable {
        public var finding: Finding
        public var policy: PolicyNo
        public var line: Int?
        public var bordereauAmount: Money?
        public var ledgerAmount: Money?
        public var bordereauStatus: PolicyPosition.Status?
        public var ledgerStatus: PolicyPosition.Status?
        public var note: String
    }

    public static let columns = ["policy_no", "contract_no", "amount", "status"]

    public static func read(_ file: SpreadsheetFile) throws -> [Line] {
        var lines: [Line] = []
        var seen: [String: Int] = [:]
        for row in file.table.rows {
            let policy = try file.parse(row, "policy_no") { try PolicyNo($0) }!
            if let first = seen[policy.value] {
                throw file.fail(row, "policy_no", "\(policy) is listed twice (first on line \(first))")
            }
            seen[policy.value] = row.line
            let statusText = try file.text(row, "status")
            guard let status = PolicyPosition.Status(rawValue: statusText.lowercased()) else {
                throw file.fail(
                    row, "status",
                    "\"\(statusText)\" is not a status; use \(PolicyPosition.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            lines.append(
                Line(
                    line: row.line, policy: policy, contract: try file.parse(row, "contract_no") { try ContractNo($0) }!,
                    claimsPaid: try file.money(row, "amount")!, status: status))
        }
        return lines
    }

    /// The bordereau against the insurer's book on `asOf`: the book's stream and its
    /// policies' loans, each as it stood that day (cost ∝ the insurer's policies).
    public static func run(ledger: Ledger, insurer: InsurerId, asOf: BusinessDate, bordereau: [Line]) async throws -> [Row] {
        guard let positions = try await ledger.reads.reports.policies(of: insurer, asOf: asOf) else {
            throw ApplicationError.badInput("the ledger has no policies of insurer \(insurer) on \(asOf); check --insurer and --as-of")
        }
        return compare(bordereau, ledger: positions)
    }

    /// Every bordereau line and every policy on the book, classified.
    public static func compare(_ bordereau: [Line], ledger: [PolicyPosition]) -> [Row] {
        let book = Dictionary(uniqueKeysWithValues: ledger.map { ($0.policyNo, $0) })
        var rows: [Row] = []
        var listed = Set<PolicyNo>()
        for line in bordereau {
            listed.insert(line.policy)
            guard let position = book[line.policy] else {
                rows.append(
                    Row(
                        finding: .onlyInBordereau, policy: line.policy, line: line.line, bordereauAmount: line.claimsPaid,
                        bordereauStatus: line.status, note: "the ledger has no such policy of this insurer on this date"))
                continue
            }
            var row = Row(
                finding: .matched, policy: line.policy, line: line.line, bordereauAmount: line.claimsPaid,
                ledgerAmount: position.claimsPaid, bordereauStatus: line.status, ledgerStatus: position.status, note: "")
            if position.loan.contract != line.contract {
                row.finding = .contractDifference
                row.note = "bordereau contract \(line.contract), ledger \(position.loan.contract) (bank \(position.loan.bank))"
            } else if position.claimsPaid != line.claimsPaid {
                row.finding = .amountDifference
                row.note = "difference \(Money(fen: line.claimsPaid.fen - position.claimsPaid.fen)) (bordereau − ledger)"
            } else if position.status != line.status {
                row.finding = .statusDifference
                row.note = "bordereau says \(line.status.rawValue), ledger \(position.status.rawValue)"
            }
            rows.append(row)
        }
        // A policy cancelled in error need not be listed (like a closed loan on a bank's statement).
        for position in ledger where !listed.contains(position.policyNo) && position.status != .cancelled {
            rows.append(
                Row(
                    finding: .onlyInLedger, policy: position.policyNo, ledgerAmount: position.claimsPaid, ledgerStatus: position.status,
                    note: "on the insurer's book in the ledger (loan \(position.loan)) but not in the bordereau"))
        }
        return rows
    }
}
