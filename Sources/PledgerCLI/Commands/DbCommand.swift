import ArgumentParser
import Foundation
import Logging
import PledgerApplication
import PledgerDomain
import PledgerStore
import PostgresNIO

/// The database and the migrations folder, for the commands that compare one with the other.
struct MigrationsOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Folder with the NNN_name.sql files.", valueName: "dir")) var sqlDir: String?

    /// Runs `body` with the folder's migrator against the database's client.
    func run<Result: Sendable>(
        _ body: (Migrator, PostgresClient, Logger) async throws -> Result
    ) async throws -> (Migrator, Result) {
        let migrator = try Migrator(directory: Migrator.locateDirectory(override: sqlDir))
        let result = try await connection.withLedger { ledger in try await body(migrator, ledger.log.client, connection.logger()) }
        return (migrator, result)
    }
}

struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database schema.",
        subcommands: [Migrate.self, Status.self, GrantsCheck.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the numbered SQL migrations in sql/ that are not applied yet.",
            discussion: """
                Each file runs in its own transaction and is recorded with its SHA-256 in schema_migrations; a changed file that was already applied is refused. The sql/ folder is found beside the executable (PREFIX/share/pledger/sql when installed, the checkout's sql/ when built in one), never from the working directory; override with --sql-dir or $PLEDGER_SQL_DIR.

                Example: pledger db migrate --database-url postgres://owner@db.example:5432/pledger
                """)

        @OptionGroup var migrations: MigrationsOptions

        func run() async throws {
            let (migrator, outcome) = try await migrations.run { try await $0.migrate(client: $1, logger: $2) }
            for name in outcome.applied { print("applied  \(name)") }
            print("schema is current: \(migrator.migrations.count) migrations (\(outcome.applied.count) applied now)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List migrations not yet applied; exit 1 if any.")

        @OptionGroup var migrations: MigrationsOptions

        func run() async throws {
            let (migrator, pending) = try await migrations.run { try await $0.pending(client: $1, logger: $2) }
            if pending.isEmpty {
                print("schema is current (\(migrator.migrations.count) migrations)")
            } else {
                for name in pending { print("pending  \(name)") }
                throw ApplicationError.failure("\(pending.count) migration(s) not applied; run: pledger db migrate")
            }
        }
    }

    struct GrantsCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grants",
            abstract: "Show what each Pledger role may do on each table and routine; with --check, exit 1 on any drift.",
            discussion: """
                Reads the privileges pledger_app, pledger_readonly, pledger_auditor and pledger_replication actually hold on every table and callable routine of the schema (has_table_privilege, column grants, has_function_privilege, pg_roles attributes, CREATE on the schema) and compares them with the expected matrix, Grants.expected in PledgerStore. The table marks a cell that differs with *, then lists every drift. Run it as the owner, with the DATABASE_URL that runs migrations.

                Examples:
                  pledger db grants
                  pledger db grants --check --format json
                """)

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Exit 1 when the database differs from the expected matrix.") var check = false
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let report = try await connection.withLedger { ledger in
                try await Grants.read(client: ledger.log.client, logger: connection.logger())
            }
            let drift = report.drift()
            let tables = Set(report.tables).union(Grants.expected.tables).sorted()
            let routines = Set(report.routines).union(Grants.expected.routines).sorted()
            switch format {
            case .table:
                let columns: [(String, Table.Alignment)] = [("Table", .left)] + Grants.expected.roles.map { ($0.name, .left) }
                var table = Table(columns)
                table.add(["(attributes)"] + Grants.expected.roles.map { cell(attributesOf: $0, in: report) })
                for name in tables { table.add([name] + Grants.expected.roles.map { cell(privilegesOf: $0, on: name, in: report) }) }
                for name in routines {
                    table.add(
                        ["\(name)()"]
                            + Grants.expected.roles.map { role in
                                let (text, matches) = execute(of: role, on: name, in: report)
                                return (text == "none" ? "—" : text) + (matches ? "" : " *")
                            })
                }
                print(table.render())
                print(drift.isEmpty ? "\nno drift: the database matches the expected matrix" : "\n\(drift.count) drift(s):")
                for line in drift { print("  \(line)") }
            case .csv:
                print("role,table,held,expected,matches")
                for role in Grants.expected.roles {
                    let held = report.roles[role.name]
                    let attributes = held.map { Grants.text($0.attributes) } ?? "(no role)"
                    let matches = held?.attributes == role.attributes
                    print(CSV.line([role.name, "(attributes)", attributes, Grants.text(role.attributes), String(matches)]))
                    for name in tables {
                        let (text, matches) = privileges(of: role, on: name, in: report)
                        print(CSV.line([role.name, name, text, expected(of: role, on: name), String(matches)]))
                    }
                    for name in routines {
                        let (text, matches) = execute(of: role, on: name, in: report)
                        let wanted =
                            Grants.expected.routines.contains(name) ? (role.routines.contains(name) ? "EXECUTE" : "none") : "(no entry)"
                        print(CSV.line([role.name, "\(name)()", text, wanted, String(matches)]))
                    }
                }
            case .json:
                var roles = JSONObject()
                for role in Grants.expected.roles {
                    var object = JSONObject()
                    let held = report.roles[role.name]
                    object.set("exists", .bool(held != nil))
                    object.set(
                        "attributes", strings(Grants.Attribute.allCases.filter { held?.attributes.contains($0) == true }.map(\.sql)))
                    object.set("expected_attributes", strings(Grants.Attribute.allCases.filter(role.attributes.contains).map(\.sql)))
                    var perTable = JSONObject()
                    for name in tables {
                        var cell = JSONObject()
                        cell.set(
                            "held",
                            strings(Grants.Privilege.allCases.filter { held?.privileges[name]?.contains($0) == true }.map(\.sql)))
                        cell.set(
                            "column_only",
                            strings(Grants.Privilege.allCases.filter { held?.columnOnly[name]?.contains($0) == true }.map(\.sql)))
                        cell.set("expected", strings(Grants.Privilege.allCases.filter(role.privileges(on: name).contains).map(\.sql)))
                        perTable.set(name, .object(cell))
                    }
                    object.set("tables", .object(perTable))
                    var perRoutine = JSONObject()
                    for name in routines {
                        var cell = JSONObject()
                        cell.set("execute", .bool(held?.executes.contains(name) == true))
                        cell.set("expected", .bool(role.routines.contains(name)))
                        perRoutine.set(name, .object(cell))
                    }
                    object.set("routines", .object(perRoutine))
                    roles.set(role.name, .object(object))
                }
                var root = JSONObject()
                root.set("clean", .bool(drift.isEmpty))
                root.set("roles", .object(roles))
                root.set("drift", strings(drift.map(\.description)))
                print(CanonicalJSON.string(.object(root)))
            }
            if check, !drift.isEmpty {
                throw ApplicationError.failure("\(drift.count) drift(s) from the expected grants")
            }
        }

        private func cell(attributesOf role: Grants.Role, in report: Grants.Report) -> String {
            guard let held = report.roles[role.name] else { return "(no role) *" }
            let text = Grants.text(held.attributes)
            return held.attributes == role.attributes ? text : text + " *"
        }

        private func cell(privilegesOf role: Grants.Role, on table: String, in report: Grants.Report) -> String {
            let (text, matches) = privileges(of: role, on: table, in: report)
            let shown = text == "none" ? "—" : text
            return matches ? shown : shown + " *"
        }

        /// What `role` holds on `table` — table-wide privileges, then column-only ones as
        /// `SELECT(columns)` — and whether that is what the matrix expects.
        private func privileges(of role: Grants.Role, on table: String, in report: Grants.Report) -> (String, Bool) {
            guard let held = report.roles[role.name] else { return ("(no role)", false) }
            guard report.tables.contains(table) else { return ("(no table)", false) }
            let whole = held.privileges[table] ?? []
            let columns = held.columnOnly[table] ?? []
            let text =
                whole.isEmpty && columns.isEmpty
                ? "none"
                : (Grants.Privilege.allCases.filter(whole.contains).map(\.sql)
                    + Grants.Privilege.allCases.filter(columns.contains).map { "\($0.sql)(columns)" }).joined(separator: " ")
            return (text, whole == role.privileges(on: table) && columns.isEmpty && Grants.expected.tables.contains(table))
        }

        /// Whether `role` may execute `routine` ("EXECUTE" or "none"), and whether the matrix agrees.
        private func execute(of role: Grants.Role, on routine: String, in report: Grants.Report) -> (String, Bool) {
            guard let held = report.roles[role.name] else { return ("(no role)", false) }
            guard report.routines.contains(routine) else { return ("(no routine)", false) }
            let may = held.executes.contains(routine)
            return (may ? "EXECUTE" : "none", may == role.routines.contains(routine) && Grants.expected.routines.contains(routine))
        }

        private func expected(of role: Grants.Role, on table: String) -> String {
            Grants.expected.tables.contains(table) ? Grants.text(role.privileges(on: table)) : "(no entry)"
        }

        private func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
    }
}
