import Logging
import PledgerDomain
import PostgresNIO
import Synchronization

/// SQL for `rm_growth` and `rm_growth_months`, the growth report's sums (`GrowthEntry`) by
/// day and by month. The projector adds each
/// batch's difference in the transaction that writes the batch's `rm_loans` rows and moves
/// the checkpoint, so the sums always match the loans they were taken from; a current
/// report reads them summed into cells.
enum GrowthTable {
    /// Adds what the batch's `loans` change, reading the loans as they stood before it from
    /// `rm_loans` (so it runs before their rows are replaced): first the changed loans
    /// themselves, then — only for borrowers where a change counts in growth (a loan made,
    /// cancelled, enrolled) — every loan of those borrowers, which the previous months need.
    static func apply(_ loans: [LoanRow], on connection: PostgresConnection, logger: Logger) async throws {
        guard !loans.isEmpty else { return }
        let earlier = try await snapshots(on: connection, logger: logger, where: "stream", in: loans.map(\.stream))
        let borrowers = Set(loans.filter { GrowthEntry.counts(earlier[$0.stream], differentlyFrom: $0.snapshot) }.map(\.snapshot.borrower))
        guard !borrowers.isEmpty else { return }
        let before = try await snapshots(on: connection, logger: logger, where: "borrower", in: borrowers.map(\.value).sorted())
        var after = before
        for loan in loans where borrowers.contains(loan.snapshot.borrower) { after[loan.stream] = loan.snapshot }
        try await add(GrowthEntry.difference(from: Array(before.values), to: Array(after.values)), on: connection, logger: logger)
    }

    private static func snapshots(on connection: PostgresConnection, logger: Logger, where column: String, in keys: [String])
        async throws -> [String: LoanSnapshot]
    {
        let query: PostgresQuery =
            column == "stream"
            ? "SELECT stream, snapshot FROM rm_loans WHERE stream = ANY(\(keys))"
            : "SELECT stream, snapshot FROM rm_loans WHERE borrower = ANY(\(keys))"
        var found: [String: LoanSnapshot] = [:]
        for row in try await connection.allRows(query, logger: logger) {
            let (stream, snapshot) = try row.decode((String, String).self)
            found[stream] = try LoanRow(stream: stream, snapshotJSON: snapshot).snapshot
        }
        return found
    }

    /// Adds `tally` to the rows of its entries, creating missing rows and deleting the
    /// rows left with no loan (a rebuild's: writes each entry's row once).
    static func add(_ tally: GrowthTally, to target: RowTarget = .tables, on connection: PostgresConnection, logger: Logger) async throws {
        if target.isRebuilt { return try await copy(tally, to: target, on: connection, logger: logger) }
        try await addByDay(tally.all, on: connection, logger: logger)
        try await addByMonth(tally.byMonth, on: connection, logger: logger)
    }

    /// Whether `rm_growth` and `rm_growth_months` hold exactly `tally` (`StoredGrowthCheck`):
    /// read with binary `COPY` on a connection of its own (`BinaryCopyReader`), 20,000 rows
    /// at a time, and left at the first row that differs. The rebuild then writes neither
    /// table. The caller holds the checkpoint's lock, which every writer of the read models
    /// takes first: that connection sees the tables as the caller's transaction does.
    /// Through PostgresNIO's rows, in the rebuild's transaction, the reading cost a national
    /// rebuild 0.85 s of the client's CPU and took the last group's end to the comparison
    /// from 0.8 s to 1.7 s. A check that cannot be made — no libpq, a failed connection,
    /// a column not as this build reads it — is a check that fails: the rebuild compares in
    /// the database instead.
    static func hold(_ tally: GrowthTally, readingBeside store: EventStore) async throws -> Bool {
        guard LogCopy.isAvailable else { return false }
        let cancelled = Stop()
        do {
            let reader = try await BinaryCopyReader.opened(store, layout: rowLayout)
            return try await withTaskCancellationHandler {
                try await check(tally, reading: reader, until: cancelled)
            } onCancel: {
                cancelled.requested.withLock { $0 = true }
            }
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            store.logger.notice("the stored growth sums could not be read beside the rebuild (compared in the database instead): \(error)")
            return false
        }
    }

