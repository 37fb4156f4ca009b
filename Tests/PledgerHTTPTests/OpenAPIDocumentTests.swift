import Foundation
import HTTPTypes
import PledgerDomain
import Testing

@Suite("HTTP: the OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("is served, and every operation it documents is a route the server has")
    func documentedRoutesExist() async throws {
        try await APIHarness.run { api in
            let document = try await api.send(.get, "/openapi.json", as: nil)
            #expect(document.string("openapi") == "3.1.0")
            guard case .object(let paths) = document.json["paths"] ?? .null else {
                Issue.record("no paths")
                return
            }
            #expect(paths.members.count >= 35)
            for path in paths.members {
                guard case .object(let operations) = path.value else { continue }
                let uri = path.key
                    .replacingOccurrences(of: "{recovery_no}", with: "1")
                    .replacingOccurrences(of: "{uscc}", with: "91512081MA62K0260E")
                    .replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "X1", options: .regularExpression)
                for operation in operations.members {
                    let method: HTTPRequest.Method = operation.key == "post" ? .post : .get
                    let reply = try await api.send(method, uri, json: method == .post ? "{}" : nil)
                    #expect(
                        !(reply.status == 404 && reply.string("detail") == "no such route"),
                        "\(operation.key) \(path.key) is documented but not served")
                    #expect(reply.status < 500, "\(operation.key) \(path.key): \(reply.text)")
                }
            }
        }
    }
}
