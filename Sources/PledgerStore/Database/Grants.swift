import Logging
import PostgresNIO

/// Who may do what in Pledger's schema. The migrations in `sql/` grant; `Grants.expected` says
/// what they must add up to, and `pledger db grants --check` compares it with what the
/// database actually allows — so a hand-made `GRANT`, a role a DBA made with too much, or a
/// table a migration forgot to grant is found rather than trusted.
public enum Grants {
    /// The single source of truth: every table and callable routine of the schema and, for
    /// each of the four roles, its attributes, its privileges per table (a table not named:
    /// none) and the routines it may execute. A migration that adds a table or routine or
    /// changes a grant changes this value in the same commit; the test suite runs the check,
    /// so forgetting it fails there. (Trigger functions cannot be called, so are not listed.)
    public static let expected = Matrix(
        tables: [
            "api_tokens", "events", "idempotency_keys", "ledger_head", "projection_checkpoints", "rm_exposure", "rm_funds", "rm_growth",
            "rm_growth_months",
            "rm_loans",
            "schema_migrations", "signed_checkpoints", "stream_states",
        ],
        routines: ["pledger_commit_on_head", "pledger_stream_events"],
        roles: [
            // The server and the projector (002, 003, 004, 006, 008, 009, 012, 013): append events,
            // move the head, record idempotency keys (also through the one-round-trip append, which
            // runs with this role's own privileges), read streams (through a function, with the
            // same privileges), rewrite the read models and stored states.
            Role(
                name: "pledger_app", attributes: [.login],
                tables: [
                    "events": [.select, .insert],
                    "ledger_head": [.select, .update],
                    "idempotency_keys": [.select, .insert],
                    "projection_checkpoints": [.select, .insert, .update, .delete],
                    "rm_loans": [.select, .insert, .update, .delete],
                    "rm_funds": [.select, .insert, .update, .delete],
                    "rm_growth": [.select, .insert, .update, .delete],
                    "rm_growth_months": [.select, .insert, .update, .delete],
                    "rm_exposure": [.select, .insert, .update, .delete],
                    "api_tokens": [.select],
                    "schema_migrations": [.select],
                    "signed_checkpoints": [.select, .insert],
                    "stream_states": [.select, .insert, .update, .delete],
                ],
                routines: ["pledger_commit_on_head", "pledger_stream_events"]),
            // A finance office's SQL users (007, 008, 012, 013): the ledger (also through the streams'
            // read, with the same privileges), the current view, the checkpoints.
            Role(
                name: "pledger_readonly", attributes: [],
                tables: [
                    "events": [.select], "rm_loans": [.select], "rm_funds": [.select], "rm_growth": [.select],
                    "rm_growth_months": [.select], "rm_exposure": [.select], "projection_checkpoints": [.select],
                    "signed_checkpoints": [.select], "stream_states": [.select],
                ],
                routines: ["pledger_stream_events"]),
            // Auditors (007, 012, 013): read every table, token hashes included (see the migration for
            // why), and streams through the streams' read.
            Role(
                name: "pledger_auditor", attributes: [],
                tables: [
                    "events": [.select], "ledger_head": [.select], "idempotency_keys": [.select], "projection_checkpoints": [.select],
                    "rm_loans": [.select], "rm_funds": [.select], "rm_growth": [.select], "rm_growth_months": [.select],
                    "rm_exposure": [.select],
                    "api_tokens": [.select],
                    "schema_migrations": [.select],
                    "signed_checkpoints": [.select],
                    "stream_states": [.select],
                ],
                routines: ["pledger_stream_events"]),
            // Streaming standbys (007): a role attribute, no table.
            Role(name: "pledger_replication", attributes: [.login, .replication], tables: [:]),
        ])

    /// The table privileges PostgreSQL has, in its own order.
    public enum Privilege: String, CaseIterable, Sendable, Hashable {
        case select, insert, update, delete, truncate, references, trigger

        /// As PostgreSQL names it (`SELECT`).
        public var sql: String { rawValue.uppercased() }

        /// Privileges that can also be granted on single columns, which `has_table_privilege`
        /// does not see: they are read with `has_any_column_privilege` too.
        static let columnLevel: [Privilege] = [.select, .insert, .update, .references]
    }

    /// Role attributes from `pg_roles`, and CREATE on the schema: a role that can create a
    /// table there owns it, and with it every privilege this matrix would deny.
    public enum Attribute: String, CaseIterable, Sendable, Hashable {
        case login, superuser, createDatabase, createRole, replication, bypassRLS, createInSchema

        /// As `pg_roles` and `GRANT` name it (`CREATEDB`, `CREATE ON SCHEMA`).
        public var sql: String {
            switch self {
            case .createDatabase: "CREATEDB"
            case .createInSchema: "CREATE ON SCHEMA"
            default: rawValue.uppercased()
            }
        }
    }

