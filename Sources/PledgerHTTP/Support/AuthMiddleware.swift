import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// Reads `Authorization: Bearer …`, looks the token up by its SHA-256 and sets the caller
/// on the context. Missing, malformed, unknown and revoked tokens all get the same 401.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = PledgerRequestContext
    let tokens: TokenStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let identity = try await Self.identify(request, tokens: tokens)
        try Permission.confineInsurer(identity, request)
        var context = context
        context.identity = identity
        context.logger[metadataKey: "caller"] = "\(identity)"
        return try await next(request, context)
    }
}

extension AuthMiddleware {
    /// The caller named by `Authorization: Bearer <token>`. The scheme is case-insensitive
    /// (RFC 9110 §11.1), so `bearer` and `BEARER` work too.
    static func identify(_ request: Request, tokens: TokenStore) async throws -> Identity {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("send Authorization: Bearer <token> (create one with `pledger tokens create`)")
        }
        // The scheme, spaces, the token (RFC 9110 §11.4: `auth-scheme 1*SP token68`).
        let parts = header.split(separator: " ")
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("send Authorization: Bearer <token> (create one with `pledger tokens create`)")
        }
        guard let identity = try await tokens.identity(for: String(parts[1])) else {
            throw Problem.unauthorized("the token is unknown or revoked")
        }
        return identity
    }
}

/// What each role may do.
enum Permission {
    /// An insurer's token reaches two routes and nothing else: its own policies, and settling
    /// its share of a loss on a loan carrying its policy (each route then checks the insurer
    /// named is the caller). Every other route is refused here, whatever it allows other
    /// roles, so no route written for banks and administrators can leak to an insurer.
    static func confineInsurer(_ identity: Identity, _ request: Request) throws {
        guard identity.role == .insurer else { return }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let allowed: Bool =
            switch (request.method, parts.count) {
            case (.get, 5): parts[1] == "v1" && parts[2] == "insurers" && parts[4] == "policies"
            case (.post, 8):
                parts[1] == "v1" && parts[2] == "banks" && parts[4] == "loans" && parts[6] == "loss-sharing" && parts[7] == "settlements"
            default: false
            }
        guard allowed else {
            throw Problem.forbidden(
                "an insurer's token reads its own policies (GET /v1/insurers/{insurer_id}/policies) and settles its own share of their loans' losses; nothing else (you are \(identity))"
            )
        }
    }

    /// An insurer's token acts only for its own insurer; other roles are checked by the route.
    static func actFor(insurer: InsurerId, _ identity: Identity) throws {
        guard identity.role == .insurer else { return }
        guard identity.insurer == insurer else {
            throw Problem.forbidden("you act for insurer \(identity.insurer.map(\.value) ?? "?"), not \(insurer)")
        }
    }

    /// Fund administration: funds, claim decisions and payouts.
    static func administerFunds(_ identity: Identity) throws {
        guard [.admin, .fundAdmin].contains(identity.role) else {
            throw Problem.forbidden("only fund_admin or admin may do this (you are \(identity))")
        }
    }

    /// Registering banks and other platform set-up.
    static func administerPlatform(_ identity: Identity) throws {
        guard identity.role == .admin else { throw Problem.forbidden("only admin may do this (you are \(identity))") }
    }

    /// Registering borrowers, assets and valuations: banks report them.
    static func reportParties(_ identity: Identity) throws {
        guard identity.role != .auditor else { throw Problem.forbidden("auditors read and never write") }
    }

    /// Operating a bank's loans. Another bank's loans do not exist for the caller (404).
    static func operateLoans(of bank: String, _ identity: Identity) throws {
        try seeLoans(of: bank, identity)
        guard [.admin, .bank].contains(identity.role) else {
            throw Problem.forbidden("loans are reported by their bank (you are \(identity))")
        }
    }

    /// Seeing a bank's loans.
    static func seeLoans(of bank: String, _ identity: Identity) throws {
        if identity.role == .bank, identity.bank?.value != bank {
            throw Problem.notFound("no such loan")
        }
    }

    /// The raw event feed and metrics.
    static func audit(_ identity: Identity) throws {
        guard [.admin, .fundAdmin, .auditor].contains(identity.role) else {
            throw Problem.forbidden("the event feed is for auditors, fund administrators and admins")
        }
    }
}
