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

    var store: EventStore { handler.store }

    /// A request's `Idempotency-Key`, scoped to the caller, and the fingerprint of what the
    /// client sent (method, route with query, body) — nothing the server makes up.
    struct Key: Sendable {
        let stored: String
        let fingerprint: [UInt8]

        /// The store's idempotency for an append whose answer `render` makes from its result.
        func idempotency(_ render: @escaping @Sendable (AppendResult) -> Reply) -> Idempotency {
            Idempotency(key: stored, fingerprint: fingerprint) { render($0).stored() }
        }
    }

    /// Runs `work` under the request's idempotency key. The answer is stored with the events
    /// it describes (one statement), so a retry gets the first answer byte for byte whether
    /// the first attempt finished, is still running (duplicates queue behind it in this
    /// process; in another one the head lock orders them) or lost its connection (nothing
    /// stored, so the retry writes). The same key with another request is refused (422).
    func idempotent(
        _ request: Request, _ context: PledgerRequestContext, body: ByteBuffer,
        _ work: @escaping @Sendable (Key?) async throws -> Reply
    ) async throws -> Response {
        _ = try request.ifMatchVersion()  // a malformed header is refused even on a replay
        guard let header = request.headers[.idempotencyKey] else { return try await work(nil).response }
        guard !header.isEmpty, header.utf8.count <= 200, !header.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw Problem.invalid("Idempotency-Key", "an Idempotency-Key has 1–200 printable characters (a UUID is a good choice)")
        }
        var hashed = Array("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8)
        hashed += Array(body.readableBytesView)
        let key = Key(stored: "http:\(try context.caller()):\(header)", fingerprint: Digest.sha256(hashed))
        return try await handler.withStreamLocks(["idempotency " + key.stored]) {
            if let replay = try await replay(key) { return replay }
            do {
                return try await work(key).response
            } catch  where !StoreError.isTransient(error) {
                // A duplicate in another process may have written first, and our decision
                // failed because of its effect: its answer is the answer.
                if let replay = try await replay(key) { return replay }
                throw error
            }
        }
    }

    private func replay(_ key: Key) async throws -> Response? {
        guard let record = try await store.idempotencyRecord(key.stored) else { return nil }
        guard record.fingerprint == key.fingerprint else { throw Problem.idempotencyKeyReused }
        return Self.replayed(record.result, reply: record.reply).response
    }

    /// The stored answer, marked as a replay; for a key stored without one, an answer made
    /// from the append's result.
    static func replayed(_ result: AppendResult, reply: String?) -> Reply {
        var answer = reply.flatMap { try? Reply(stored: $0) } ?? response(result, target: nil, status: .ok)
        answer.headers[.idempotentReplayed] = "true"
        return answer
    }

    /// Decides and appends one command; 201 for what creates a stream, else 200.
    func run(_ command: LedgerCommand, _ request: Request, _ context: PledgerRequestContext, key: Key?, creates: Bool = false) async throws
        -> Reply
    {
        let caller = try context.caller()
        var meta = JSONObject()
        meta.set("actor", .string(caller.description))
        meta.set("request_id", .string(context.requestID))
        let target = command.target
        let status: HTTPResponse.Status = creates ? .created : .ok
        let idempotency = key?.idempotency { Self.response($0, target: target, status: status) }
        let outcome = try await handler.handle(command, meta: meta, idempotency: idempotency, expectedVersion: try request.ifMatchVersion())
        if outcome.append.replayed { return Self.replayed(outcome.append, reply: outcome.append.reply) }
        return Self.response(outcome.append, target: target, status: status)
    }

    static func response(_ result: AppendResult, target: StreamRef?, status: HTTPResponse.Status) -> Reply {
        var object = JSONObject()
        object.set("position", .integer(result.lastPosition))
        object.set("first_position", .integer(result.firstPosition))
        var headers: HTTPFields = [:]
        if let target {
            let version = result.streamVersions[target.name] ?? 0
            object.set("stream", .string(target.name))
            object.set("version", .integer(Int64(version)))
            headers[.eTag] = "\"\(version)\""
        }
        object.set("recorded_at", .string(result.recordedAt.description))
        if let hash = result.lastHash { object.set("hash", .string(hash)) }
        object.set("event_ids", .array(result.eventIds.map { .string($0.uuidString.lowercased()) }))
        var streams = JSONObject()
        for (stream, version) in result.streamVersions { streams.set(stream, .integer(Int64(version))) }
        object.set("streams", .object(streams))
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

    /// The form kept with an idempotency key: status, headers and body, as canonical JSON.
    func stored() -> String {
        var fields = JSONObject()
        for field in headers { fields.set(field.name.canonicalName, .string(field.value)) }
        var object = JSONObject()
        object.set("status", .integer(Int64(status.code)))
        object.set("headers", .object(fields))
        object.set("body", .string(body))
        return CanonicalJSON.string(.object(object))
    }

    init(stored text: String) throws {
        guard case .object(let object) = try JSONParser.parse(text), case .integer(let code) = object["status"],
            case .string(let body) = object["body"], case .object(let fields) = object["headers"] ?? .object(JSONObject())
        else { throw StoreError.corrupt("a stored idempotent reply is malformed") }
        status = HTTPResponse.Status(code: Int(code))
        self.body = body
        headers = [:]
        for member in fields.members {
            if let name = HTTPField.Name(member.key), case .string(let value) = member.value { headers[name] = value }
        }
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
