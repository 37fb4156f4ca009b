import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Gives every request an id a bank can quote and an operator can grep for: the caller's
/// `X-Request-Id` when it is sane (1–128 characters of letters, digits and `._:-`), so a
/// proxy's or a client's id carries through; else a fresh random one. The id is the
/// `request_id` of every log entry made for the request, the `X-Request-Id` of the answer
/// and the `request_id` of a problem+json body. Outermost, so even a 404 or 405 has one.
///
/// Hummingbird's own per-request id (`hb.request.id`, a counter) is replaced, so one id
/// names the request everywhere, including the `request_id` in the meta of the events it
/// writes; read it as `PledgerRequestContext.requestID` (Hummingbird's `id` expects the old key).
/// Also logs each answer once, at info: method, path, status and milliseconds.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = PledgerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.accepted(request.headers[.requestID]) ?? Self.generate()
        var context = context
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request_id"] = .string(id)
        context.requestID = id
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = id
        let elapsed = ContinuousClock.now - started
        context.logger.info(
            "request served",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible(
                    elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            ])
        return response
    }

    /// The caller's id if it is short and plain enough to put in a log line and a header.
    static func accepted(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let safe = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
        }
        return safe ? value : nil
    }

    /// 128 random bits as 32 hex digits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
