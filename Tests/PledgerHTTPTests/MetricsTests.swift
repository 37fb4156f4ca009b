import Foundation
import PledgerDomain
import PledgerStore
import Testing

@testable import PledgerHTTP

@Suite("HTTP: /metrics")
struct MetricsTests {
    @Test("names and label keys become Prometheus snake case; names already in it are kept as they are")
    func snakeCase() {
        let (name, labels) = LedgerMetrics.prometheusNames(
            "report.duration-ms", [("http.route", "/v1/x"), ("report", "growth"), ("Bank Id", "b"), ("区.域", "r")])
        #expect(name == "report_duration_ms")
        #expect(labels.map(\.0) == ["route", "report", "Bank_Id", "区_域"])
        #expect(labels.map(\.1) == ["/v1/x", "growth", "b", "r"])
        #expect(LedgerMetrics.prometheusNames("hb.requests", []).0 == "pledger_http_requests_total")
        #expect(LedgerMetrics.prometheusNames("pledger_report_duration_seconds", []).0 == "pledger_report_duration_seconds")
    }

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

    @Test("append latency, group-commit sizes, projector batches and report latency after real appends and reports")
    func ledgerSeries() async throws {
        try await APIHarness.run { api in
            let seeded = try await api.seedDistrict()
            api.expectOK(try await api.originate())
            try await Projector(store: api.store).catchUp()
            api.expectOK(try await api.send(.get, "/v1/reports/financing-growth?from=2023&to=2024", as: "auditor"))
            api.expectOK(try await api.send(.get, "/v1/reports/financing-growth?from=2023&to=2024&as_of=2024-06-30", as: "auditor"))
            api.expectOK(try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC", as: "fund_admin"))
            // The writer refuses a version conflict: timed as refused, not as ok (last: the
            // projector and the past views know no event type "Tested").
            let conflict = AppendRequest(
                stream: "metrics-conflict", expected: .noStream, events: [try NewEvent(type: "Tested", canonicalData: "{}")])
            try await api.store.append(conflict)
            await #expect(throws: AppendError.self) { try await api.store.append(conflict) }
            let metrics = try await api.send(.get, "/metrics", as: "auditor")
            let text = metrics.text
            func value(_ series: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double {
                let number = metrics.metric(series)
                #expect(number != nil, "no \(series) in:\n\(text.prefix(4000))", sourceLocation: sourceLocation)
                return number ?? -1
            }
            // The registry is the process's, shared with tests running meanwhile: at least ours.
            let appends = value(#"pledger_append_duration_seconds_count{outcome="ok"}"#)
            #expect(appends >= 12, "every acknowledged append is timed (the seeding made 11, the loan 1)")
            let seconds = value(#"pledger_append_duration_seconds_sum{outcome="ok"}"#)
            #expect(seconds > 0 && seconds / appends < 5, "a plausible mean append latency: \(seconds / appends) s")
            #expect(text.contains(#"pledger_append_duration_seconds_bucket{outcome="ok",le="0.005"}"#))
            #expect(value(#"pledger_append_duration_seconds_count{outcome="refused"}"#) >= 1)

            let commits = value("pledger_group_commit_batch_events_count")
            let events = value("pledger_group_commit_batch_events_sum")
            #expect(commits >= 1 && events >= Double(seeded), "events per commit: \(events) in \(commits)")
            #expect(
                text.contains(#"pledger_group_commit_batch_events_bucket{le="50000.0"}"#)
                    || text.contains(#"pledger_group_commit_batch_events_bucket{le="50000"}"#))
            // Every commit is timed. Another test's commit may be between its two records (its
            // size, then its time) as /metrics is read: a few of those are allowed for.
            #expect(value("pledger_group_commit_duration_seconds_count") >= commits - 8)

            #expect(value("pledger_projector_batch_events_sum") >= Double(seeded))
            #expect(value("pledger_projector_batch_duration_seconds_count") >= 1)

            for (report, view) in [("growth", "current"), ("growth", "past"), ("exposure", "current")] {
                let labels = #"{report="\#(report)",view="\#(view)"}"#
                let count = value("pledger_report_duration_seconds_count" + labels)
                #expect(count >= 1)
                // Summed over every test's reports in the process: their mean is what is plausible.
                let sum = value("pledger_report_duration_seconds_sum" + labels)
                #expect(sum > 0 && sum / count < 30, "\(report) \(view): \(sum) s in \(count)")
            }
            #expect(
                text.contains(#"pledger_report_duration_seconds_bucket{report="growth",view="past",le="30.0"}"#)
                    || text.contains(#"le="30""#))
        }
    }
}
