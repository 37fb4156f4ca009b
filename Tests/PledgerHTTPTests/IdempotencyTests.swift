import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import Testing

/// One idempotency mechanism: a retry with the same `Idempotency-Key` gets the first answer,
/// byte for byte, however the first attempt went; the key covers only what the client sent.
@Suite("HTTP: idempotent retries")
struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let repayment = #"{"principal_fen":1000000,"interest_fen":5000,"paid_on":"2024-04-01"}"#

    @Test("20 concurrent requests with one key: one write, twenty identical answers")
    func concurrentDuplicates() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let head = try await api.store.head().position
            let uri = "/v1/banks/LCRCB/loans/LC-2024-0001/repayments"
            let replies = try await withThrowingTaskGroup(of: APIHarness.Reply.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await api.send(.post, uri, as: "bank:LCRCB", json: Self.repayment, headers: [Self.key: "retry-storm"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(replies.map(\.status)) == [200], "\(Set(replies.map { "\($0.status) \($0.text.prefix(80))" }))")
            #expect(Set(replies.map(\.text)).count == 1, "byte-identical bodies")
            #expect(replies.filter { $0.headers[HTTPField.Name("Idempotent-Replayed")!] == "true" }.count == 19)
            #expect(try await api.store.head().position == head + 1, "exactly one event written")
        }
    }

    @Test("the key covers method, route and body only: a retry with another If-Match or at another time is still the same request")
    func fingerprintIsWhatTheClientSent() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let uri = "/v1/banks/LCRCB/loans/LC-2024-0001/repayments"
            let first = try await api.send(
                .post, uri, as: "bank:LCRCB", json: Self.repayment, headers: [Self.key: "k1", .ifMatch: "\"1\""])
            api.expectOK(first)
            // The retry's If-Match is now stale, and the server would pick another request id:
            // neither makes it a different request.
            let retry = try await api.send(
                .post, uri, as: "bank:LCRCB", json: Self.repayment, headers: [Self.key: "k1", .ifMatch: "\"1\""])
            #expect(retry.status == first.status && retry.text == first.text)
            #expect(retry.headers[.eTag] == first.headers[.eTag])
            // Another route with the same key is another request.
            let elsewhere = try await api.send(
                .post, "/v1/banks/LCRCB/loans/LC-2024-0001/default", as: "bank:LCRCB",
                json: #"{"defaulted_on":"2024-05-01","missed_due_on":"2024-04-01","classification":"substandard"}"#,
                headers: [Self.key: "k1"])
            #expect(elsewhere.status == 422 && elsewhere.problem == "idempotency-key-reused")
            // Keys are per caller: another bank's identical key is its own.
            #expect(
                try await api.send(.post, "/v1/banks/B2/loans/X/repayments", as: "bank:B2", json: Self.repayment, headers: [Self.key: "k1"])
                    .status == 404)
        }
    }

    @Test("a refused request stores nothing: once the cause is fixed, the same key writes")
    func refusalIsNotStored() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let uri = "/v1/banks/LCRCB/loans/LC-2024-0001/repayments"
            let early = try await api.send(.post, uri, as: "bank:LCRCB", json: Self.repayment, headers: [Self.key: "k2"])
            #expect(early.status == 404)
            api.expectOK(try await api.originate())
            api.expectOK(try await api.send(.post, uri, as: "bank:LCRCB", json: Self.repayment, headers: [Self.key: "k2"]))
        }
    }

    @Test("bulk reports: a retried report is answered from the store, and concurrent single writes do not make it fail")
    func bulkReports() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let report = BulkReportTests.operations(200)
            let uri = "/v1/banks/LCRCB/reports?atomic=true"
            let (bulk, singles) = try await withThrowingTaskGroup(of: (APIHarness.Reply?, [Int]).self) { group in
                group.addTask { (try await api.send(.post, uri, as: "bank:LCRCB", json: report, headers: [Self.key: "month-1"]), []) }
                group.addTask {
                    var statuses: [Int] = []
                    for _ in 0..<30 {
                        statuses.append(
                            try await api.send(
                                .post, "/v1/banks/LCRCB/loans/LC-2024-0001/repayments", as: "bank:LCRCB",
                                json: #"{"principal_fen":0,"interest_fen":1,"paid_on":"2024-04-02"}"#
                            ).status)
                    }
                    return (nil, statuses)
                }
                var bulk: APIHarness.Reply?
                var singles: [Int] = []
                for try await (reply, statuses) in group {
                    if let reply { bulk = reply }
                    singles += statuses
                }
                return (bulk!, singles)
            }
            #expect(bulk.status == 200, "\(bulk.text.prefix(300))")
            #expect(Set(singles) == [200])
            let head = try await api.store.head().position
            let retry = try await api.send(.post, uri, as: "bank:LCRCB", json: report, headers: [Self.key: "month-1"])
            #expect(retry.status == 200 && retry.text == bulk.text)
            #expect(try await api.store.head().position == head)
        }
    }
}
