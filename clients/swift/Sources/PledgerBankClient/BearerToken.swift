import Foundation
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession

/// Sends `Authorization: Bearer <token>` on every request. The document declares the
/// `bearer` scheme, but swift-openapi-generator leaves authentication to a middleware.
public struct BearerToken: ClientMiddleware {
    let token: String

    public init(_ token: String) { self.token = token }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

extension Client {
    /// A client of the Pledger server at `serverURL`, authenticated with a token from
    /// `pledger tokens create`, over URLSession.
    public init(serverURL: URL, token: String) {
        self.init(serverURL: serverURL, transport: URLSessionTransport(), middlewares: [BearerToken(token)])
    }
}
