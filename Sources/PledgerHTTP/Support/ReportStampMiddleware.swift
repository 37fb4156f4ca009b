import Hummingbird
import PledgerStore

/// Starts reading the positions a current report is stamped with as soon as a report request
/// arrives, so the stamp's round trip runs beside the token's lookup instead of after it.
/// Placed before `AuthMiddleware`: a refused caller's stamp is read and dropped (one shared
/// query for every request waiting, whoever they are); a request with no token at all reads
/// none. Not installed when reads go to a replica: the primary's stamp would go unused.
///
/// Only for a current view asked without `min_position`: such a request waits for nothing
/// between its arrival and its stamp but its token. One with `min_position` waits for the
/// projector first, and a stamp read before that wait could find an answer kept before the
/// projector reached the caller's write.
struct ReportStampMiddleware: RouterMiddleware {
    typealias Context = PledgerRequestContext
    let reports: ReportService
    static let stamped: Set<String> = ["/v1/reports/financing-growth", "/v1/reports/fund-exposure"]
    static let waitsOrLooksBack = ["min_position", "as_of", "known_at"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, Self.stamped.contains(request.uri.path), request.headers[.authorization] != nil,
            request.headers[.pledgerMinPosition] == nil,
            !Self.waitsOrLooksBack.contains(where: { request.uri.queryParameters.get($0) != nil })
        else { return try await next(request, context) }
        return try await reports.readingStamp { try await next(request, context) }
    }
}
