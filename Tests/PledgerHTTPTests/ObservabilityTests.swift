import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PledgerDomain
import PledgerHTTP
import PledgerStore
import PledgerTestSupport
import PostgresNIO
import Synchronization
import Testing

/// Lines a `LogLineHandler` wrote, kept for a test to read.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var logger: Logger {
        var logger = Logger(label: "pledger.test") { [self] label in
            LogLineHandler(label: label, output: { line in self.lines.withLock { $0.append(line) } })
        }
        // Everything, so that a secret logged at any level would show.
        logger.logLevel = .trace
        return logger
    }
    /// Every line parsed as JSON (a line that does not parse fails the test).
    func objects(sourceLocation: SourceLocation = #_sourceLocation) -> [JSONValue] {
        all.compactMap { line in
            #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"), "one line per entry: \(line)", sourceLocation: sourceLocation)
            let value = try? JSONParser.parse(line)
            #expect(value != nil, "not JSON: \(line)", sourceLocation: sourceLocation)
            return value
        }
    }
}

@Suite("HTTP: request ids, JSON request logs, /readyz's write path, the Grafana dashboard")
struct ObservabilityTests {
    @Test("every answer has an X-Request-Id: a sane one sent is kept, anything else replaced; problem bodies quote it")
    func requestIDs() async throws {
        try await APIHarness.run { api in
            let fresh = try await api.send(.get, "/healthz", as: nil)
            let generated = try #require(fresh.headers[HTTPField.Name("X-Request-Id")!])
            #expect(generated.count == 32 && generated.allSatisfy(\.isHexDigit))
            let again = try await api.send(.get, "/healthz", as: nil)
            #expect(again.headers[HTTPField.Name("X-Request-Id")!] != generated)

            let sent = "lb-7f3a:2026.11.30_01"
            let kept = try await api.send(.get, "/v1/funds/NO-SUCH-FUND", headers: [HTTPField.Name("X-Request-Id")!: sent])
            #expect(kept.status == 404)
            #expect(kept.headers[HTTPField.Name("X-Request-Id")!] == sent)
            #expect(kept.string("request_id") == sent, "the problem body quotes the id: \(kept.text)")

            for insane in [String(repeating: "a", count: 129), "has space", "quote\"inside", "ünïcode", "a/b"] {
                let replaced = try await api.send(.get, "/healthz", as: nil, headers: [HTTPField.Name("X-Request-Id")!: insane])
                let id = try #require(replaced.headers[HTTPField.Name("X-Request-Id")!])
                #expect(id != insane && id.count == 32, "\(insane) → \(id)")
            }
            // A 404 for no route and a 405 get one too (the middleware is outermost).
            let noRoute = try await api.send(.get, "/nowhere", as: nil)
            #expect(noRoute.status == 404 && noRoute.string("request_id") == noRoute.headers[HTTPField.Name("X-Request-Id")!])
        }
    }

