import Logging
import PledgerDomain
import PostgresNIO

/// SQL for `rm_exposure`, a fund's exposure on its loans kept by borrower
/// (`ExposureReport.BorrowerPart`) and summed. The projector recomputes the parts of the
/// borrowers a batch touched — from their loans as `rm_loans` holds them after the batch —
/// replaces their rows and adds the difference to the sums, in the transaction that moves
/// the checkpoint. Parts are computed as of the day the fund's policies settle
/// (`FundState.termsSettledOn`); a report on an earlier day computes from the loans.
enum ExposureTable {
    /// The borrowers of each fund whose parts must be recomputed.
    struct Changes: Sendable {
        var borrowers: [FundId: Set<Uscc>] = [:]
        /// Funds whose policies changed: every borrower of theirs.
        var everyBorrower: Set<FundId> = []
        var funds: [FundId: FundState] = [:]

        var isEmpty: Bool { borrowers.isEmpty && everyBorrower.isEmpty }
    }

    /// One stored row: a borrower's (or the sums', borrower "") figures in a scope, whole
    /// (bank "") or for one bank.
    struct Row: Hashable {
        var fund: String, scope: String, borrower: String, bank: String
        var figures: Figures
    }

    /// What a row adds up. Plain integers: differences may be negative.
    struct Figures: Hashable {
        /// Enrolled loans not cancelled: a row with none is no borrower's or bank's of the fund.
        var enrolled: Int64 = 0
        var loans: Int64 = 0, coveredOutstanding: Int64 = 0, contingent: Int64 = 0, capped: Int64 = 0, nonPerforming: Int64 = 0
        var pending: Int64 = 0, filed: Int64 = 0, approved: Int64 = 0, owed: Int64 = 0

        init() {}

        init(_ breakdown: ExposureReport.Breakdown, enrolled: Int, capped: Money = .zero, filed: Int = 0, approved: Int = 0) {
            self.enrolled = Int64(enrolled)
            loans = Int64(breakdown.loans)
            coveredOutstanding = breakdown.coveredOutstandingFen.fen
            contingent = breakdown.contingentLiabilityFen.fen
            self.capped = capped.fen
            nonPerforming = breakdown.nonPerformingFen.fen
            pending = breakdown.pendingClaimsFen.fen
            self.filed = Int64(filed)
            self.approved = Int64(approved)
            owed = breakdown.owedToFundFen.fen
        }

        var values: [Int64] { [enrolled, loans, coveredOutstanding, contingent, capped, nonPerforming, pending, filed, approved, owed] }

        static func combine(_ a: Figures, _ b: Figures, _ sign: Int64) -> Figures {
            var result = Figures()
            result.enrolled = a.enrolled + sign * b.enrolled
            result.loans = a.loans + sign * b.loans
            result.coveredOutstanding = a.coveredOutstanding + sign * b.coveredOutstanding
            result.contingent = a.contingent + sign * b.contingent
            result.capped = a.capped + sign * b.capped
            result.nonPerforming = a.nonPerforming + sign * b.nonPerforming
            result.pending = a.pending + sign * b.pending
            result.filed = a.filed + sign * b.filed
            result.approved = a.approved + sign * b.approved
            result.owed = a.owed + sign * b.owed
            return result
        }

        func breakdown(_ key: String) -> ExposureReport.Breakdown {
            ExposureReport.Breakdown(
                key: key, loans: Int(loans), coveredOutstandingFen: Money(fen: coveredOutstanding),
                contingentLiabilityFen: Money(fen: contingent),
                nonPerformingFen: Money(fen: nonPerforming), pendingClaimsFen: Money(fen: pending), owedToFundFen: Money(fen: owed))
        }
    }

    /// The order of the largest borrowers (`ExposureReport.Breakdown.largerFirst`).
    static func largerFirst(_ a: Row, _ b: Row) -> Bool {
        (a.figures.coveredOutstanding, b.borrower) > (b.figures.coveredOutstanding, a.borrower)
    }

    /// The bank of a marker row: a borrower whose part could not be summed.
    static let unsummable = "!"

    static let columns = columnList.joined(separator: ", ")
    static let columnList = [
        "fund_id", "scope", "borrower", "bank_id", "enrolled", "loans", "covered_outstanding_fen", "contingent_fen", "capped_fen",
        "non_performing_fen", "pending_claims_fen", "pending_filed", "pending_approved", "owed_to_fund_fen",
    ]

