import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// SQL for the read-model tables: one statement over arrays per table and page.
enum ReadModelWriter {
    /// Another projector (or a rebuild) moved the checkpoint: this one must restart from it.
    struct OutOfStep: Error, CustomStringConvertible {
        let expected: Int64, found: Int64
        var description: String {
            "the read models are at position \(found), this projector expected \(expected); restarting from the stored checkpoint"
        }
    }

    /// Locks the checkpoint row for this transaction and checks it is where the caller left it,
    /// so two projectors (two servers, or a rebuild) can never interleave their writes.
    static func lockCheckpoint(expecting expected: Int64?, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "INSERT INTO projection_checkpoints (name, position) VALUES (\(Projector.name), 0) ON CONFLICT (name) DO NOTHING",
            logger: logger)
        let rows = try await connection.query(
            "SELECT position FROM projection_checkpoints WHERE name = \(Projector.name) FOR UPDATE", logger: logger)
        for try await found in rows.decode(Int64.self) {
            if let expected, found != expected { throw OutOfStep(expected: expected, found: found) }
        }
    }

    /// Writes the rows of one batch, the growth sums and the exposure parts it changes, and
    /// moves the checkpoint from `previous` to `position`.
    static func upsert(
        _ loans: [LoanRow], _ funds: [FundRow], exposure: ExposureTable.Changes, from previous: Int64?, to position: Int64,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await lockCheckpoint(expecting: previous, on: connection, logger: logger)
        for chunk in byBorrower(loans) {
            try await GrowthTable.apply(chunk, on: connection, logger: logger)
            try await upsertLoans(chunk, position: position, on: connection, logger: logger)
        }
        for start in stride(from: 0, to: funds.count, by: 5000) {
            try await upsertFunds(Array(funds[start..<min(start + 5000, funds.count)]), position: position, on: connection, logger: logger)
        }
        // After the loans: the parts are computed from the loans as the batch leaves them.
        try await ExposureTable.apply(exposure, on: connection, logger: logger)
        try await connection.query(
            "UPDATE projection_checkpoints SET position = \(position), updated_at = now() WHERE name = \(Projector.name)", logger: logger)
    }

    /// Replaces every row with those a fold of the log up to `position` gives: the loans and
    /// funds, the growth sums and the exposure parts computed at once from the fold (the
    /// functions `reconcile projections` checks the tables against), rather than brought
    /// forward loan by loan as the projector does — nothing is read back. The rows go to the
    /// tables' twins first, and each table is then made equal to its twin (`RebuiltTables`).
    /// `loans` hands over the loans' rows a group of borrowers at a time, each borrower's
    /// every loan in one group (`BorrowerGroups`): a group is written, tallied and summed
    /// before the next is made, so only one group's rows are held.
    /// Another connection of `store` reads the stored growth sums (`GrowthTable.hold`).
    /// `beside` is the caller's own work, done while PostgreSQL makes the tables equal to
    /// their twins (seconds at national size, with a core of this process idle); its value
    /// is returned.
    static func replaceAll<Beside: Sendable>(
        loans: @Sendable (_ each: ([LoanRow]) async throws -> Void) async throws -> Void, funds rows: [FundRow], funds: [FundId: FundState],
        position: Int64, chunk: Int = 5000, on connection: PostgresConnection, of store: EventStore, logger: Logger,
        stage: @Sendable (Projector.RebuildStage) -> Void = { _ in }, beside: @Sendable () async throws -> Beside
    ) async throws -> Beside {
        try await lockCheckpoint(expecting: nil, on: connection, logger: logger)
        let target = try await RebuiltTables.create(on: connection, logger: logger)
        // The growth sums are tallied a chunk of borrowers at a time (a loan's cells depend on
        // its borrower's other loans) and written once: the whole tally without every loan's
        // runs held at once, and each cell written once. A group's chunks are tallied, and its
        // exposure parts computed, while its loans' rows are written.
        var growth = GrowthTally()
        var exposureSums = ExposureTable.Sums()
        try await loans { group in
            let chunks = byBorrower(group, size: chunk)
            async let tallied = tally(chunks)
            async let exposureRows = ExposureTable.borrowersRows(funds: funds, loans: group.map(\.snapshot))
            for loans in chunks { try await upsertLoans(loans, position: position, to: target, on: connection, logger: logger) }
            growth.add(try await tallied)
            let exposure = try await exposureRows
            exposureSums.add(exposure)
            try await writeExposure(exposure, to: target, on: connection, logger: logger)
        }
        // Growth tables that hold the tally already are left as they are (`GrowthTable.hold`,
        // on a connection of its own while this one writes the funds' rows).
        let whole = growth
        async let held = GrowthTable.hold(whole, readingBeside: store)
        for start in stride(from: 0, to: rows.count, by: 5000) {
            try await upsertFunds(
                Array(rows[start..<min(start + 5000, rows.count)]), position: position, to: target, on: connection, logger: logger)
        }
        try await writeExposure(exposureSums.rows, to: target, on: connection, logger: logger)
        let growthHeld = try await held
        if !growthHeld { try await GrowthTable.add(whole, to: target, on: connection, logger: logger) }
        stage(.replacing)
        async let besides = beside()
        try await RebuiltTables.replace(
            target, on: connection, logger: logger, except: growthHeld ? ["rm_growth", "rm_growth_months"] : [])
        try await connection.query(
            "UPDATE projection_checkpoints SET position = \(position), updated_at = now() WHERE name = \(Projector.name)", logger: logger)
        return try await besides
    }

    private static func writeExposure(
        _ rows: [ExposureTable.Row], to target: RowTarget, on connection: PostgresConnection, logger: Logger
    ) async throws {
        for start in stride(from: 0, to: rows.count, by: 5000) {
            try await ExposureTable.write(
                Array(rows[start..<min(start + 5000, rows.count)]), adding: false, to: target, on: connection, logger: logger)
        }
    }

    /// The growth sums of `chunks` (each holding its borrowers' every loan), tallied a chunk
    /// per core at a time and summed as they come: the tallies of as many chunks as there are
    /// cores are held at once, not every chunk's.
    static func tally(_ chunks: [[LoanRow]]) async throws -> GrowthTally {
        var growth = GrowthTally()
        let cores = EveryCore.count
        for start in stride(from: 0, to: chunks.count, by: cores) {
            try Task.checkCancellation()
            let tallies = try await Array(chunks[start..<min(start + cores, chunks.count)]).mapOnEveryCore(minimum: 1) {
                GrowthTally($0.map(\.snapshot), byBank: true)
            }
            for tally in tallies { growth.add(tally) }
        }
        return growth
    }

    /// About `size` loans per chunk, a borrower's loans always in one: the growth sums of a
    /// loan depend on the borrower's other loans.
    static func byBorrower(_ loans: [LoanRow], size: Int = 5000) -> [[LoanRow]] {
        let loans = loans.sorted { ($0.snapshot.borrower, $0.stream) < ($1.snapshot.borrower, $1.stream) }
        var chunks: [[LoanRow]] = []
        var start = 0
        while start < loans.count {
            var end = min(start + max(1, size), loans.count)
            while end < loans.count && loans[end].snapshot.borrower == loans[end - 1].snapshot.borrower { end += 1 }
            chunks.append(Array(loans[start..<end]))
            start = end
        }
        return chunks
    }

    private static func upsertLoans(
        _ loans: [LoanRow], position: Int64, to target: RowTarget = .tables, on connection: PostgresConnection, logger: Logger
    ) async throws {
        if target.isRebuilt {
            try await connection.copy(
                loans, into: target.copied("rm_loans"),
                columns: [
                    "stream", "bank_id", "contract_no", "borrower", "fund_id", "originated_on", "status", "principal_fen",
                    "outstanding_fen",
                    "snapshot", "last_position",
                ], logger: logger
            ) { row, loan in
                let s = loan.snapshot
                row.text(loan.stream)
                row.text(s.bankId.value)
                row.text(s.contractNo.value)
                row.text(s.borrower.value)
                row.text(s.fundId?.value)
                row.date(s.originatedOn)
                row.text(s.status.rawValue)
                row.integer(s.principalFen.fen)
                row.integer(s.outstandingFen.fen)
                row.text(loan.snapshotJSON)
                row.integer(position)
            }
        } else if !loans.isEmpty {
            let s = loans.map(\.snapshot)
            try await connection.query(
                """
                INSERT INTO rm_loans (stream, bank_id, contract_no, borrower, fund_id, originated_on, status, principal_fen, outstanding_fen, snapshot, last_position)
                SELECT u.stream, u.bank, u.contract, u.borrower, NULLIF(u.fund, ''), u.originated::date, u.status, u.principal, u.outstanding, u.snapshot, \(position)
                FROM unnest(\(loans.map(\.stream))::text[], \(s.map(\.bankId.value))::text[], \(s.map(\.contractNo.value))::text[],
                            \(s.map(\.borrower.value))::text[], \(s.map { $0.fundId?.value ?? "" })::text[], \(s.map(\.originatedOn.description))::text[],
                            \(s.map(\.status.rawValue))::text[], \(s.map(\.principalFen.fen))::int8[], \(s.map(\.outstandingFen.fen))::int8[],
                            \(loans.map(\.snapshotJSON))::text[])
                     AS u(stream, bank, contract, borrower, fund, originated, status, principal, outstanding, snapshot)
                ON CONFLICT (stream) DO UPDATE SET
                    status = EXCLUDED.status, outstanding_fen = EXCLUDED.outstanding_fen, snapshot = EXCLUDED.snapshot,
                    last_position = EXCLUDED.last_position
                """, logger: logger)
        }
    }

    private static func upsertFunds(
        _ funds: [FundRow], position: Int64, to target: RowTarget = .tables, on connection: PostgresConnection, logger: Logger
    ) async throws {
        if target.isRebuilt {
            try await connection.copy(
                funds, into: target.copied("rm_funds"), columns: FundRow.columnList + ["last_position"], logger: logger
            ) {
                row, fund in
                row.text(fund.fundId)
                row.text(fund.name)
                row.integer(fund.contributedFen)
                row.integer(fund.paidOutFen)
                row.integer(fund.returnedFen)
                row.integer(fund.balanceFen)
                row.bool(fund.suspended)
                row.integer(position)
            }
        } else if !funds.isEmpty {
            try await connection.query(
                """
                INSERT INTO rm_funds (fund_id, name, contributed_fen, paid_out_fen, returned_fen, balance_fen, suspended, last_position)
                SELECT u.*, \(position)
                FROM unnest(\(funds.map(\.fundId))::text[], \(funds.map(\.name))::text[], \(funds.map(\.contributedFen))::int8[],
                            \(funds.map(\.paidOutFen))::int8[], \(funds.map(\.returnedFen))::int8[], \(funds.map(\.balanceFen))::int8[],
                            \(funds.map(\.suspended))::bool[]) AS u
                ON CONFLICT (fund_id) DO UPDATE SET
                    name = EXCLUDED.name, contributed_fen = EXCLUDED.contributed_fen, paid_out_fen = EXCLUDED.paid_out_fen,
                    returned_fen = EXCLUDED.returned_fen, balance_fen = EXCLUDED.balance_fen, suspended = EXCLUDED.suspended,
                    last_position = EXCLUDED.last_position
                """, logger: logger)
        }
    }

    static func loadLoans(_ store: EventStore, fund: FundId? = nil, bank: BankId? = nil) async throws -> [LoanRow] {
        try await store.withConnection(#function) { connection in
            let rows: [PostgresRow]
            if let fund {
                rows = try await connection.allRows(
                    "SELECT stream, snapshot FROM rm_loans WHERE fund_id = \(fund.value) ORDER BY stream", logger: store.logger)
            } else if let bank {
                rows = try await connection.allRows(
                    "SELECT stream, snapshot FROM rm_loans WHERE bank_id = \(bank.value) ORDER BY stream", logger: store.logger)
            } else {
                rows = try await connection.allRows("SELECT stream, snapshot FROM rm_loans ORDER BY stream", logger: store.logger)
            }
            var result: [LoanRow] = []
            for row in rows {
                let (stream, snapshot) = try row.decode((String, String).self)
                result.append(try LoanRow(stream: stream, snapshotJSON: snapshot))
            }
            return result
        }
    }

    static func loadFunds(_ store: EventStore) async throws -> [FundRow] {
        try await store.withConnection(#function) { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: FundRow.columns) FROM rm_funds ORDER BY fund_id", logger: store.logger)
            return try await FundRow.decode(rows)
        }
    }
}

extension FundRow {
    /// The columns `decode` reads, in its order.
    static let columns = columnList.joined(separator: ", ")
    static let columnList = ["fund_id", "name", "contributed_fen", "paid_out_fen", "returned_fen", "balance_fen", "suspended"]

    /// The rows of a query that selected `columns`.
    static func decode(_ rows: PostgresRowSequence) async throws -> [FundRow] {
        var result: [FundRow] = []
        for try await (id, name, contributed, paidOut, returned, balance, suspended) in rows.decode(
            (String, String, Int64, Int64, Int64, Int64, Bool).self)
        {
            result.append(
                FundRow(
                    fundId: id, name: name, contributedFen: contributed, paidOutFen: paidOut, returnedFen: returned,
                    balanceFen: balance, suspended: suspended))
        }
        return result
    }
}
