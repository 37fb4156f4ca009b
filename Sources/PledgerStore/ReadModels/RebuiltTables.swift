import Foundation
import Logging
import PostgresNIO

/// Where read-model rows are written: into the tables themselves by the projector's batches,
/// which add to or replace what is there, or once each by a rebuild (`RebuiltTables`).
enum RowTarget: Sendable, Equatable {
    case tables
    /// A rebuild's: each row written once by `COPY`, into the table itself where the rebuild
    /// found it empty (`filling`), else into its temporary twin.
    case rebuilt(filling: Set<String>)

    /// Whether a rebuild writes `table` itself (found empty), not its twin: rows sent in the
    /// order of its key then take less of PostgreSQL's time (`GrowthTally.allInKeyOrder`).
    func fills(_ table: String) -> Bool {
        guard case .rebuilt(let filling) = self else { return false }
        return filling.contains(table)
    }

    /// The table a rebuild's `COPY` writes for `table`, named without its schema (`COPY`
    /// quotes the name whole; see `RebuiltTables.twin`).
    func copied(_ table: String) -> String {
        self == .tables || fills(table) ? table : RebuiltTables.twin(table)
    }

    /// Whether rows are written once each, by `COPY`.
    var isRebuilt: Bool { self != .tables }
}

/// A rebuild writes every row into temporary twins of the read-model tables, then makes each
/// table equal to its twin by difference: rows no longer there deleted, rows that differ
/// updated, new rows inserted. A rebuild of tables that were right writes nothing; readers
/// see the old rows until the transaction commits; and no table is emptied to be filled
/// again (which left every old row dead beside its new one in the same transaction: each
/// insert then checked its key against the dead row, twice the time of a fresh insert).
/// The twins need PostgreSQL's default TEMPORARY privilege and are dropped at commit.
/// An empty table (a first load, the demo's) has no twin: its rows are copied into it at
/// once, its indexes kept up while the client makes the next rows, not afterwards with the
/// client idle (filled from twins at the end, `--scale 1400`'s four tables kept PostgreSQL's
/// core busy 7.6 s after the last row was made).
enum RebuiltTables {
    static let prefix = "rebuilt_"

    /// The name of `table`'s twin without its schema, for `COPY` (`PostgresConnection.copy`),
    /// which quotes the name whole. It is the temporary twin because the session's temporary
    /// schema is searched first unless `search_path` names `pg_temp` later, which Pledger never
    /// sets; and no permanent table is so named (the roles may not create tables in `public`).
    static func twin(_ table: String) -> String { prefix + table }

    /// A read-model table: its key, the columns a rebuild compares, and those it writes only
    /// with a row that changed (`last_position`: when the row was last written).
    struct Table: Sendable {
        let name: String
        let key: [String]
        let compared: [String]
        var stamped: [String] = []
    }

    static let tables = [
        Table(
            name: "rm_loans", key: ["stream"],
            compared: [
                "bank_id", "contract_no", "borrower", "fund_id", "originated_on", "status", "principal_fen", "outstanding_fen", "snapshot",
            ],
            stamped: ["last_position"]),
        Table(name: "rm_funds", key: ["fund_id"], compared: others(FundRow.columnList, key: ["fund_id"]), stamped: ["last_position"]),
        Table(
            name: "rm_growth", key: ["scope", "series", "month", "day", "value", "previous_month"], compared: ["loans", "principal_fen"]),
        Table(
            name: "rm_growth_months", key: ["scope", "series", "month", "value", "previous_month"], compared: ["loans", "principal_fen"]),
        Table(
            name: "rm_exposure", key: ["fund_id", "borrower", "scope", "bank_id"],
            compared: others(ExposureTable.columnList, key: ["fund_id", "borrower", "scope", "bank_id"])),
    ]

    /// The columns of a list the writers share (`FundRow.columnList`, `ExposureTable.columnList`)
    /// other than the key, so a column added there is compared here too.
    private static func others(_ columns: [String], key: [String]) -> [String] { columns.filter { !key.contains($0) } }

