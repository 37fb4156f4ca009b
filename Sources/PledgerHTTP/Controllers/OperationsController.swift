import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
struct OperationsController {
    let api: API
    let configuration: ServerConfiguration

    static let openAPIDocument: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            return ByteBuffer(string: "{}")
        }
        return ByteBuffer(bytes: data)
    }()

    func addRoutes(to router: Router<PledgerRequestContext>) {
        router.get("healthz") { _, _ -> Response in
            JSONIO.response(Views.object(["status": .string("ok")]))
        }

        router.get("readyz") { _, _ -> Response in
            var checks = JSONObject()
            var problems: [String] = []
            do {
                let head = try await api.ledger.log.head()
                checks.set("database", .string("ok"))
                let checkpoint = try await Projector.checkpoint(api.ledger.log)
                let lag = head.position - checkpoint
                checks.set("projector_lag", .integer(lag))
                if lag > configuration.maxProjectorLag { problems.append("read models lag the log by \(lag) events") }
                if let folder = configuration.sqlDirectory {
                    let pending = try await Migrator(directory: folder).pending(
                        client: api.ledger.log.client, logger: api.ledger.log.logger)
                    checks.set("migrations_pending", .array(pending.map(JSONValue.string)))
                    if !pending.isEmpty { problems.append("migrations not applied: \(pending.joined(separator: ", "))") }
                }
                if let problem = try await api.ledger.log.writePathProblem() {
                    checks.set("write_path", .string(problem))
                    problems.append("writes would fail: \(problem)")
                } else {
                    checks.set("write_path", .string("ok"))
                }
            } catch {
                checks.set("database", .string("unreachable"))
                checks.set("write_path", .string("not checked: the database is unreachable"))
                problems.append("database unreachable: \(StoreError.wrap(error))")
            }
            if let replica = api.replica {
                // Reported, but not a reason to be unready: reads fall back to the primary.
                checks.set("replica", .string(await replica.isReachable() ? "ok" : "unreachable"))
            }
            if let stuck = api.ledger.log.writerProblem() {
                checks.set("writer", .string(stuck))
                problems.append("writes are not going through: \(stuck)")
            } else {
                checks.set("writer", .string("ok"))
            }
            guard problems.isEmpty else {
                var problem = Problem(.serviceUnavailable, "not-ready", "Not ready", detail: problems.joined(separator: "; "))
                problem.extra = [("checks", .object(checks))]
                problem.headers[.retryAfter] = "5"
                throw problem
            }
            return JSONIO.response(Views.object(["status": .string("ready"), "checks": .object(checks)]))
        }

        router.get("openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.openAPIDocument))
        }

        router.get("metrics") { request, context -> Response in
            try Permission.audit(try await AuthMiddleware.identify(request, tokens: api.ledger.tokens))
            let head = try await api.ledger.log.head()
            let checkpoint = try await Projector.checkpoint(api.ledger.log)
            await api.replica?.sampleLag(primary: api.ledger.log)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: LedgerMetrics.render(headPosition: head.position, checkpoint: checkpoint)))
        }
    }
}
