import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// The one path every write takes: idempotency (`Idempotency-Key`), optimistic locking
/// (`If-Match`), deciding and appending, and a response that carries the new global
/// position (for read-your-writes) and the target stream's version as `ETag`.
struct Writes: Sendable {
    let handler: CommandHandler
    let idempotency: HTTPIdempotency

    /// Runs `body` under the request's idempotency key: a retry of the same request gets the
    /// stored response, the same key with another request is refused.
    func idempotent(_ request: Request, _ context: PledgerRequestContext, body: ByteBuffer,
                    _ work: () async throws -> Reply) async throws -> Response {
        _ = try request.ifMatchVersion()  // a malformed header is refused even on a replay
        guard let key = request.headers[.idempotencyKey] else { return try await work().response }
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw Problem.invalid("Idempotency-Key", "an Idempotency-Key has 1–200 characters")
        }
        let scope = try context.caller().description
        var hashed = Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8)
        hashed += Array(body.readableBytesView)
        let fingerprint = Digest.sha256(hashed)
        if let stored = try await idempotency.lookup(scope: scope, key: key) {
            guard stored.requestHash == fingerprint else {
                throw Problem(.unprocessableContent, "idempotency-key-reused", "Idempotency key reused",
                    detail: "Idempotency-Key \(key) was already used for a different request", field: "Idempotency-Key")
            }
            var headers: HTTPFields = [.contentType: "application/json", .idempotentReplayed: "true"]
            if let etag = stored.etag { headers[.eTag] = etag }
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
        }
        let reply = try await work()
        if (200..<300).contains(reply.status.code) {
            try await idempotency.save(scope: scope, key: key, requestHash: fingerprint, status: reply.status.code,
                                       body: reply.body, etag: reply.headers[.eTag])
        }
        return reply.response
    }

    /// Decides and appends one command; 201 for what creates a stream, else 200.
    func run(_ command: LedgerCommand, _ request: Request, _ context: PledgerRequestContext, creates: Bool = false) async throws -> Reply {
        let caller = try context.caller()
        var meta = JSONObject()
        meta.set("actor", .string(caller.description))
        meta.set("request_id", .string(context.id))
        let key = request.headers[.idempotencyKey].map { "http:\(caller):\($0)" }
        let outcome = try await handler.handle(command, meta: meta, idempotencyKey: key, expectedVersion: try request.ifMatchVersion())
        return Self.response(outcome.append, target: command.target, status: creates ? .created : .ok)
    }

    static func response(_ result: AppendResult, target: StreamRef, status: HTTPResponse.Status) -> Reply {
        var object = JSONObject()
        object.set("position", .integer(result.lastPosition))
        object.set("first_position", .integer(result.firstPosition))
        object.set("stream", .string(target.name))
        object.set("version", .integer(Int64(result.streamVersions[target.name] ?? 0)))
        object.set("recorded_at", .string(result.recordedAt.description))
        object.set("event_ids", .array(result.eventIds.map { .string($0.uuidString.lowercased()) }))
        var streams = JSONObject()
        for (stream, version) in result.streamVersions { streams.set(stream, .integer(Int64(version))) }
        object.set("streams", .object(streams))
        var headers: HTTPFields = [:]
        headers[.eTag] = "\"\(result.streamVersions[target.name] ?? 0)\""
        headers[.pledgerPosition] = String(result.lastPosition)
        return Reply(.object(object), status: status, headers: headers)
    }
}

/// A JSON response kept as text, so that it can be stored for idempotent replay.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var body: String
    var headers: HTTPFields

    init(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.status = status
        body = CanonicalJSON.string(value)
        self.headers = headers
    }

    var response: Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let pledgerPosition = HTTPField.Name("Pledger-Position")!
    static let pledgerMinPosition = HTTPField.Name("Pledger-Min-Position")!
}

