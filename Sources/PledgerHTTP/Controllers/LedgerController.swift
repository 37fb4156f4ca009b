import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/ledger/head`, `/v1/ledger/checkpoints` and `/v1/events`: what auditors and banks
/// verify and keep.
struct LedgerController {
    let api: API

    func addRoutes(to group: Group) {
        group.get("ledger/head") { _, context -> Response in
            _ = try context.caller()
            let head = try await api.ledger.log.head()
            return JSONIO.response(
                Views.object([
                    "position": .integer(head.position), "hash": .string(head.hash.hex),
                    "recorded_at": head.recordedAt.map { .string($0.description) } ?? .null,
                ]))
        }

        group.get("ledger/checkpoints") { request, context -> Response in
            _ = try context.caller()
            let limit = try request.query.int("limit", default: 100, range: 1...1000)
            let items = try await api.ledger.checkpoints.list(limit: limit).map { try JSONParser.parse($0) }
            return JSONIO.response(Views.object(["items": .array(items)]))
        }

        group.post("ledger/checkpoints") { _, context -> Response in
            try Permission.administerFunds(try context.caller())
            guard let key = api.checkpointKey else {
                throw Problem(
                    .conflict, "invalid-state", "Not possible in the current state",
                    detail:
                        "this server has no checkpoint key; start it with --checkpoint-key (PLEDGER_CHECKPOINT_KEY), or sign with `pledger checkpoint sign`"
                )
            }
            let body = try await api.ledger.checkpoints.sign(privateKey: key)
            return JSONIO.response(try JSONParser.parse(body), status: .created)
        }

        /// NDJSON, one export line per event (docs/ledger-format.md), streamed page by page: a client can
        /// verify the chain as it reads.
        group.get("events") { request, context -> Response in
            try Permission.audit(try context.caller())
            let after = try request.query.int("after", default: 0, range: 0...Int.max)
            let limit = try request.query.int("limit", default: 1000, range: 1...100_000)
            let headers: HTTPFields = [.contentType: "application/x-ndjson"]
            return try await api.read(request, needs: .log) { reads in
                let store = reads.store
                return Response(
                    status: .ok, headers: headers,
                    body: ResponseBody { writer in
                        var cursor = Int64(after)
                        var left = limit
                        while left > 0 {
                            let page = try await store.read(after: cursor, limit: min(left, 1000))
                            guard let last = page.last else { break }
                            var buffer = ByteBuffer()
                            for event in page {
                                buffer.writeString(event.envelope.exportLine(previous: event.prevHash, hash: event.hash))
                                buffer.writeString("\n")
                            }
                            try await writer.write(buffer)
                            cursor = last.position
                            left -= page.count
                        }
                        try await writer.finish(nil)
                    })
            }
        }
    }
}
