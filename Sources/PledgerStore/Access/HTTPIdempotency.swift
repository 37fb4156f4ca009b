import Foundation
import PledgerDomain
import PostgresNIO

/// The first successful response to an `Idempotency-Key`, kept so that a client retrying
/// after a timeout gets the same answer instead of a second write.
public struct HTTPIdempotency: Sendable {
    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    public struct Stored: Sendable {
        public let requestHash: [UInt8]
        public let status: Int
        public let body: String
        public let etag: String?
    }

    public func lookup(scope: String, key: String) async throws -> Stored? {
        try await store.client.withConnection { connection in
            let rows = try await connection.query(
                "SELECT request_sha256, status, body, etag FROM http_idempotency WHERE scope = \(scope) AND key = \(key)", logger: store.logger)
            for try await (hash, status, body, etag) in rows.decode((ByteBuffer, Int32, String, String?).self) {
                return Stored(requestHash: Array(hash.readableBytesView), status: Int(status), body: body, etag: etag)
            }
            return nil
        }
    }

    public func save(scope: String, key: String, requestHash: [UInt8], status: Int, body: String, etag: String?) async throws {
        _ = try await store.client.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO http_idempotency (scope, key, request_sha256, status, body, etag)
                VALUES (\(scope), \(key), \(ByteBuffer(bytes: requestHash)), \(Int32(status)), \(body), \(etag))
                ON CONFLICT (scope, key) DO NOTHING
                """, logger: store.logger)
        }
    }
}