    /// `hold`'s reading and checking, on a thread of its own (libpq's calls block); it stops
    /// between two reads once `cancelled` is set.
    private static func check(_ tally: GrowthTally, reading reader: BinaryCopyReader, until cancelled: Stop) async throws -> Bool {
        try await BlockingThread.run("pledger-growth-check") {
            var check = StoredGrowthCheck(tally)
            for byDay in [true, false] {
                let day = byDay ? "(day - DATE '1970-01-01')::int4" : "-1::int4"
                try reader.start(
                    """
                    SELECT scope::text, series::text, value::text, \(day), month::int4, previous_month::int4, loans::int8,
                           principal_fen::int8
                    FROM \(byDay ? "rm_growth" : "rm_growth_months")
                    """)
                var bytes: [UInt8] = []
                while true {
                    if cancelled.requested.withLock({ $0 }) { throw CancellationError() }
                    bytes.removeAll(keepingCapacity: true)
                    let count = try reader.read(atLeast: 20_000, into: &bytes)
                    guard count > 0 else { break }
                    bytes.withUnsafeBytes { raw in
                        var cells = BinaryCopyReader.Cells(raw)
                        for _ in 0..<count where !check.differs {
                            cells.startRow()
                            let (scope, series, value) = (cells.text(), cells.text(), cells.text())
                            let (day, month, previous) = (
                                cells.integer(Int32.self), cells.integer(Int32.self), cells.integer(Int32.self)
                            )
                            let sums = GrowthSums(loans: cells.integer(Int64.self), principalFen: cells.integer(Int64.self))
                            if byDay {
                                check.day(
                                    scope: scope, series: series, value: value, day: Int(day), month: Int(month),
                                    previousMonth: Int(previous), sums: sums)
                            } else {
                                check.month(
                                    scope: scope, series: series, value: value, month: Int(month), previousMonth: Int(previous),
                                    sums: sums)
                            }
                        }
                    }
                    // The connection is dropped mid-copy: nothing more of it is read.
                    if check.differs { return false }
                }
                if byDay && !check.daysMatch { return false }
            }
            return check.holdsTally
        }
    }

    /// Set when the task that waits for `hold` is cancelled.
    private final class Stop: Sendable {
        let requested = Mutex(false)
    }

    /// The columns `hold` reads, with their sizes in PostgreSQL's binary format.
    private static let rowLayout = BinaryCopyReader.Layout([
        ("scope", nil), ("series", nil), ("value", nil), ("day", 4), ("month", 4), ("previous_month", 4), ("loans", 8),
        ("principal_fen", 8),
    ])

    /// Every entry of `tally`, each row once, where a rebuild writes them.
    private static func copy(_ tally: GrowthTally, to target: RowTarget, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.copy(
            target.fills("rm_growth") ? tally.allInKeyOrder : tally.all, into: target.copied("rm_growth"),
            columns: ["scope", "series", "value", "day", "month", "previous_month", "loans", "principal_fen"], logger: logger
        ) { row, entry in
            row.text(entry.run.scope)
            row.text(entry.run.seriesName)
            row.text(entry.run.value)
            row.date(entry.day)
            row.integer(YearMonth(containing: entry.day).index)
            row.integer(entry.previousMonth?.index ?? -1)
            row.integer(entry.sums.loans)
            row.integer(entry.sums.principalFen)
        }
        try await connection.copy(
            target.fills("rm_growth_months") ? tally.byMonthInKeyOrder : tally.byMonth, into: target.copied("rm_growth_months"),
            columns: ["scope", "series", "value", "month", "previous_month", "loans", "principal_fen"], logger: logger
        ) { row, entry in
            row.text(entry.run.scope)
            row.text(entry.run.seriesName)
            row.text(entry.run.value)
            row.integer(entry.month.index)
            row.integer(entry.previousMonth?.index ?? -1)
            row.integer(entry.sums.loans)
            row.integer(entry.sums.principalFen)
        }
    }

