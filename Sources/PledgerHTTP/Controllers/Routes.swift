import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

typealias Group = RouterGroup<PledgerRequestContext>

extension Group {
    /// A write route: permission check, strict JSON body, idempotency, decide and append.
    @discardableResult
    func write<Body: Codable & Sendable>(
        _ path: RouterPath, _ body: Body.Type, api: API, creates: Bool = false,
        allow: @escaping @Sendable (Identity, PledgerRequestContext) async throws -> Void,
        command: @escaping @Sendable (Body, PledgerRequestContext) throws -> LedgerCommand
    ) -> Self {
        guard let schema = Contract.requestBody(post: path.description) else {
            preconditionFailure("POST /v1/\(path) has no JSON request body in openapi.json: document it there first")
        }
        return post(path) { request, context -> Response in
            try await allow(try context.caller(), context)
            let (json, bytes) = try await JSONIO.object(request, context: context)
            return try await api.writes.idempotent(request, context, body: bytes) { key in
                let decoded = try JSONIO.decode(Body.self, from: json, schema: schema)
                return try await api.writes.run(try command(decoded, context), request, context, key: key, creates: creates)
            }
        }
    }
}
