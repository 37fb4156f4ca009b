import Foundation
import PledgerDomain
import PledgerStore

/// A bank's month-end loan statement compared with the ledger, loan by loan.
///
/// Statement CSV columns (header row, any order): `contract_no`, `borrower_uscc`,
/// `outstanding` (yuan, e.g. `3,200,000.00`), `status` (active, defaulted, written_off,
/// closed). Loans the ledger has closed, written off or cancelled need not be listed.
public enum BankStatementReconciliation {
    /// One loan as the bank's statement lists it.
    public struct Line: Sendable, Hashable {
        public var line: Int
        public var contract: ContractNo
        public var borrower: Uscc
        public var outstanding: Money
        public var status: LoanStatus
    }

    public enum Finding: String, Sendable, CaseIterable {
        case matched
        case onlyInStatement = "only_in_statement"
        case onlyInLedger = "only_in_ledger"
        case amountDifference = "amount_difference"
        case statusDifference = "status_difference"
        case borrowerDifference = "borrower_difference"
    }

    /// One loan, classified: what the statement says (if it lists it), what the ledger says
    /// (if it has it), and a note for people.
    public struct Row: Sendable, Hashable {
        public var finding: Finding
        public var contract: ContractNo
        public var line: Int?
        public var statementOutstanding: Money?
        public var ledgerOutstanding: Money?
        public var statementStatus: LoanStatus?
        public var ledgerStatus: LoanStatus?
        public var note: String
    }

    public static let columns = ["contract_no", "borrower_uscc", "outstanding", "status"]

    public static func read(_ file: SpreadsheetFile) throws -> [Line] {
        var lines: [Line] = []
        var seen: [String: Int] = [:]
        for row in file.table.rows {
            let contract = try file.parse(row, "contract_no") { try ContractNo($0) }!
            if let first = seen[contract.value] {
                throw file.fail(row, "contract_no", "\(contract) is listed twice (first on line \(first))")
            }
            seen[contract.value] = row.line
            let statusText = try file.text(row, "status")
            guard let status = LoanStatus(rawValue: statusText.lowercased()), status != .cancelled else {
                throw file.fail(row, "status", "\"\(statusText)\" is not a status; use active, defaulted, written_off or closed")
            }
            lines.append(
                Line(
                    line: row.line, contract: contract, borrower: try file.parse(row, "borrower_uscc") { try Uscc($0) }!,
                    outstanding: try file.money(row, "outstanding")!, status: status))
        }
        return lines
    }

    /// The statement against the bank's loans as the ledger has them on `asOf`: the bank's
    /// past view (its loans' streams, not the whole log).
    public static func run(ledger: Ledger, bank: BankId, asOf: BusinessDate, statement: [Line]) async throws -> [Row] {
        let loans = try await ledger.reads.reports.loanSnapshots(asOf: asOf, knownAt: nil, bank: bank)
        return compare(statement, ledger: loans)
    }

    /// Every statement line and every ledger loan on the books, classified.
    public static func compare(_ statement: [Line], ledger: [LoanSnapshot]) -> [Row] {
        let loans = Dictionary(uniqueKeysWithValues: ledger.filter { $0.status != .cancelled }.map { ($0.contractNo.value, $0) })
        var rows: [Row] = []
        var listed = Set<String>()
        for line in statement {
            listed.insert(line.contract.value)
            guard let loan = loans[line.contract.value] else {
                rows.append(
                    Row(
                        finding: .onlyInStatement, contract: line.contract, line: line.line, statementOutstanding: line.outstanding,
                        statementStatus: line.status, note: "the ledger has no such loan for this bank"))
                continue
            }
            var row = Row(
                finding: .matched, contract: line.contract, line: line.line, statementOutstanding: line.outstanding,
                ledgerOutstanding: loan.outstandingFen, statementStatus: line.status, ledgerStatus: loan.status, note: "")
            if loan.borrower != line.borrower {
                row.finding = .borrowerDifference
                row.note = "statement borrower \(line.borrower), ledger \(loan.borrower)"
            } else if loan.outstandingFen != line.outstanding {
                row.finding = .amountDifference
                row.note = "difference \(Money(fen: line.outstanding.fen - loan.outstandingFen.fen)) (statement − ledger)"
            } else if loan.status != line.status {
                row.finding = .statusDifference
                row.note = "statement says \(line.status.rawValue), ledger \(loan.status.rawValue)"
            }
            rows.append(row)
        }
        for loan in loans.values.sorted(by: { $0.contractNo < $1.contractNo }) where !listed.contains(loan.contractNo.value) {
            guard [.active, .defaulted].contains(loan.status) else { continue }
            rows.append(
                Row(
                    finding: .onlyInLedger, contract: loan.contractNo, ledgerOutstanding: loan.outstandingFen,
                    ledgerStatus: loan.status, note: "on the ledger's books but not in the statement"))
        }
        return rows
    }
}