    /// Days travel as their numbers (days since 1970-01-01), not as text.
    private static func addByDay(
        _ all: [GrowthTally.Entry], on connection: PostgresConnection, logger: Logger
    ) async throws {
        for start in stride(from: 0, to: all.count, by: 5000) {
            let chunk = all[start..<min(start + 5000, all.count)]
            let days = chunk.map { Int32(clamping: $0.day.dayNumber) }
            let months = chunk.map { YearMonth(containing: $0.day).index }
            let previous = chunk.map { $0.previousMonth?.index ?? -1 }
            try await connection.query(
                """
                INSERT INTO rm_growth (scope, series, value, day, month, previous_month, loans, principal_fen)
                SELECT u.scope, u.series, u.value, DATE '1970-01-01' + u.day, u.month, u.previous, u.loans, u.principal
                FROM unnest(\(chunk.map(\.run.scope))::text[], \(chunk.map(\.run.seriesName))::text[], \(chunk.map(\.run.value))::text[],
                            \(days)::int4[], \(months)::int4[], \(previous)::int4[], \(chunk.map(\.sums.loans))::int8[],
                            \(chunk.map(\.sums.principalFen))::int8[])
                     AS u(scope, series, value, day, month, previous, loans, principal)
                ON CONFLICT (scope, series, month, day, value, previous_month) DO UPDATE SET
                    loans = rm_growth.loans + EXCLUDED.loans, principal_fen = rm_growth.principal_fen + EXCLUDED.principal_fen
                """, logger: logger)
            let leaving = chunk.filter { $0.sums.loans < 0 }
            guard !leaving.isEmpty else { continue }
            try await connection.query(
                """
                DELETE FROM rm_growth g
                USING unnest(\(leaving.map(\.run.scope))::text[], \(leaving.map(\.run.seriesName))::text[],
                             \(leaving.map(\.run.value))::text[], \(leaving.map { Int32(clamping: $0.day.dayNumber) })::int4[],
                             \(leaving.map { $0.previousMonth?.index ?? -1 })::int4[])
                      AS u(scope, series, value, day, previous)
                WHERE g.loans = 0 AND g.scope = u.scope AND g.series = u.series AND g.day = DATE '1970-01-01' + u.day AND g.value = u.value
                  AND g.previous_month = u.previous
                """, logger: logger)
        }
    }

    /// The same sums by month (`rm_growth_months`).
    private static func addByMonth(
        _ all: [(run: GrowthTally.Run, month: YearMonth, previousMonth: YearMonth?, sums: GrowthSums)], on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        for start in stride(from: 0, to: all.count, by: 5000) {
            let chunk = all[start..<min(start + 5000, all.count)]
            let previous = chunk.map { $0.previousMonth?.index ?? -1 }
            try await connection.query(
                """
                INSERT INTO rm_growth_months (scope, series, value, month, previous_month, loans, principal_fen)
                SELECT * FROM unnest(\(chunk.map(\.run.scope))::text[], \(chunk.map(\.run.seriesName))::text[], \(chunk.map(\.run.value))::text[],
                                     \(chunk.map(\.month.index))::int4[], \(previous)::int4[], \(chunk.map(\.sums.loans))::int8[],
                                     \(chunk.map(\.sums.principalFen))::int8[])
                ON CONFLICT (scope, series, month, value, previous_month) DO UPDATE SET
                    loans = rm_growth_months.loans + EXCLUDED.loans,
                    principal_fen = rm_growth_months.principal_fen + EXCLUDED.principal_fen
                """, logger: logger)
            let leaving = chunk.filter { $0.sums.loans < 0 }
            guard !leaving.isEmpty else { continue }
            try await connection.query(
                """
                DELETE FROM rm_growth_months g
                USING unnest(\(leaving.map(\.run.scope))::text[], \(leaving.map(\.run.seriesName))::text[], \(leaving.map(\.run.value))::text[],
                             \(leaving.map(\.month.index))::int4[], \(leaving.map { $0.previousMonth?.index ?? -1 })::int4[])
                      AS u(scope, series, value, month, previous)
                WHERE g.loans = 0 AND g.scope = u.scope AND g.series = u.series AND g.month = u.month AND g.value = u.value
                  AND g.previous_month = u.previous
                """, logger: logger)
        }
    }

