import HTTPTypes
import PledgerStore
import Testing

/// A past view and a page are cancelled when their client leaves, which closes the connection
/// after the answer: every such answer says `Connection: close`, so a client keeping the
/// connection alive opens another for its next request instead of writing into a closed one.
@Suite("HTTP: a past view closes its connection, and says so")
struct PastViewConnectionTests {
    @Test("past views, pages and their problems say Connection: close; current views keep the connection")
    func pastViewsSayClose() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let html: HTTPFields = [.accept: "text/html"]
            for (uri, headers, status) in [
                ("/v1/reports/financing-growth?from=2023&to=2024&as_of=2024-12-31", HTTPFields(), 200),
                ("/v1/reports/fund-exposure?fund_id=LC-IPRC&known_at=2030-01-01T00:00:00Z", HTTPFields(), 200),
                ("/v1/reports/financing-growth?from=2023&to=2024", html, 200),
                ("/v1/reports/fund-exposure?fund_id=NO-SUCH&as_of=2024-12-31", HTTPFields(), 404),
            ] {
                let reply = try await api.send(.get, uri, as: "auditor", headers: headers)
                #expect(reply.status == status, "\(uri): \(reply.text)")
                #expect(reply.headers[.connection] == "close", "\(uri)")
            }
            try await Projector(store: api.store).catchUp()
            for uri in ["/v1/reports/financing-growth?from=2023&to=2024", "/v1/reports/fund-exposure?fund_id=LC-IPRC"] {
                let reply = try await api.send(.get, uri, as: "auditor")
                #expect(reply.status == 200, "\(uri): \(reply.text)")
                #expect(reply.headers[.connection] == nil, "\(uri): a current view is not watched; its connection stays open")
            }
        }
    }
}
