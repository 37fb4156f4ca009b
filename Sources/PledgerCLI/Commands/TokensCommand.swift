import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API bearer tokens.",
        discussion: """
            Roles: admin, fund_admin, auditor (read-only, with the event feed), bank:{bankId} (that bank's loans only) and insurer:{insurerId} (that insurer's policies only: it reads them and settles its own share of their loans' losses; the fund office records them). A token is shown once; only its SHA-256 is stored.

            Examples:
              pledger tokens create --role bank:LCRCB --name "LCRCB core banking"
              pledger tokens create --role insurer:PICC-LC --name "PICC claims desk"
              pledger tokens list
              pledger tokens revoke 3f1c…
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it (once).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "admin, fund_admin, auditor, bank:{bankId} (its own loans) or insurer:{insurerId} (its own policies).") var role:
            String
        @Option(help: "Who or what uses it.") var name: String

        func run() async throws {
            do { _ = try Identity.parseRole(role) } catch let error as DomainError {
                throw ApplicationError.badInput("--role: \(error.message)")
            }
            let (id, secret) = try await connection.withLedger { try await $0.tokens.create(name: name, role: role) }
            note("token \(id.uuidString.lowercased()) for \(role) created; store it now, it is not shown again:")
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the secrets).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let tokens = try await connection.withLedger { try await $0.tokens.list() }
            switch format {
            case .table:
                var table = Table([("Id", .left), ("Role", .left), ("Name", .left), ("Created", .left), ("Revoked", .left)])
                for t in tokens {
                    table.add([t.id.uuidString.lowercased(), t.role, t.name, t.createdAt.description, t.revokedAt?.description ?? ""])
                }
                print(table.render())
            case .csv:
                print("id,role,name,created_at,revoked_at")
                for t in tokens {
                    print(
                        CSV.line([t.id.uuidString.lowercased(), t.role, t.name, t.createdAt.description, t.revokedAt?.description ?? ""]))
                }
            case .json:
                print(
                    CanonicalJSON.string(
                        .array(
                            tokens.map { t in
                                var o = JSONObject()
                                o.set("id", .string(t.id.uuidString.lowercased()))
                                o.set("role", .string(t.role))
                                o.set("name", .string(t.name))
                                o.set("created_at", .string(t.createdAt.description))
                                o.set("revoked_at", t.revokedAt.map { .string($0.description) } ?? .null)
                                return .object(o)
                            })))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; it stops working at once.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Token id from `pledger tokens list`.") var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else {
                throw ApplicationError.badInput("\(id) is not a token id (a UUID from `pledger tokens list`)")
            }
            guard try await connection.withLedger({ try await $0.tokens.revoke(uuid) }) else {
                throw ApplicationError.failure("no live token \(id)")
            }
            print("revoked \(id)")
        }
    }
}