    public struct Role: Sendable, Hashable {
        public let name: String
        public let attributes: Set<Attribute>
        public let tables: [String: Set<Privilege>]
        /// The routines it may EXECUTE.
        public var routines: Set<String> = []

        public func privileges(on table: String) -> Set<Privilege> { tables[table] ?? [] }
    }

    public struct Matrix: Sendable, Hashable {
        public let tables: [String]
        public let routines: [String]
        public let roles: [Role]
    }

    /// What the database allows, per existing role; a role missing from `roles` does not exist.
    public struct Report: Sendable, Hashable {
        public struct Held: Sendable, Hashable {
            public let attributes: Set<Attribute>
            /// Table-wide privileges, per table.
            public let privileges: [String: Set<Privilege>]
            /// Privileges held on some columns but not the whole table, per table.
            public let columnOnly: [String: Set<Privilege>]
            /// The routines of the schema it may EXECUTE.
            public var executes: Set<String> = []
        }

        /// The tables (and views) of the schema, sorted.
        public let tables: [String]
        /// The functions and procedures of the schema other than trigger functions, sorted.
        public var routines: [String] = []
        public let roles: [String: Held]

        /// Every difference from `Grants.expected`, in a stable order: tables, then role by role.
        public func drift() -> [Drift] {
            var drift: [Drift] = []
            let listed = Set(Grants.expected.tables)
            let present = Set(tables)
            drift += tables.filter { !listed.contains($0) }.map(Drift.unlistedTable)
            drift += Grants.expected.tables.filter { !present.contains($0) }.sorted().map(Drift.missingTable)
            drift += routines.filter { !Grants.expected.routines.contains($0) }.map(Drift.unlistedRoutine)
            drift += Grants.expected.routines.filter { !routines.contains($0) }.sorted().map(Drift.missingRoutine)
            for role in Grants.expected.roles {
                guard let held = roles[role.name] else {
                    drift.append(.missingRole(role.name))
                    continue
                }
                for attribute in Attribute.allCases where held.attributes.contains(attribute) != role.attributes.contains(attribute) {
                    drift.append(
                        .attribute(role: role.name, attribute, held: held.attributes.contains(attribute), expected: role.attributes))
                }
                for table in tables {
                    let has = held.privileges[table] ?? []
                    let wants = role.privileges(on: table)
                    for privilege in Privilege.allCases where has.contains(privilege) != wants.contains(privilege) {
                        drift.append(.privilege(role: role.name, table: table, privilege, held: has.contains(privilege), expected: wants))
                    }
                    for privilege in Privilege.allCases where held.columnOnly[table]?.contains(privilege) == true {
                        drift.append(.columnPrivilege(role: role.name, table: table, privilege, expected: wants))
                    }
                }
                for routine in routines where held.executes.contains(routine) != role.routines.contains(routine) {
                    drift.append(.execute(role: role.name, routine: routine, held: held.executes.contains(routine)))
                }
            }
            return drift
        }
    }

    /// One difference between the database and the expected matrix, said as a sentence.
    public enum Drift: Sendable, Hashable, CustomStringConvertible {
        case unlistedTable(String)
        case missingTable(String)
        case missingRole(String)
        case attribute(role: String, Attribute, held: Bool, expected: Set<Attribute>)
        case privilege(role: String, table: String, Privilege, held: Bool, expected: Set<Privilege>)
        case columnPrivilege(role: String, table: String, Privilege, expected: Set<Privilege>)
        case unlistedRoutine(String)
        case missingRoutine(String)
        case execute(role: String, routine: String, held: Bool)

        public var description: String {
            switch self {
            case .unlistedTable(let table): "a table without an entry: \(table)"
            case .missingTable(let table): "table \(table) is in the expected matrix but not in the schema"
            case .missingRole(let role): "role \(role) does not exist"
            case .attribute(let role, let attribute, true, let expected): "\(role) has \(attribute.sql) (expected: \(text(expected)))"
            case .attribute(let role, let attribute, false, _): "\(role) lacks \(attribute.sql)"
            case .privilege(let role, let table, let privilege, true, let expected):
                "\(role) has \(privilege.sql) on \(table) (expected: \(text(expected, separator: ", ")))"
            case .privilege(let role, let table, let privilege, false, _): "\(role) cannot \(privilege.sql) \(table)"
            case .columnPrivilege(let role, let table, let privilege, let expected):
                "\(role) has \(privilege.sql) on some columns of \(table) (expected: \(text(expected, separator: ", ")))"
            case .unlistedRoutine(let routine): "a routine without an entry: \(routine)"
            case .missingRoutine(let routine): "routine \(routine) is in the expected matrix but not in the schema"
            case .execute(let role, let routine, true): "\(role) may EXECUTE \(routine) (expected: not)"
            case .execute(let role, let routine, false): "\(role) cannot EXECUTE \(routine)"
            }
        }
    }

