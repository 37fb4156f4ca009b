import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `POST /v1/banks/{bank_id}/reports`: a bank reports a month of operations at once, as
/// JSON (`{"operations": [...]}`) or CSV (`Content-Type: text/csv`). Every item is checked
/// first, in order, against the ledger plus the items before it; then what is accepted is
/// written in large atomic appends (not one transaction per item). With `atomic=true`
/// (the default) one refused item means nothing is written.
struct BulkReportsController {
    let api: API

    struct Item {
        var index: Int
        var line: Int?
        var op: String
        var contract: String
        var command: LedgerCommand?
        var error: Problem?
        var events = 0
    }

    func addRoutes(to group: Group) {
        group.post("banks/:bank_id/reports") { request, context -> Response in
            let caller = try context.caller()
            let bank = try context.bankId()
            try Permission.operateLoans(of: bank.value, caller)
            let atomic: Bool = try {
                switch request.query.string("atomic") {
                case nil, "true": return true
                case "false": return false
                default: throw Problem.invalid("atomic", "atomic must be true or false")
                }
            }()
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            return try await api.writes.idempotent(request, context, body: body) { key in
                let items = try parse(request, body: body, bank: bank)
                guard !items.isEmpty else { throw Problem.invalid("operations", "the report has no operations") }
                guard items.count <= 10_000 else { throw Problem.invalid("operations", "at most 10,000 operations per report; split it") }
                let targets = items.compactMap { $0.command?.target.name }
                // Queue behind single writes to the same loans instead of racing them.
                return try await api.ledger.commands.withStreamLocks(targets) { [items] in
                    var items = items
                    return try await decideAndWrite(&items, atomic: atomic, key: key, context: context)
                }
            }
        }
    }

    private func parse(_ request: Request, body: ByteBuffer, bank: BankId) throws -> [Item] {
        let type = request.mediaType ?? "application/json"
        if type == "text/csv" {
            let table: CSV.Table
            do {
                table = try CSV.Table(
                    try CSV.parse(body.readableBytesView), required: ["op", "contract_no"],
                    optional: Array(BulkOperation.csvColumns.dropFirst(2)))
            } catch let error as CSV.ParseError {
                throw Problem.badRequest("CSV \(error)")
            }
            return table.rows.enumerated().map { index, row in
                var item = Item(index: index, line: row.line, op: table.value(row, "op"), contract: table.value(row, "contract_no"))
                do { item.command = try BulkOperation.command(try BulkOperation.item(table, row), bank: bank, prefix: "") } catch {
                    item.error = Problem.from(error)
                }
                return item
            }
        }
        guard type == "application/json" else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail: "send application/json or text/csv")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(body.readableBytesView) } catch {
            throw Problem.badRequest("the body is not valid JSON: \(error)")
        }
        guard case .object(let root) = value, root.members.count == 1, case .array(let operations) = root["operations"] ?? .null else {
            throw Problem.invalid("operations", "the body must be {\"operations\": [...]}")
        }
        return operations.enumerated().map { index, operation in
            var item = Item(
                index: index, op: (operation["op"]).flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "",
                contract: (operation["contract_no"]).flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "")
            do { item.command = try BulkOperation.command(operation, bank: bank, prefix: "operations[\(index)].") } catch {
                item.error = Problem.from(error)
            }
            return item
        }
    }

    /// Decides every item against the ledger plus the items before it, then writes what was
    /// accepted in one atomic append (with the report's idempotency key and answer). Another
    /// process writing to the same loans meanwhile makes the append conflict: decide again.
    private func decideAndWrite(_ items: inout [Item], atomic: Bool, key: Writes.Key?, context: PledgerRequestContext) async throws -> Reply
    {
        let caller = try context.caller()
        var meta = JSONObject()
        meta.set("actor", .string(caller.description))
        meta.set("request_id", .string(context.requestID))
        let maxAttempts = api.ledger.commands.maxAttempts
        for attempt in 1...maxAttempts {
            var session = LedgerSession()
            for index in items.indices {
                items[index].events = 0
                guard let command = items[index].command else { continue }
                items[index].error = nil
                try await api.ledger.commands.prepare(&session, for: command)
                do {
                    items[index].events = try session.run(command, at: .now()).count
                } catch let error as DomainError {
                    items[index].error = Problem.domain(error)
                }
            }
            let rejected = items.filter { $0.error != nil }.count
            if atomic && rejected > 0 {
                var problem = Problem(
                    .unprocessableContent, "report-rejected", "Report rejected",
                    detail: "\(rejected) of \(items.count) operations were refused; nothing was written (atomic=true)")
                problem.extra = [("items", .array(items.map(json)))]
                throw problem
            }
            var body = JSONObject()
            body.set("atomic", .bool(atomic))
            body.set("accepted", .integer(Int64(items.count - rejected)))
            body.set("rejected", .integer(Int64(rejected)))
            body.set("events", .integer(Int64(session.recorded.count)))
            body.set("items", .array(items.map(json)))
            let answer: @Sendable (AppendResult?) -> Reply = { [body] result in
                var body = body
                body.set("position", result.map { .integer($0.lastPosition) } ?? .null)
                body.set("hash", result?.lastHash.map(JSONValue.string) ?? .null)
                var headers: HTTPFields = [:]
                if let result { headers[.pledgerPosition] = String(result.lastPosition) }
                return Reply(.object(body), status: .ok, headers: headers)
            }
            do {
                let idempotency = key?.idempotency { answer($0) }
                guard let result = try await api.ledger.batches.append(session.decided, meta: meta, atomic: true, idempotency: idempotency)
                else {
                    return answer(nil)
                }
                return result.replayed ? Writes.replayed(result, reply: result.reply) : answer(result)
            } catch AppendError.wrongExpectedVersion where attempt < maxAttempts {
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
        throw Problem(
            .conflict, "conflict", "Concurrent change", detail: "the loans kept changing while the report was being written; retry")
    }

    private func json(_ item: Item) -> JSONValue {
        var object = JSONObject()
        object.set("index", .integer(Int64(item.index)))
        if let line = item.line { object.set("line", .integer(Int64(line))) }
        object.set("op", .string(item.op))
        object.set("contract_no", .string(item.contract))
        object.set("status", .string(item.error == nil ? "accepted" : "rejected"))
        if let error = item.error {
            var problem = JSONObject()
            problem.set("type", .string(Problem.typeBase + error.slug))
            problem.set("detail", .string(error.detail))
            if let field = error.field { problem.set("field", .string(field)) }
            object.set("error", .object(problem))
        } else {
            object.set("events", .integer(Int64(item.events)))
        }
        return .object(object)
    }
}
