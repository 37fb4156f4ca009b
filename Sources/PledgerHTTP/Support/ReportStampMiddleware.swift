import Hummingbird
import PledgerStore

/// Starts reading the positions a current report is stamped with as soon as a report request
/// arrives, so the stamp's round trip runs beside the token's lookup instead of after it.
/// Placed before `AuthMiddleware`: a refused caller's stamp is read and dropped (one shared
/// query for every request waiting, whoever they are).
struct ReportStampMiddleware: RouterMiddleware {
    typealias Context = PledgerRequestContext
    let reports: ReportService
    static let stamped = ["/v1/reports/financing-growth", "/v1/reports/fund-exposure"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, Self.stamped.contains(request.uri.path) else { return try await next(request, context) }
        return try await reports.readingStamp { try await next(request, context) }
    }
}
