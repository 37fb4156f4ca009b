import HTTPTypes
import Hummingbird
import PledgerStore

/// The request context of every route: Hummingbird's core storage plus who is calling.
public struct PledgerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every `/v1` route.
    public var identity: Identity?
    /// The request's id: the caller's `X-Request-Id` when sane, else a fresh one
    /// (`RequestIDMiddleware`, which also puts it in the logger's metadata as `request_id`).
    /// Use it, not Hummingbird's `id`, which reads metadata the middleware replaces.
    public var requestID: String

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        requestID = RequestIDMiddleware.generate()
    }

    /// Request bodies above 8 MiB (a month's bulk report is far smaller) are refused with 413.
    public var maxUploadSize: Int { 8 * 1024 * 1024 }

    /// The caller; every `/v1` route runs behind `AuthMiddleware`, so it is present.
    func caller() throws -> Identity {
        guard let identity else { throw Problem.unauthorized("this route needs a bearer token") }
        return identity
    }
}
