import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/ledger/head` and `/v1/events`: what auditors verify.
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

        /// NDJSON, one export line per event (docs/ledger-format.md), streamed page by page: a client can
        /// verify the chain as it reads.
        group.get("events") { request, context -> Response in
            try Permission.audit(try context.caller())
            let after = try request.query.int("after", default: 0, range: 0...Int.max)
            let limit = try request.query.int("limit", default: 1000, range: 1...100_000)
            let store = api.ledger.log
            let headers: HTTPFields = [.contentType: "application/x-ndjson"]
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
