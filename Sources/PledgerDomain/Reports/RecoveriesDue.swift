/// The recovery shares banks owe their funds and have not returned: one row per
/// recovery neither reversed nor returned on a loan the fund has paid compensation on, with
/// the fund's share computed as `returnRecoveryShare` would (`LoanState.sharesOwedToFund`),
/// the days since the bank received the money, and whether that is longer than the fund's
/// `recovery_return_days` (30 when the policy in force on `asOf` does not set it). Oldest
/// first. A pure function of loan and fund states, so a fold "as of" a date gives the past.
public struct RecoveriesDue: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var fundId: FundId?
        public var bankId: BankId
        public var contractNo: ContractNo
        public var borrower: Uscc
        public var recoveryNo: Int
        public var receivedOn: BusinessDate
        public var recoveryFen: Money
        public var shareDueFen: Money
        public var daysSinceReceipt: Int
        public var returnDays: Int
        /// More than `returnDays` days since the recovery was received.
        public var overdue: Bool
    }

    public var asOf: BusinessDate
    public var rows: [Row]
    public var totalDueFen: Money
    public var overdueFen: Money
    public var overdueCount: Int { rows.filter(\.overdue).count }

    /// Rows for `loans` (of `fund` only, when given); each fund's policy in `funds` says how
    /// many days its banks have. Totals past `Money.maximum` are `.limitExceeded`.
    public static func compute(loans: [LoanState], funds: [FundId: FundState], asOf: BusinessDate, fund: FundId? = nil) throws
        -> RecoveriesDue
    {
        var rows: [Row] = []
        for loan in loans {
            guard let o = loan.origination, fund.map({ $0 == o.fundId }) ?? true else { continue }
            let days = o.fundId.flatMap { funds[$0]?.policy(on: asOf) }?.effectiveRecoveryReturnDays ?? FundPolicy.defaultRecoveryReturnDays
            for share in loan.sharesOwedToFund where share.receivedOn <= asOf {
                let since = share.receivedOn.days(until: asOf)
                rows.append(
                    Row(
                        fundId: o.fundId, bankId: o.bankId, contractNo: o.contractNo, borrower: o.borrower, recoveryNo: share.recoveryNo,
                        receivedOn: share.receivedOn, recoveryFen: share.recoveryFen, shareDueFen: share.shareFen,
                        daysSinceReceipt: since, returnDays: days, overdue: since > days))
            }
        }
        rows.sort { ($0.receivedOn, $0.bankId, $0.contractNo, $0.recoveryNo) < ($1.receivedOn, $1.bankId, $1.contractNo, $1.recoveryNo) }
        return RecoveriesDue(
            asOf: asOf, rows: rows,
            totalDueFen: try Money.total(rows.map(\.shareDueFen), of: "the recovery shares due", field: "total_due_fen"),
            overdueFen: try Money.total(rows.filter(\.overdue).map(\.shareDueFen), of: "the overdue recovery shares", field: "overdue_fen"))
    }

    /// Over every loan and fund the states hold.
    public static func compute(_ states: AggregateStates, asOf: BusinessDate, fund: FundId? = nil) throws -> RecoveriesDue {
        try compute(loans: states.loans.keys.sorted().compactMap { states.loans[$0] }, funds: states.funds, asOf: asOf, fund: fund)
    }

    public var json: JSONValue {
        object([
            ("as_of", .string(asOf.description)), ("total_due_fen", .integer(totalDueFen.fen)), ("overdue_fen", .integer(overdueFen.fen)),
            ("overdue_count", .integer(Int64(overdueCount))),
            (
                "rows",
                .array(
                    rows.map { row in
                        object([
                            ("fund_id", row.fundId.map { .string($0.value) } ?? .null), ("bank_id", .string(row.bankId.value)),
                            ("contract_no", .string(row.contractNo.value)), ("borrower", .string(row.borrower.value)),
                            ("recovery_no", .integer(Int64(row.recoveryNo))), ("received_on", .string(row.receivedOn.description)),
                            ("recovery_fen", .integer(row.recoveryFen.fen)), ("share_due_fen", .integer(row.shareDueFen.fen)),
                            ("days_since_receipt", .integer(Int64(row.daysSinceReceipt))), ("return_days", .integer(Int64(row.returnDays))),
                            ("overdue", .bool(row.overdue)),
                        ])
                    })
            ),
        ])
    }

    public var csv: String {
        var lines = [
            "fund_id,bank_id,contract_no,borrower,recovery_no,received_on,recovery_fen,share_due_fen,days_since_receipt,return_days,overdue"
        ]
        for row in rows {
            lines.append(
                [
                    CSV.field(row.fundId?.value ?? ""), CSV.field(row.bankId.value), CSV.field(row.contractNo.value),
                    CSV.field(row.borrower.value),
                    String(row.recoveryNo), row.receivedOn.description, String(row.recoveryFen.fen), String(row.shareDueFen.fen),
                    String(row.daysSinceReceipt), String(row.returnDays), row.overdue ? "true" : "false",
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
