import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain

/// Answers 405 with `Allow` when a documented resource is asked for with a method it does
/// not support (the ledger never replaces or deletes, so PUT and DELETE never exist), instead
/// of the router's 404. The allowed methods come from the OpenAPI document, the contract
/// the routes are tested against.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path templates split into segments (`nil` for a `{parameter}`) and their methods.
    let resources: [(segments: [String?], methods: Set<String>)]

    init(document: ByteBuffer) {
        var resources: [(segments: [String?], methods: Set<String>)] = []
        if case .object(let root)? = try? JSONParser.parse(document.readableBytesView), case .object(let paths)? = root["paths"] {
            for member in paths.members {
                guard case .object(let operations) = member.value else { continue }
                let segments = member.key.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
                resources.append((segments, Set(operations.members.map { $0.key.uppercased() })))
            }
        }
        self.resources = resources
    }

    func allowed(_ path: String) -> Set<String>? {
        let parts = path.split(separator: "/")
        return resources.first { resource in
            resource.segments.count == parts.count && zip(resource.segments, parts).allSatisfy { $0 == nil || $0! == $1 }
        }?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        if method != "HEAD", let methods = allowed(request.uri.path), !methods.contains(method) {
            var problem = Problem.methodNotAllowed
            problem.headers[.allow] = methods.sorted().joined(separator: ", ")
            throw problem
        }
        return try await next(request, context)
    }
}
