import HTTPTypes
import Hummingbird
import PledgerStore

/// The request context of every route: Hummingbird's core storage plus who is calling.
public struct PledgerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every `/v1` route.
    public var identity: Identity?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// Request bodies above 8 MiB (a month's bulk report is far smaller) are refused with 413.
    public var maxUploadSize: Int { 8 * 1024 * 1024 }

    /// The caller; every `/v1` route runs behind `AuthMiddleware`, so it is present.
    func caller() throws -> Identity {
        guard let identity else { throw Problem.unauthorized("this route needs a bearer token") }
        return identity
    }
}