    /// The rows of one borrower's loans in one fund (all its loans, any bank): its parts in
    /// every bank's scope and in each of its banks' own.
    static func rows(fund: FundState, borrower: Uscc, loans: [LoanSnapshot]) throws -> [Row] {
        guard let id = fund.id, let settled = fund.termsSettledOn else { return [] }
        let enrolled = loans.filter { $0.fundId == id && $0.status != .cancelled }
        let banks = Set(enrolled.map(\.bankId.value))
        var rows: [Row] = []
        for scope in [GrowthEntry.allBanks] + banks.sorted() {
            let mine = scope == GrowthEntry.allBanks ? loans : loans.filter { $0.bankId.value == scope }
            let part: ExposureReport.BorrowerPart?
            do {
                part = try ExposureReport.BorrowerPart.compute(borrower, loans: mine, fund: fund, asOf: settled)
            } catch is DomainError {
                // A part the ledger cannot hold (amounts past `Money.maximum`, which only loans
                // the deciders now refuse can reach): marked instead, so the projector goes on
                // and the fund's report is computed from its loans, saying why.
                var marker = Figures()
                marker.enrolled = 1
                return [Row(fund: id.value, scope: GrowthEntry.allBanks, borrower: borrower.value, bank: unsummable, figures: marker)]
            }
            guard let part else { continue }
            rows.append(
                Row(
                    fund: id.value, scope: scope, borrower: borrower.value, bank: "",
                    figures: Figures(
                        part.borrower, enrolled: enrolled.filter { scope == GrowthEntry.allBanks || $0.bankId.value == scope }.count,
                        capped: part.cappedFen, filed: part.pendingFiled, approved: part.pendingApproved)))
            for bank in part.banks {
                let figures = Figures(bank, enrolled: enrolled.filter { $0.bankId.value == bank.key }.count)
                rows.append(Row(fund: id.value, scope: scope, borrower: borrower.value, bank: bank.key, figures: figures))
            }
        }
        return rows
    }

    /// Every row `states` gives: each fund's borrowers' rows and their sums — what the table
    /// should hold, for `reconcile projections`.
    static func expected(_ states: AggregateStates) async throws -> Set<Row> {
        try await expected(funds: states.funds, loans: states.loanSnapshots)
    }

    /// The borrowers' parts are computed on every core (a national fund has tens of thousands
    /// of borrowers, each part a fold of its loans), then summed per fund, scope and bank.
    static func expected(funds: [FundId: FundState], loans snapshots: [LoanSnapshot]) async throws -> Set<Row> {
        let parts = try await borrowersRows(funds: funds, loans: snapshots)
        var sums = Sums()
        sums.add(parts)
        return Set(parts).union(sums.rows)
    }

    /// The rows of the borrowers of `snapshots`, each borrower's loans all there.
    static func borrowersRows(funds: [FundId: FundState], loans snapshots: [LoanSnapshot]) async throws -> [Row] {
        let loans = Dictionary(grouping: snapshots.filter { $0.fundId != nil }) { $0.fundId! }
        var parts: [(fund: FundState, borrower: Uscc, loans: [LoanSnapshot])] = []
        // In the order of the table's key (fund, borrower; ASCII both): a table a rebuild fills
        // takes each row at the right edge of the key's index (see `GrowthTally.allInKeyOrder`),
        // and 315,520 rows took PostgreSQL 1.6 s so, 2.3 s in no order.
        for (id, fund) in funds.sorted(by: { $0.key.value < $1.key.value }) where fund.exists {
            for (borrower, mine) in Dictionary(grouping: loans[id] ?? [], by: \.borrower).sorted(by: { $0.key.value < $1.key.value }) {
                parts.append((fund, borrower, mine))
            }
        }
        let computed = try await parts.mapOnEveryCore(minimum: 200) { try Self.rows(fund: $0.fund, borrower: $0.borrower, loans: $0.loans) }
        return Array(computed.joined())
    }

    /// The sums rows (borrower "") of borrowers' rows added a group of borrowers at a time.
    struct Sums {
        private var figures: [Row: Figures] = [:]

        mutating func add(_ borrowers: [Row]) {
            for row in borrowers {
                let key = Row(fund: row.fund, scope: row.scope, borrower: "", bank: row.bank, figures: Figures())
                figures[key] = Figures.combine(figures[key] ?? Figures(), row.figures, 1)
            }
        }