    @Test("JSON logs: one object per request with its request_id, method, path, status; no bearer token anywhere")
    func requestLogs() async throws {
        let lines = LogLines()
        try await APIHarness.run(logger: lines.logger) { api in
            try await api.seedDistrict()
            let written = try await api.originate(headers: [HTTPField.Name("X-Request-Id")!: "bank-req-0001"])
            api.expectOK(written)
            _ = try await api.send(
                .get, "/v1/banks/LCRCB/loans/NO-SUCH", as: "bank:LCRCB", headers: [HTTPField.Name("X-Request-Id")!: "bank-req-0002"])
            let objects = lines.objects()
            let served = objects.filter { $0["message"] == .string("request served") }
            let first = try #require(served.first { $0["request_id"] == .string("bank-req-0001") }, "\(lines.all.suffix(5))")
            #expect(first["method"] == .string("POST"))
            #expect(first["path"] == .string("/v1/banks/LCRCB/loans"))
            #expect(first["status"] == .string("201"))
            #expect(first["level"] == .string("info"))
            if case .string(let time)? = first["time"] {
                #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(time)")
            } else {
                Issue.record("no time in \(first)")
            }
            let second = try #require(served.first { $0["request_id"] == .string("bank-req-0002") })
            #expect(second["status"] == .string("404"))
            #expect(served.allSatisfy { $0["request_id"] != nil } && served.allSatisfy { $0["hb.request.id"] == nil })
            let everything = lines.all.joined()
            for secret in api.tokens.values { #expect(!everything.contains(secret), "a bearer token was logged") }
        }
    }

    @Test("/readyz: write_path ok on a healthy database; 503 not-ready while another transaction holds the ledger head")
    func readyWritePath() async throws {
        try await APIHarness.run { api in
            let ready = try await api.send(.get, "/readyz", as: nil)
            #expect(ready.status == 200, "\(ready.text)")
            #expect(ready["checks"]?["write_path"] == .string("ok"))
            let head = try await api.store.head().position
            try await TestDatabase.asSuperuser(api.url) { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                _ = try await connection.query("SELECT position FROM ledger_head FOR UPDATE", logger: TestDatabase.logger).collect()
                let started = ContinuousClock.now
                let blocked = try await api.send(.get, "/readyz", as: nil)
                // The session here has no lock timeout: a check without its own 1 s wait would
                // hang until the 60 s operation deadline. A loaded 2-core machine has been seen
                // to add 3 s to the 1 s, so the bound sits between the two.
                #expect(ContinuousClock.now - started < .seconds(20), "the check waits about 1 s, not the session's lock timeout")
                #expect(blocked.status == 503, "\(blocked.text)")
                #expect(blocked.problem == "not-ready")
                #expect(blocked.headers[.retryAfter] != nil)
                if case .string(let reason)? = blocked["checks"]?["write_path"] {
                    #expect(reason.contains("ledger head is locked"), "\(reason)")
                } else {
                    Issue.record("no write_path check: \(blocked.text)")
                }
                #expect(blocked.string("detail")?.contains("writes would fail") == true)
                try await connection.query("ROLLBACK", logger: TestDatabase.logger)
            }
            #expect(try await api.send(.get, "/readyz", as: nil).status == 200)
            // The check wrote nothing: the head is where the harness left it.
            #expect(try await api.store.head().position == head)
        }
    }

    @Test("/readyz: 503 not-ready when the database is read-only (default_transaction_read_only)")
    func readyReadOnly() async throws {
        try await TestDatabase.withDatabase { url in
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "ALTER DATABASE \(url.database) SET default_transaction_read_only = on"),
                    logger: TestDatabase.logger)
            }
            try await LedgerRuntime.with(url, logger: TestDatabase.logger) { ledger in
                let router = PledgerServer.router(ledger: ledger, configuration: ServerConfiguration(database: url))
                try await Application(router: router).test(.router) { client in
                    let response = try await client.execute(uri: "/readyz", method: .get)
                    let body = try JSONParser.parse(String(buffer: response.body))
                    #expect(response.status == .serviceUnavailable, "\(body)")
                    #expect(body["type"] == .string(Problem.typeBase + "not-ready"))
                    #expect(body["checks"]?["database"] == .string("ok"))
                    if case .string(let reason)? = body["checks"]?["write_path"] {
                        #expect(reason.contains("read-only"), "\(reason)")
                    } else {
                        Issue.record("no write_path check: \(body)")
                    }
                }
            }
        }
    }

    @Test("the Grafana dashboard parses, and every metric its queries use is one /metrics exports")
    func dashboard() async throws {
        let file = TestDatabase.repositoryRoot.appendingPathComponent("deploy/grafana/pledger-dashboard.json")
        let dashboard = try JSONParser.parse(try String(contentsOf: file, encoding: .utf8))
        #expect(dashboard["schemaVersion"] == .integer(39))
        if case .array(let inputs)? = dashboard["__inputs"] {
            #expect(inputs.first?["name"] == .string("DS_PROMETHEUS"))
        } else {
            Issue.record("no __inputs")
        }
        var expressions: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                for member in object.members {
                    if member.key == "expr", case .string(let expr) = member.value {
                        expressions.append(expr)
                    } else {
                        collect(member.value)
                    }
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(dashboard)
        #expect(expressions.count >= 10)
        let used = Set(
            expressions.flatMap { expr in
                expr.matches(of: /pledger_[a-z0-9_]+/).map { String($0.output) }
            })
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            try await Projector(store: api.store).catchUp()
            api.expectOK(try await api.send(.get, "/v1/reports/financing-growth?from=2023&to=2024", as: "auditor"))
            let text = try await api.send(.get, "/metrics", as: "auditor").text
            let exported = Set(
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                    line.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
                })
            // Exported only by a server with a read replica.
            let replica: Set = ["pledger_replica_lag_seconds", "pledger_replica_lag_events"]
            for name in used.subtracting(replica).sorted() {
                #expect(exported.contains(name), "the dashboard queries \(name), which /metrics does not export")
            }
        }
    }
}
