import Foundation
import PledgerDomain

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
struct FundAccountReconciliation {
    struct Line: Sendable {
        var line: Int
        var date: BusinessDate
        var amount: Money          // + in, − out
        var counterparty: String
        var reference: String
        var balance: Money?
    }

    struct Movement: Sendable {
        var date: BusinessDate
        var amount: Money
        var reference: String
        var kind: String
    }

    enum Finding: String, Sendable, CaseIterable {
        case matched
        case dateOutsideTolerance = "date_outside_tolerance"
        case amountDifference = "amount_difference"
        case onlyInStatement = "only_in_statement"
        case onlyInLedger = "only_in_ledger"
        case closingBalanceDifference = "closing_balance_difference"
    }

    struct Row: Sendable {
        var finding: Finding
        var line: Int?
        var date: String
        var reference: String
        var statementAmount: Money?
        var ledgerAmount: Money?
        var note: String
    }

    static let required = ["date", "amount_in", "amount_out", "counterparty", "reference"]

    static func read(_ file: StatementFile) throws -> [Line] {
        try file.table.rows.map { row in
            let amountIn = try file.money(row, "amount_in", required: false)
            let amountOut = try file.money(row, "amount_out", required: false)
            guard (amountIn == nil) != (amountOut == nil) else {
                throw file.fail(row, "amount_in", "give exactly one of amount_in and amount_out")
            }
            if let value = amountIn ?? amountOut, !value.isPositive {
                throw file.fail(row, amountIn != nil ? "amount_in" : "amount_out", "must be more than 0.00")
            }
            return Line(line: row.line, date: try file.date(row, "date"), amount: amountIn ?? Money(fen: -amountOut!.fen),
                        counterparty: try file.text(row, "counterparty", required: false), reference: try file.text(row, "reference"),
                        balance: try file.money(row, "balance", required: false))
        }
    }

    /// The fund's movements as the ledger has them (reversed contributions left out).
    static func movements(_ fund: FundState, events: [RecordedEvent]) -> [Movement] {
        var result: [Movement] = []
        for recorded in events where !fund.reversed.contains(recorded.id) {
            switch recorded.event {
            case .fundContributionReceived(let e): result.append(Movement(date: e.receivedOn, amount: e.amountFen, reference: e.reference, kind: "contribution"))
            case .compensationDisbursed(let e): result.append(Movement(date: e.paidOn, amount: Money(fen: -e.amountFen.fen), reference: e.paymentRef, kind: "payout"))
            case .recoveryShareReceived(let e): result.append(Movement(date: e.returnedOn, amount: e.amountFen, reference: e.reference, kind: "recovery share"))
            case .fundInterestCredited(let e): result.append(Movement(date: e.creditedOn, amount: e.amountFen, reference: e.reference, kind: "interest"))
            case .fundBankCharged(let e): result.append(Movement(date: e.chargedOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: "bank charge"))
            case .fundContributionReturned(let e):
                result.append(Movement(date: e.returnedOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: "returned to \(e.contributor.rawValue)"))
            case .fundTransferredOut(let e):
                result.append(Movement(date: e.transferredOn, amount: Money(fen: -e.amountFen.fen), reference: e.reference, kind: "transfer to \(e.toFundId)"))
            case .fundTransferredIn(let e):
                result.append(Movement(date: e.transferredOn, amount: e.amountFen, reference: e.reference, kind: "transfer from \(e.fromFundId)"))
            default: break
            }
        }
        return result
    }

    static func compare(_ statement: [Line], ledger: [Movement], fund: FundState, toleranceDays: Int) -> [Row] {
        guard let first = statement.map(\.date).min(), let last = statement.map(\.date).max() else { return [] }
        var unmatched = ledger.enumerated().map { ($0.offset, $0.element) }
        var rows: [Row] = []
        for line in statement {
            // Best candidate: same reference and amount, nearest date; else same reference.
            let sameReference = unmatched.filter { $0.1.reference == line.reference }
            let candidate = sameReference.filter { $0.1.amount == line.amount }.min { abs($0.1.date.days(until: line.date)) < abs($1.1.date.days(until: line.date)) }
                ?? sameReference.min { abs($0.1.date.days(until: line.date)) < abs($1.1.date.days(until: line.date)) }
            guard let (index, movement) = candidate else {
                rows.append(Row(finding: .onlyInStatement, line: line.line, date: line.date.description, reference: line.reference,
                                statementAmount: line.amount, note: "no \(line.amount.isNegative ? "payout" : "contribution or recovery share") with this reference in the ledger"))
                continue
            }
            unmatched.removeAll { $0.0 == index }
            let apart = abs(movement.date.days(until: line.date))
            var row = Row(finding: .matched, line: line.line, date: line.date.description, reference: line.reference,
                          statementAmount: line.amount, ledgerAmount: movement.amount, note: movement.kind)
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
        for (_, movement) in unmatched where movement.date >= first.adding(days: -toleranceDays) && movement.date <= last.adding(days: toleranceDays) {
            rows.append(Row(finding: .onlyInLedger, date: movement.date.description, reference: movement.reference, ledgerAmount: movement.amount,
                            note: "\(movement.kind) in the ledger, not on the statement"))
        }
        if let closing = statement.last(where: { $0.balance != nil }) {
            let ledgerBalance = fund.balance(on: closing.date)
            if ledgerBalance != closing.balance! {
                rows.append(Row(finding: .closingBalanceDifference, line: closing.line, date: closing.date.description, reference: "",
                                statementAmount: closing.balance, ledgerAmount: ledgerBalance,
                                note: "closing balance differs by \(Money(fen: closing.balance!.fen - ledgerBalance.fen)) (statement − ledger)"))
            } else {
                rows.append(Row(finding: .matched, line: closing.line, date: closing.date.description, reference: "closing balance",
                                statementAmount: closing.balance, ledgerAmount: ledgerBalance, note: "closing balance agrees"))
            }
        }
        return rows
    }
}