        var rows: [Row] {
            figures.compactMap { key, figures in
                guard figures.enrolled > 0 else { return nil }
                var row = key
                row.figures = figures
                return row
            }
        }
    }

    /// Recomputes the parts of the borrowers `changes` names and moves the sums by the difference.
    static func apply(_ changes: Changes, on connection: PostgresConnection, logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        var borrowers = changes.borrowers
        for fund in changes.everyBorrower {
            let rows = try await connection.allRows(
                "SELECT DISTINCT borrower FROM rm_loans WHERE fund_id = \(fund.value)", logger: logger)
            for row in rows { borrowers[fund, default: []].insert(try Uscc(try row.decode(String.self))) }
        }
        for (fund, set) in borrowers.sorted(by: { $0.key < $1.key }) {
            guard let state = changes.funds[fund] else { continue }
            let all = set.map(\.value).sorted()
            for start in stride(from: 0, to: all.count, by: 2000) {
                try await refresh(fund: state, borrowers: Array(all[start..<min(start + 2000, all.count)]), on: connection, logger: logger)
            }
        }
    }

    private static func refresh(fund: FundState, borrowers: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard let id = fund.id else { return }
        var loans: [Uscc: [LoanSnapshot]] = [:]
        // By borrower only: its index finds a handful of rows each, where the fund's would
        // scan the fund's every loan against the whole list.
        for row in try await connection.allRows("SELECT stream, snapshot FROM rm_loans WHERE borrower = ANY(\(borrowers))", logger: logger)
        {
            let (stream, snapshot) = try row.decode((String, String).self)
            let loan = try LoanRow(stream: stream, snapshotJSON: snapshot).snapshot
            if loan.fundId == id { loans[loan.borrower, default: []].append(loan) }
        }
        var new: [Row] = []
        for borrower in borrowers {
            let uscc = try Uscc(borrower)
            new += try rows(fund: fund, borrower: uscc, loans: loans[uscc] ?? [])
        }
        let old = try await stored(
            "SELECT \(unescaped: columns) FROM rm_exposure WHERE fund_id = \(id.value) AND borrower = ANY(\(borrowers))", on: connection,
            logger: logger)
        // The sums move by new − old, per scope and bank.
        var difference: [[String]: Figures] = [:]
        for (rows, sign) in [(new, Int64(1)), (old, Int64(-1))] {
            for row in rows {
                let key = [row.scope, row.bank]
                difference[key] = Figures.combine(difference[key] ?? Figures(), row.figures, sign)
            }
        }
        try await connection.query(
            "DELETE FROM rm_exposure WHERE fund_id = \(id.value) AND borrower = ANY(\(borrowers))", logger: logger)
        let sums = difference.filter { $0.value != Figures() }.map {
            Row(fund: id.value, scope: $0.key[0], borrower: "", bank: $0.key[1], figures: $0.value)
        }
        try await write(new, adding: false, on: connection, logger: logger)
        try await write(sums, adding: true, on: connection, logger: logger)
        // Only a loan leaving a scope or bank can empty its sums' row.
        let emptied = sums.filter { $0.figures.enrolled < 0 }
        if !emptied.isEmpty {
            try await connection.query(
                """
                DELETE FROM rm_exposure e USING unnest(\(emptied.map(\.scope))::text[], \(emptied.map(\.bank))::text[]) AS u(scope, bank)
                WHERE e.fund_id = \(id.value) AND e.borrower = '' AND e.scope = u.scope AND e.bank_id = u.bank AND e.enrolled = 0
                """, logger: logger)
        }
    }

