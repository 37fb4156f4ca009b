import Foundation
import Logging
import PledgerDomain
import PostgresNIO

/// Bearer tokens, stored as SHA-256 only.
public struct TokenStore: Sendable {
    public let store: EventStore
    /// The lookups of the requests arriving together, answered by one query.
    private let lookups: SharedRead<[UInt8], Identity>

    public init(store: EventStore) {
        self.store = store
        lookups = SharedRead { digests in try await Self.identities(of: digests, in: store) }
    }

    public struct Token: Sendable {
        public let id: UUID
        public let name: String
        public let role: String
        public let createdAt: RecordedTime
        public let revokedAt: RecordedTime?
    }

    /// Creates a token; the returned secret is shown once and never stored.
    public func create(name: String, role: String) async throws -> (id: UUID, secret: String) {
        let scope = try Identity.parseRole(role)
        if let bank = scope.bank, try await store.versions(of: [StreamRef.bank(bank).name])[StreamRef.bank(bank).name] == 0 {
            throw DomainError(
                .notFound, field: "role", "no bank \(bank) is registered; register it first (POST /v1/banks), or check the id")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = "plg_" + LedgerHash.hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let id = UUID()
        _ = try await store.withConnection(#function) { connection in
            try await connection.query(
                """
                INSERT INTO api_tokens (id, name, role, bank_id, insurer_id, token_sha256)
                VALUES (
                    \(id), \(name), \(scope.role.rawValue), \(scope.bank?.value), \(scope.insurer?.value),
                    \(ByteBuffer(bytes: Digest.sha256(secret.utf8))))
                """, logger: store.logger)
        }
        return (id, secret)
    }

    public func list() async throws -> [Token] {
        try await store.withConnection(#function) { connection in
            var tokens: [Token] = []
            let rows = try await connection.query(
                """
                SELECT id, name, CASE role WHEN 'bank' THEN 'bank:' || bank_id WHEN 'insurer' THEN 'insurer:' || insurer_id ELSE role END,
                       (extract(epoch FROM created_at) * 1000000)::int8, (extract(epoch FROM revoked_at) * 1000000)::int8
                FROM api_tokens ORDER BY created_at, id
                """, logger: store.logger)
            for try await (id, name, role, created, revoked) in rows.decode((UUID, String, String, Int64, Int64?).self) {
                tokens.append(
                    Token(
                        id: id, name: name, role: role, createdAt: RecordedTime(microseconds: created),
                        revokedAt: revoked.map(RecordedTime.init)))
            }
            return tokens
        }
    }

    /// Returns false when no live token has that id.
    public func revoke(_ id: UUID) async throws -> Bool {
        try await store.withConnection(#function) { connection in
            let rows = try await connection.query(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: store.logger)
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
    }

    /// The identity behind a presented token, if it is valid and not revoked: read after the
    /// request came, so a token revoked before is refused.
    public func identity(for secret: String) async throws -> Identity? {
        guard secret.hasPrefix("plg_"), secret.utf8.count == 68 else { return nil }
        return try await lookups.value(for: Digest.sha256(secret.utf8))
    }

    private static func identities(of digests: Set<[UInt8]>, in store: EventStore) async throws -> [[UInt8]: Identity] {
        let query = IdentityQuery(digests: digests.map { ByteBuffer(bytes: $0) })
        return try await store.withConnection("token identities") { connection in
            var identities: [[UInt8]: Identity] = [:]
            for try await row in try await connection.execute(query, logger: store.logger) {
                guard let identity = Self.identity(row) else {
                    store.logger.warning("token \(row.1) (\(row.2)) has a role or scope this version cannot read; it is refused")
                    continue
                }
                identities[Array(row.0.readableBytesView)] = identity
            }
            return identities
        }
    }

    /// A row the constraints let through but this version cannot read is no identity.
    private static func identity(_ row: IdentityQuery.Row) -> Identity? {
        let (_, id, name, role, bank, insurer) = row
        guard let role = Identity.Role(rawValue: role) else { return nil }
        do {
            return Identity(
                tokenId: id, name: name, role: role, bank: try bank.map { try BankId($0) },
                insurer: try insurer.map { try InsurerId($0) })
        } catch { return nil }
    }
}

/// The token lookup every request makes (for all requests waiting together), prepared once
/// per connection.
struct IdentityQuery: PostgresPreparedStatement {
    static let sql =
        "SELECT token_sha256, id, name, role, bank_id, insurer_id FROM api_tokens WHERE token_sha256 = ANY($1) AND revoked_at IS NULL"
    typealias Row = (ByteBuffer, UUID, String, String, String?, String?)
    let digests: [ByteBuffer]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(digests)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