    /// The cells of a report over `window` cut at `asOf` (`GrowthCell.cells`, summed by
    /// the database): a few rows per month and slice value, whatever the number of loans.
    static func cells(
        scope: String, series: [GrowthReport.Series], window: MonthWindow, asOf: BusinessDate?, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [GrowthCell] {
        let detailed = GrowthReport.detailedMonths(window, asOf: asOf).map(\.index)
        let from = window.from.index
        let names = series.map(\.description)
        // Whole months from the monthly sums; the months a range cuts, day by day.
        let rows = try await connection.allRows(
            """
            SELECT series, value, month, 0::int8,
                   LEAST(sum(loans), 9223372036854775807)::int8, LEAST(sum(principal_fen), 9223372036854775807)::int8,
                   COALESCE(sum(loans) FILTER (WHERE previous_month < \(from) + 12 * ((month - \(from)) / 12)), 0)::int8
            FROM rm_growth_months
            WHERE scope = \(scope) AND series = ANY(\(names)::text[]) AND month BETWEEN \(from) AND \(window.to.index)
              AND NOT month = ANY(\(detailed)::int4[])
            GROUP BY series, value, month
            UNION ALL
            SELECT series, value, month, EXTRACT(DAY FROM day)::int8,
                   LEAST(sum(loans), 9223372036854775807)::int8, LEAST(sum(principal_fen), 9223372036854775807)::int8,
                   COALESCE(sum(loans) FILTER (WHERE previous_month < \(from) + 12 * ((month - \(from)) / 12)), 0)::int8
            FROM rm_growth
            WHERE scope = \(scope) AND series = ANY(\(names)::text[]) AND month = ANY(\(detailed)::int4[])
              AND month BETWEEN \(from) AND \(window.to.index)
            GROUP BY series, value, month, day
            """, logger: logger)
        return try rows.map { row in
            let (series, value, month, day, loans, principal, borrowers) = try row.decode(
                (String, String, Int, Int, Int64, Int64, Int64).self)
            guard let named = GrowthReport.Series(named: series) else {
                throw StoreError.corrupt("rm_growth names an unknown series \"\(series)\"")
            }
            return GrowthCell(
                series: named, value: value, month: YearMonth(index: month), day: day == 0 ? nil : day,
                sums: GrowthSums(loans: loans, principalFen: principal), borrowers: borrowers)
        }
    }

    /// The monthly sums of `tally` (`GrowthTally.byMonth`), and the stored ones with loans, each
    /// keyed "scope series value month after previous-month" — for `reconcile projections`.
    static func months(of tally: GrowthTally) -> [String: GrowthSums] {
        Dictionary(
            uniqueKeysWithValues: tally.byMonth.map { month in
                (
                    "\(month.run.scope) \(month.run.seriesName) \(month.run.value) \(month.month.index) after \(month.previousMonth?.index ?? -1)",
                    month.sums
                )
            })
    }

    static func storedMonths(on connection: PostgresConnection, logger: Logger) async throws -> [String: GrowthSums] {
        var months: [String: GrowthSums] = [:]
        let rows = try await connection.allRows(
            "SELECT scope, series, value, month, previous_month, loans, principal_fen FROM rm_growth_months WHERE loans <> 0",
            logger: logger)
        for row in rows {
            let (scope, series, value, month, previous, loans, principal) = try row.decode(
                (String, String, String, Int, Int, Int64, Int64).self)
            months["\(scope) \(series) \(value) \(month) after \(previous)"] = GrowthSums(loans: loans, principalFen: principal)
        }
        return months
    }

    /// Every stored entry with loans, for `reconcile projections`.
    static func all(on connection: PostgresConnection, logger: Logger) async throws -> [GrowthEntry: GrowthSums] {
        var entries: [GrowthEntry: GrowthSums] = [:]
        let rows = try await connection.allRows(
            "SELECT scope, series, value, day::text, previous_month, loans, principal_fen FROM rm_growth WHERE loans <> 0", logger: logger)
        for row in rows {
            let (scope, series, value, day, previous, loans, principal) = try row.decode(
                (String, String, String, String, Int, Int64, Int64).self)
            guard let named = GrowthReport.Series(named: series) else {
                throw StoreError.corrupt("rm_growth names an unknown series \"\(series)\"")
            }
            let entry = GrowthEntry(
                scope: scope, series: named, value: value, day: try BusinessDate(parsing: day),
                previousMonth: previous < 0 ? nil : YearMonth(index: previous))
            entries[entry] = GrowthSums(loans: loans, principalFen: principal)
        }
        return entries
    }
}
