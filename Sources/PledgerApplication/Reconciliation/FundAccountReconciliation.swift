import PledgerDomain
import PledgerStore

/// The fund's bank-account statement compared with the fund's money movements in the
/// ledger: contributions, recovery shares, interest and transfers in (money in);
/// compensation payouts, bank charges, money returned to contributors and transfers out
/// (money out).
///
/// Statement CSV columns: `date` (YYYY-MM-DD), `amount_in` and `amount_out` (yuan; one of
/// them per line), `counterparty`, `reference`, and optionally `balance` (the running
/// balance the bank printed; its last value is compared with the ledger's balance).
/// Lines match movements by reference and amount; a date further apart than the
/// tolerance is flagged.
public enum FundAccountReconciliation {
    /// One booking as the bank's account statement prints it.
    public struct Line: Sendable, Hashable {
        public var line: Int
        public var date: BusinessDate
        /// + in, − out.
        public var amount: Money
        public var counterparty: String
        public var reference: String
        public var balance: Money?
    }

    public enum Finding: String, Sendable, CaseIterable {
        case matched
        case dateOutsideTolerance = "date_outside_tolerance"
        case amountDifference = "amount_difference"
        case onlyInStatement = "only_in_statement"
        case onlyInLedger = "only_in_ledger"
        case closingBalanceDifference = "closing_balance_difference"
    }

    /// One booking or movement (or the closing balance), classified.
    public struct Row: Sendable, Hashable {
        public var finding: Finding
        public var line: Int?
        public var date: BusinessDate
        public var reference: String
        public var statementAmount: Money?
        public var ledgerAmount: Money?
        public var note: String
    }

    public static let required = ["date", "amount_in", "amount_out", "counterparty", "reference"]
    public static let optional = ["balance"]

    public static func read(_ file: SpreadsheetFile) throws -> [Line] {
        try file.table.rows.map { row in
            let amountIn = try file.money(row, "amount_in", required: false)
            let amountOut = try file.money(row, "amount_out", required: false)
            guard (amountIn == nil) != (amountOut == nil) else {
                throw file.fail(row, "amount_in", "give exactly one of amount_in and amount_out")
            }
            if let value = amountIn ?? amountOut, !value.isPositive {
                throw file.fail(row, amountIn != nil ? "amount_in" : "amount_out", "must be more than 0.00")
            }
            return Line(
                line: row.line, date: try file.date(row, "date"), amount: amountIn ?? Money(fen: -amountOut!.fen),
                counterparty: try file.text(row, "counterparty", required: false), reference: try file.text(row, "reference"),
                balance: try file.money(row, "balance", required: false))
        }
    }

    /// The statement against the fund's account as recorded now.
    public static func run(ledger: Ledger, fund: FundId, statement: [Line], toleranceDays: Int) async throws -> [Row] {
        guard let account = try await FundAccountLedger.read(fund, ledger: ledger) else {
            throw ApplicationError.failure("no fund \(fund) in the ledger")
        }
        return compare(statement, ledger: account, toleranceDays: toleranceDays)
    }

    public static func compare(_ statement: [Line], ledger: FundAccountLedger, toleranceDays: Int) -> [Row] {
        guard let first = statement.map(\.date).min(), let last = statement.map(\.date).max() else { return [] }
        var unmatched = ledger.movements.enumerated().map { ($0.offset, $0.element) }
        var rows: [Row] = []
        for line in statement {
            // Best candidate: same reference and amount, nearest date; else same reference.
            let sameReference = unmatched.filter { $0.1.reference == line.reference }
            let candidate =
                sameReference.filter { $0.1.amount == line.amount }.min {
                    abs($0.1.date.days(until: line.date)) < abs($1.1.date.days(until: line.date))
                }
                ?? sameReference.min { abs($0.1.date.days(until: line.date)) < abs($1.1.date.days(until: line.date)) }
            guard let (index, movement) = candidate else {
                rows.append(
                    Row(
                        finding: .onlyInStatement, line: line.line, date: line.date, reference: line.reference,
                        statementAmount: line.amount,
                        note: "no \(line.amount.isNegative ? "payout" : "contribution or recovery share") with this reference in the ledger"
                    ))
                continue
            }
            unmatched.removeAll { $0.0 == index }
            let apart = abs(movement.date.days(until: line.date))
            var row = Row(
                finding: .matched, line: line.line, date: line.date, reference: line.reference,
                statementAmount: line.amount, ledgerAmount: movement.amount, note: movement.kind.description)
            if movement.amount != line.amount {
                row.finding = .amountDifference
                row.note = "\(movement.kind): difference \(Money(fen: line.amount.fen - movement.amount.fen)) (statement − ledger)"
            } else if apart > toleranceDays {
                row.finding = .dateOutsideTolerance
                row.note = "\(movement.kind) dated \(movement.date) in the ledger, \(apart) days apart (tolerance \(toleranceDays))"
            }
            rows.append(row)
        }
        // Ledger movements inside the statement's period that the bank did not show.
        for (_, movement) in unmatched
        where movement.date >= first.adding(days: -toleranceDays) && movement.date <= last.adding(days: toleranceDays) {
            rows.append(
                Row(
                    finding: .onlyInLedger, date: movement.date, reference: movement.reference, ledgerAmount: movement.amount,
                    note: "\(movement.kind) in the ledger, not on the statement"))
        }
        if let closing = statement.last(where: { $0.balance != nil }), let balance = closing.balance {
            let ledgerBalance = ledger.fund.balance(on: closing.date)
            if ledgerBalance != balance {
                rows.append(
                    Row(
                        finding: .closingBalanceDifference, line: closing.line, date: closing.date, reference: "",
                        statementAmount: balance, ledgerAmount: ledgerBalance,
                        note: "closing balance differs by \(Money(fen: balance.fen - ledgerBalance.fen)) (statement − ledger)"))
            } else {
                rows.append(
                    Row(
                        finding: .matched, line: closing.line, date: closing.date, reference: "closing balance",
                        statementAmount: balance, ledgerAmount: ledgerBalance, note: "closing balance agrees"))
            }
        }
        return rows
    }
}