    /// Privileges in PostgreSQL's order, or "none".
    public static func text(_ privileges: Set<Privilege>, separator: String = " ") -> String {
        privileges.isEmpty ? "none" : Privilege.allCases.filter(privileges.contains).map(\.sql).joined(separator: separator)
    }

    /// Attributes as `\du` would think of them: LOGIN or NOLOGIN first, then the others.
    public static func text(_ attributes: Set<Attribute>) -> String {
        ([attributes.contains(.login) ? "LOGIN" : "NOLOGIN"]
            + Attribute.allCases.filter { $0 != .login && attributes.contains($0) }.map(\.sql)).joined(separator: " ")
    }

    /// Reads what the expected roles may do on every table of the current schema. Role
    /// names and privileges are bound parameters; roles are matched by oid, so a missing
    /// role is simply absent rather than an error.
    public static func read(client: PostgresClient, logger: Logger) async throws -> Report {
        let names = expected.roles.map(\.name)
        let privileges = Privilege.allCases.map(\.sql)
        let columnLevel = Privilege.columnLevel.map(\.sql)
        do {
            return try await client.withConnection { connection in
                var attributes: [String: Set<Attribute>] = [:]
                let roleRows = try await connection.query(
                    """
                    SELECT rolname::text, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,
                           coalesce(has_schema_privilege(oid, current_schema(), 'CREATE'), false)
                    FROM pg_roles WHERE rolname = ANY(\(names))
                    """, logger: logger)
                let decoded = roleRows.decode((String, Bool, Bool, Bool, Bool, Bool, Bool, Bool).self)
                for try await (name, login, superuser, createDatabase, createRole, replication, bypassRLS, createInSchema) in decoded {
                    let flags: [(Attribute, Bool)] = [
                        (.login, login), (.superuser, superuser), (.createDatabase, createDatabase), (.createRole, createRole),
                        (.replication, replication), (.bypassRLS, bypassRLS), (.createInSchema, createInSchema),
                    ]
                    attributes[name] = Set(flags.filter(\.1).map(\.0))
                }

                var tables: [String] = []
                let tableRows = try await connection.query(
                    """
                    SELECT relname::text FROM pg_class
                    WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                      AND relkind IN ('r', 'p', 'v', 'm', 'f')
                    ORDER BY relname
                    """, logger: logger)
                for try await table in tableRows.decode(String.self) { tables.append(table) }

                // CASE, not AND: has_any_column_privilege refuses DELETE, TRUNCATE and TRIGGER,
                // and only CASE promises not to call it for them.
                var privilegesHeld: [String: [String: Set<Privilege>]] = [:]
                var columnOnly: [String: [String: Set<Privilege>]] = [:]
                let privilegeRows = try await connection.query(
                    """
                    SELECT r.rolname::text, c.relname::text, p.name,
                           has_table_privilege(r.oid, c.oid, p.name),
                           CASE WHEN p.name = ANY(\(columnLevel)) THEN has_any_column_privilege(r.oid, c.oid, p.name) ELSE false END
                    FROM pg_roles r
                    CROSS JOIN pg_class c
                    CROSS JOIN unnest(\(privileges)::text[]) AS p(name)
                    WHERE r.rolname = ANY(\(names))
                      AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                    """, logger: logger)
                for try await (role, table, name, onTable, onSomeColumn) in privilegeRows.decode((String, String, String, Bool, Bool).self)
                {
                    guard let privilege = Privilege(rawValue: name.lowercased()) else {
                        throw StoreError.corrupt("unknown privilege \(name)")
                    }
                    if onTable {
                        privilegesHeld[role, default: [:]][table, default: []].insert(privilege)
                    } else if onSomeColumn {
                        columnOnly[role, default: [:]][table, default: []].insert(privilege)
                    }
                }

                // Functions and procedures; trigger functions cannot be called, whoever holds EXECUTE.
                var routines: Set<String> = []
                var executes: [String: Set<String>] = [:]
                let routineRows = try await connection.query(
                    """
                    SELECT p.proname::text, r.rolname::text, coalesce(has_function_privilege(r.oid, p.oid, 'EXECUTE'), false)
                    FROM pg_proc p
                    LEFT JOIN pg_roles r ON r.rolname = ANY(\(names))
                    WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                      AND p.prorettype <> 'trigger'::regtype
                    """, logger: logger)
                for try await (routine, role, held) in routineRows.decode((String, String?, Bool).self) {
                    routines.insert(routine)
                    if let role, held { executes[role, default: []].insert(routine) }
                }

                var roles: [String: Report.Held] = [:]
                for (name, held) in attributes {
                    roles[name] = Report.Held(
                        attributes: held, privileges: privilegesHeld[name] ?? [:], columnOnly: columnOnly[name] ?? [:],
                        executes: executes[name] ?? [])
                }
                return Report(tables: tables, routines: routines.sorted(), roles: roles)
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
