import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PledgerDomain
import PledgerStore

/// An RFC 9457 `application/problem+json` error. `type` is stable per class of error so
/// clients can branch on it; `field` names the offending input where there is one.
public struct Problem: Error, HTTPResponseError, Sendable {
    public static let typeBase = "https://pledger.dev/problems/"

    public let status: HTTPResponse.Status
    /// The slug after `typeBase`, e.g. `limit-exceeded`.
    public let slug: String
    public let title: String
    public let detail: String
    public var field: String?
    public var headers: HTTPFields = [:]
    /// Extra members (e.g. per-item results of a bulk report).
    public var extra: [(String, JSONValue)] = []

    public init(_ status: HTTPResponse.Status, _ slug: String, _ title: String, detail: String, field: String? = nil) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.field = field
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.set("type", .string(Self.typeBase + slug))
        object.set("title", .string(title))
        object.set("status", .integer(Int64(status.code)))
        object.set("detail", .string(detail))
        if let field { object.set("field", .string(field)) }
        for (key, value) in extra { object.set(key, value) }
        return .object(object)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        var object = JSONObject()
        if case .object(let body) = json { object = body }
        object.set("instance", .string(request.uri.path))
        // The id `RequestIDMiddleware` gave the request, so a caller can quote it to support.
        if case .string(let id)? = context.logger[metadataKey: "request_id"] { object.set("request_id", .string(id)) }
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: CanonicalJSON.string(.object(object)))))
    }

    static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, "unauthorized", "Authentication required", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"pledger\""
        return problem
    }

    static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, "forbidden", "Not allowed for this role", detail: detail) }
    static func notFound(_ detail: String) -> Problem { Problem(.notFound, "not-found", "Not found", detail: detail) }
    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(.badRequest, "bad-request", "Malformed request", detail: detail, field: field)
    }
    static func invalid(_ field: String, _ detail: String) -> Problem {
        Problem(.unprocessableContent, "invalid-value", "Invalid value", detail: detail, field: field)
    }

    /// Domain refusals: the class decides the status and type.
    static func domain(_ error: DomainError) -> Problem {
        let (status, title): (HTTPResponse.Status, String) =
            switch error.code {
            case .invalidValue: (.unprocessableContent, "Invalid value")
            case .notFound: (.notFound, "Not found")
            case .duplicate: (.conflict, "Already exists or already done")
            case .invalidState: (.conflict, "Not possible in the current state")
            case .limitExceeded: (.unprocessableContent, "Limit exceeded")
            case .dateOrder: (.unprocessableContent, "Dates out of order")
            case .policyViolation: (.unprocessableContent, "Fund policy forbids it")
            }
        return Problem(status, error.code.rawValue, title, detail: error.message, field: error.field)
    }

    /// Maps anything thrown by a route to a problem. Pure: `ProblemMiddleware` logs what
    /// deserves a log line, once. A database fault (dropped connection, restart, lock or
    /// statement timeout) is the server's temporary condition: 503 with Retry-After, never
    /// 500. Unknown errors become a 500 that says nothing about internals.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as DomainError:
            return domain(error)
        case let error as CommandHandler.PreconditionFailed:
            var problem = Problem(
                .preconditionFailed, "precondition-failed", "Version mismatch",
                detail: "\(error.stream) is at version \(error.actual), If-Match asked for \(error.expected); reload and retry")
            problem.headers[.eTag] = "\"\(error.actual)\""
            return problem
        case AppendError.wrongExpectedVersion(let stream, _, let actual):
            return Problem(
                .conflict, "conflict", "Concurrent change", detail: "\(stream) changed concurrently (now at version \(actual)); retry")
        case AppendError.idempotencyConflict:
            return idempotencyKeyReused
        case AppendError.invalid(let reason):
            return Problem(.unprocessableContent, "invalid-value", "Invalid value", detail: reason)
        case is EventDecodingError:
            return Problem(
                .internalServerError, "internal", "Internal error", detail: "a stored event could not be read; see the server log")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return notFound("no such route")
            case .methodNotAllowed: return methodNotAllowed
            default: return Problem(error.status, "bad-request", "Malformed request", detail: error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return Problem(
                .contentTooLarge, "too-large", "Request body too large", detail: "the body exceeds 8 MiB; split it into smaller requests")
        case StoreError.commitOutcomeUnknown:
            return unavailable(
                "commit-outcome-unknown", "Outcome unknown",
                "the database connection failed while committing; retry with the same Idempotency-Key to learn the outcome without writing twice"
            )
        case StoreError.shutDown, is CancellationError:
            // Cancellation reaches a request only when the server stops (or its client left).
            return unavailable("unavailable", "Shutting down", "the server is shutting down; retry shortly with the same Idempotency-Key")
        case let error where StoreError.isTransient(error):
            return unavailable(
                "unavailable", "Temporarily unavailable",
                "the database is unavailable or busy (\(StoreError.wrap(error))); nothing was written by this attempt as far as the server knows — retry shortly with the same Idempotency-Key"
            )
        default:
            return Problem(
                .internalServerError, "internal", "Internal error", detail: "the server could not complete the request; see the server log")
        }
    }

    static let idempotencyKeyReused = Problem(
        .unprocessableContent, "idempotency-key-reused", "Idempotency key reused",
        detail:
            "this Idempotency-Key was already used for a different request (another method, route or body); use a new key for a new request",
        field: "Idempotency-Key")

    static let methodNotAllowed = Problem(
        .methodNotAllowed, "method-not-allowed", "Method not allowed",
        detail:
            "this resource does not accept that method; the ledger is append-only, so resources are never replaced or deleted — post a correcting entry instead"
    )

    /// 503 with Retry-After: the request may succeed if sent again shortly.
    static func unavailable(_ slug: String, _ title: String, _ detail: String) -> Problem {
        var problem = Problem(.serviceUnavailable, slug, title, detail: detail)
        problem.headers[.retryAfter] = "1"
        return problem
    }
}

/// Turns every error into problem+json, so no route can answer with an empty 500.
/// The one place an error is logged: unexpected ones (500) as errors with their detail,
/// database faults (503) as warnings.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(StoreError.wrap(error))"])
            } else if problem.status == .serviceUnavailable {
                context.logger.warning("request not served: \(problem.slug)", metadata: ["error": "\(StoreError.wrap(error))"])
            }
            return try problem.response(from: request, context: context)
        }
    }
}
