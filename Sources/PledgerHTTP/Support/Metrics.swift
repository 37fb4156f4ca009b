import Metrics
import NIOCore
import Prometheus

/// The process's metrics for `/metrics`: Hummingbird's request metrics and the ledger's own
/// (appends, group commits, projector batches, reports, sampled heads), all through
/// swift-metrics into one Prometheus registry. docs/operations.md ("Watching") lists them.
/// swift-metrics has one factory per process, so the registry is bootstrapped once, on first
/// use; every server in the process (tests run several) reports into it.
public enum LedgerMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = prometheusNames
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        // A group commit or a projector page holds up to 50,000 / 5,000 events.
        let events: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 50_000]
        factory.valueHistogramBuckets = ["pledger_group_commit_batch_events": events, "pledger_projector_batch_events": events]
        // A past view folds the whole log and may take up to the report deadline (30 s).
        factory.durationHistogramBuckets = [
            "pledger_report_duration_seconds": [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(30),
            ]
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the registry is the process's factory before any metric is created.
    static func bootstrap() { _ = registry }

    /// The text exposition format, after sampling what is read rather than counted.
    static func render(headPosition: Int64, checkpoint: Int64) -> ByteBuffer {
        Gauge(label: "pledger_ledger_head_position").record(headPosition)
        Gauge(label: "pledger_projector_checkpoint").record(checkpoint)
        Gauge(label: "pledger_projector_lag_events").record(headPosition - checkpoint)
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }

    /// Hummingbird names its metrics after OpenTelemetry (`hb.requests`, `http.route`);
    /// Prometheus wants snake case with units. The names an operator sees are these.
    static let names = [
        "hb.requests": "pledger_http_requests_total",
        "hb.request.errors": "pledger_http_request_errors_total",
        "http.server.request.duration": "pledger_http_request_duration_seconds",
        "http.server.active_requests": "pledger_http_active_requests",
    ]
    static let labels = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status",
    ]

    @Sendable static func prometheusNames(_ name: String, _ dimensions: [(String, String)]) -> (String, [(String, String)]) {
        // Asked on every request for every metric it counts: names of ASCII letters, digits
        // and underscores come out as they went in, so they skip looking up each character's
        // Unicode properties.
        func snake(_ text: String) -> String {
            let plain = text.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f || ($0 >= 0x41 && $0 <= 0x5a)
            }
            return plain ? text : String(text.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }
        return (names[name] ?? snake(name), dimensions.map { (labels[$0.0] ?? snake($0.0), $0.1) })
    }
}
