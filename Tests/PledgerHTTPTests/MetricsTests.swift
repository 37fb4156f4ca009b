import Foundation
import Testing

@Suite("HTTP: /metrics")
struct MetricsTests {
    @Test("Prometheus text: requests by route and status, request latency, group commits, the ledger head and projector lag")
    func exposition() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            _ = try await api.send(.get, "/v1/banks/LCRCB/loans/NO-SUCH-LOAN", as: "bank:LCRCB")
            let reply = try await api.send(.get, "/metrics", as: "auditor")
            #expect(reply.status == 200)
            let text = reply.text
            for line in [
                #"pledger_http_requests_total{route="/v1/banks/{bank_id}/loans",method="POST",status="201"}"#,
                #"pledger_http_requests_total{route="/v1/banks/{bank_id}/loans/{contract_no}",method="GET",status="404"}"#,
                "# TYPE pledger_http_request_duration_seconds histogram",
                "# TYPE pledger_append_transactions_total counter",
                "# TYPE pledger_append_batch_size histogram",
                "pledger_ledger_head_position ",
                "pledger_projector_lag_events ",
            ] {
                #expect(text.contains(line), "missing \(line) in:\n\(text.prefix(3000))")
            }
            #expect(!text.contains("hb_requests") && !text.contains("http.route"), "Hummingbird's names are mapped to Prometheus ones")
        }
    }
}
