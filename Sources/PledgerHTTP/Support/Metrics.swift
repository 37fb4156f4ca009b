import Foundation
import Synchronization

/// Prometheus counters and histograms for `/metrics`, kept in memory. Small on purpose:
/// requests by route and status, request latency, and the gauges the server samples.
public final class Metrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct State {
        var requests: [String: Int] = [:]
        var latency: [String: (buckets: [Int], sum: Double, count: Int)] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func record(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests["route=\"\(route)\",method=\"\(method)\",status=\"\(status)\"", default: 0] += 1
            var histogram = state.latency[route] ?? (Array(repeating: 0, count: Self.latencyBuckets.count), 0, 0)
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { histogram.buckets[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[route] = histogram
        }
    }

    /// The text exposition format, with extra gauges sampled by the caller.
    func render(gauges: [(name: String, help: String, value: Double)], batches: (transactions: Int, requests: Int, largest: Int)) -> String {
        var out: [String] = []
        state.withLock { state in
            out.append("# HELP pledger_http_requests_total HTTP requests by route, method and status.")
            out.append("# TYPE pledger_http_requests_total counter")
            for key in state.requests.keys.sorted() { out.append("pledger_http_requests_total{\(key)} \(state.requests[key]!)") }
            out.append("# HELP pledger_http_request_duration_seconds Request latency by route.")
            out.append("# TYPE pledger_http_request_duration_seconds histogram")
            for route in state.latency.keys.sorted() {
                let h = state.latency[route]!
                for (index, bound) in Self.latencyBuckets.enumerated() {
                    out.append("pledger_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(h.buckets[index])")
                }
                out.append("pledger_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(h.count)")
                out.append("pledger_http_request_duration_seconds_sum{route=\"\(route)\"} \(h.sum)")
                out.append("pledger_http_request_duration_seconds_count{route=\"\(route)\"} \(h.count)")
            }
        }
        out.append("# HELP pledger_append_transactions_total Group-commit transactions written by this process.")
        out.append("# TYPE pledger_append_transactions_total counter")
        out.append("pledger_append_transactions_total \(batches.transactions)")
        out.append("# HELP pledger_append_requests_total Append requests carried by those transactions.")
        out.append("# TYPE pledger_append_requests_total counter")
        out.append("pledger_append_requests_total \(batches.requests)")
        out.append("# HELP pledger_append_largest_batch Most append requests in one transaction.")
        out.append("# TYPE pledger_append_largest_batch gauge")
        out.append("pledger_append_largest_batch \(batches.largest)")
        for gauge in gauges {
            out.append("# HELP \(gauge.name) \(gauge.help)")
            out.append("# TYPE \(gauge.name) gauge")
            out.append("\(gauge.name) \(gauge.value)")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