    /// Inserts `rows`; with `adding`, adds them to rows already there.
    static func write(
        _ rows: [Row], adding: Bool, to target: RowTarget = .tables, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        if target.isRebuilt {
            return try await connection.copy(
                rows, into: target.copied("rm_exposure"), columns: columnList, logger: logger
            ) { row, exposure in
                for text in [exposure.fund, exposure.scope, exposure.borrower, exposure.bank] { row.text(text) }
                for value in exposure.figures.values { row.integer(value) }
            }
        }
        let values = (0..<10).map { index in rows.map { $0.figures.values[index] } }
        let conflict =
            adding
            ? """
            ON CONFLICT (fund_id, borrower, scope, bank_id) DO UPDATE SET
                enrolled = rm_exposure.enrolled + EXCLUDED.enrolled,
                loans = rm_exposure.loans + EXCLUDED.loans,
                covered_outstanding_fen = rm_exposure.covered_outstanding_fen + EXCLUDED.covered_outstanding_fen,
                contingent_fen = rm_exposure.contingent_fen + EXCLUDED.contingent_fen,
                capped_fen = rm_exposure.capped_fen + EXCLUDED.capped_fen,
                non_performing_fen = rm_exposure.non_performing_fen + EXCLUDED.non_performing_fen,
                pending_claims_fen = rm_exposure.pending_claims_fen + EXCLUDED.pending_claims_fen,
                pending_filed = rm_exposure.pending_filed + EXCLUDED.pending_filed,
                pending_approved = rm_exposure.pending_approved + EXCLUDED.pending_approved,
                owed_to_fund_fen = rm_exposure.owed_to_fund_fen + EXCLUDED.owed_to_fund_fen
            """ : ""
        try await connection.query(
            """
            INSERT INTO rm_exposure (\(unescaped: columns))
            SELECT * FROM unnest(\(rows.map(\.fund))::text[], \(rows.map(\.scope))::text[], \(rows.map(\.borrower))::text[],
                                 \(rows.map(\.bank))::text[], \(values[0])::int8[], \(values[1])::int8[], \(values[2])::int8[],
                                 \(values[3])::int8[], \(values[4])::int8[], \(values[5])::int8[], \(values[6])::int8[],
                                 \(values[7])::int8[], \(values[8])::int8[], \(values[9])::int8[])
            \(unescaped: conflict)
            """, logger: logger)
    }

    static func stored(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [Row] {
        try await connection.allRows(query, logger: logger).map { row in
            var figures = Figures()
            let (fund, scope, borrower, bank): (String, String, String, String)
            (
                fund, scope, borrower, bank, figures.enrolled, figures.loans, figures.coveredOutstanding, figures.contingent,
                figures.capped,
                figures.nonPerforming, figures.pending, figures.filed, figures.approved, figures.owed
            ) = try row.decode((String, String, String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
            return Row(fund: fund, scope: scope, borrower: borrower, bank: bank, figures: figures)
        }
    }

    /// The loans' side of a fund's exposure in `scope`: the sums and the `top` largest
    /// borrowers; nil when a borrower of the fund could not be summed (`unsummable`).
    static func figures(fund: FundId, scope: String, top: Int, on connection: PostgresConnection, logger: Logger) async throws
        -> ExposureReport.LoanFigures?
    {
        // One statement, so the sums and the largest borrowers come from one snapshot.
        let rows = try await stored(
            """
            SELECT \(unescaped: columns) FROM rm_exposure
            WHERE fund_id = \(fund.value) AND borrower = '' AND (scope = \(scope) OR (scope = '*' AND bank_id = \(unsummable)))
            UNION ALL
            (SELECT \(unescaped: columns) FROM rm_exposure
             WHERE fund_id = \(fund.value) AND scope = \(scope) AND bank_id = '' AND borrower <> ''
             ORDER BY covered_outstanding_fen DESC, borrower LIMIT \(Int64(top)))
            """, on: connection, logger: logger)
        if rows.contains(where: { $0.bank == unsummable && $0.figures.enrolled > 0 }) { return nil }
        let sums = rows.filter { $0.borrower.isEmpty && $0.scope == scope }.sorted { $0.bank < $1.bank }
        let largest = rows.filter { !$0.borrower.isEmpty }.sorted(by: largerFirst)
        let total = sums.first { $0.bank == "" }?.figures ?? Figures()
        var breakdown = total.breakdown("the fund")
        breakdown.contingentLiabilityFen = Money(fen: total.capped)
        for amount in [total.coveredOutstanding, total.capped, total.nonPerforming, total.pending, total.owed]
        where amount > Money.maximum.fen {
            throw DomainError(.limitExceeded, field: "amount", "a total of fund \(fund) passes the ledger's maximum of \(Money.maximum)")
        }
        return ExposureReport.LoanFigures(
            total: breakdown, pendingFiled: Int(total.filed), pendingApproved: Int(total.approved),
            byBank: sums.filter { $0.bank != "" && $0.bank != unsummable && $0.figures.enrolled > 0 }.map { $0.figures.breakdown($0.bank) },
            topBorrowers: largest.map { $0.figures.breakdown($0.borrower) })
    }
}