    /// Creates the empty twins of the tables that hold rows, for the transaction `connection`
    /// is in; the others are filled in place. The caller holds the checkpoint's lock, which
    /// every writer of the read models takes first: a table found empty stays so but for it.
    static func create(on connection: PostgresConnection, logger: Logger) async throws -> RowTarget {
        var filling: Set<String> = []
        for table in tables {
            guard try await holdsRows(table.name, on: connection, logger: logger) else {
                filling.insert(table.name)
                continue
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: "CREATE TEMPORARY TABLE \(twin(table.name)) (LIKE \(table.name)) ON COMMIT DROP"),
                logger: logger)
        }
        return .rebuilt(filling: filling)
    }

    /// Makes every table with a twin (`target`), but those `except` names (known to be right:
    /// their twins were left empty), equal to its twin. The rows that differ are found in one
    /// pass, a hash join of the table with its twin (a full join: rows on one side only are
    /// rows to delete or insert), and kept in a temporary table; only when there are any is
    /// the table changed, each change a hash join of the table with that table of
    /// differences. A rebuild of tables that were right reads each table once and writes
    /// nothing. Left to itself the planner sorted both sides (spilling to disk at the default
    /// `work_mem`) or probed the key's index row by row, and compiled the plan with JIT: three
    /// to four times as long.
    static func replace(_ target: RowTarget, on connection: PostgresConnection, logger: Logger, except: Set<String> = []) async throws {
        let twinned = tables.filter { target.copied($0.name) != $0.name && !except.contains($0.name) }
        guard !twinned.isEmpty else { return }
        for setting in ["work_mem = '128MB'", "enable_mergejoin = off", "enable_nestloop = off", "jit = off"] {
            try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL \(setting)"), logger: logger)
        }
        for table in twinned {
            try await connection.query(PostgresQuery(unsafeSQL: differences(table)), logger: logger)
            if try await holdsRows(changes(table), on: connection, logger: logger) {
                for statement in statements(table) { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            }
        }
    }

    private static func holdsRows(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT FROM \(table))"), logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return true
    }

    /// The temporary table of `table`'s rows that differ from its twin's.
    private static func changes(_ table: Table) -> String { "pg_temp.\(prefix)changes_\(table.name)" }

    /// Fills `changes(table)`: per row that differs, the table's key (`old_…`, null for a row
    /// only the twin has) and the twin's row (null for a row only the table has).
    static func differences(_ table: Table) -> String {
        let twin = "pg_temp.\(Self.twin(table.name))"
        let matches = table.key.map { "t.\($0) = r.\($0)" }.joined(separator: " AND ")
        let differs =
            "(\(table.compared.map { "t.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM (\(table.compared.map { "r.\($0)" }.joined(separator: ", ")))"
        let (first, old) = (table.key[0], table.key.map { "t.\($0) AS old_\($0)" }.joined(separator: ", "))
        return """
            CREATE TEMPORARY TABLE \(changes(table)) ON COMMIT DROP AS
            SELECT \(old), r.* FROM \(table.name) t FULL JOIN \(twin) r ON \(matches)
            WHERE t.\(first) IS NULL OR r.\(first) IS NULL OR \(differs)
            """
    }

    /// The statements that make `table` equal to its twin, from `changes(table)` (the key
    /// columns are never null, so a null key means the side has no such row).
    static func statements(_ table: Table) -> [String] {
        let first = table.key[0]
        let columns = table.key + table.compared + table.stamped
        let list = columns.joined(separator: ", ")
        let set = (table.compared + table.stamped).map { "\($0) = c.\($0)" }.joined(separator: ", ")
        let old = table.key.map { "t.\($0) = c.old_\($0)" }.joined(separator: " AND ")
        let new = table.key.map { "t.\($0) = c.\($0)" }.joined(separator: " AND ")
        return [
            "DELETE FROM \(table.name) t USING \(changes(table)) c WHERE c.\(first) IS NULL AND \(old)",
            "UPDATE \(table.name) t SET \(set) FROM \(changes(table)) c WHERE c.old_\(first) IS NOT NULL AND \(new)",
            "INSERT INTO \(table.name) (\(list)) SELECT \(list) FROM \(changes(table)) c WHERE c.old_\(first) IS NULL",
        ]
    }
}
