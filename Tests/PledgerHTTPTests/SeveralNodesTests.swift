import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import Testing

/// API nodes keep nothing a request depends on: several behind a load balancer, each with
/// its own pool, writer and caches, behave as one. The head-row lock orders every append and
/// every idempotency key across all of them.
@Suite("HTTP: several API nodes on one database")
struct SeveralNodesTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let uri = "/v1/banks/LCRCB/loans/LC-2024-0001/repayments"

    static func repayment(principal: Int, on day: String) -> String {
        #"{"principal_fen":\#(principal),"interest_fen":5000,"paid_on":"\#(day)"}"#
    }

    @Test("one Idempotency-Key sent to two nodes at once: one write, one answer, byte for byte")
    func oneKeyOnTwoNodes() async throws {
        try await APIHarness.run { first in
            try await first.seedDistrict()
            first.expectOK(try await first.originate())
            let head = try await first.store.head().position
            try await first.onAnotherNode { second in
                let body = Self.repayment(principal: 1_000_000, on: "2024-04-01")
                let replies = try await withThrowingTaskGroup(of: APIHarness.Reply.self) { group in
                    for attempt in 0..<16 {
                        let node = attempt.isMultiple(of: 2) ? first : second
                        group.addTask { try await node.send(.post, Self.uri, as: "bank:LCRCB", json: body, headers: [Self.key: "storm"]) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(replies.map(\.status)) == [200], "\(Set(replies.map { "\($0.status) \($0.text.prefix(80))" }))")
                #expect(Set(replies.map(\.text)).count == 1, "every node answers the first answer")
                #expect(try await first.store.head().position == head + 1, "exactly one event written")
            }
        }
    }

    @Test("a node decides on what another node wrote: its cached loan catches up before it decides")
    func decisionsSeeOtherNodesWrites() async throws {
        try await APIHarness.run { first in
            try await first.seedDistrict()
            first.expectOK(try await first.originate(principal: 5_000_000))
            try await first.onAnotherNode { second in
                // The second node reads (and caches) the loan before the first writes to it.
                let before = try await second.send(.get, "/v1/banks/LCRCB/loans/LC-2024-0001", as: "bank:LCRCB")
                #expect(before.integer("outstanding_fen") == 5_000_000)
                first.expectOK(
                    try await first.send(.post, Self.uri, as: "bank:LCRCB", json: Self.repayment(principal: 4_000_000, on: "2024-04-01")))
                // 2,000,000 would fit what the second node cached; it exceeds what is outstanding.
                let refused = try await second.send(
                    .post, Self.uri, as: "bank:LCRCB", json: Self.repayment(principal: 2_000_000, on: "2024-05-01"))
                #expect(refused.status == 422, "\(refused.text)")
                #expect(refused.text.contains("outstanding"), "\(refused.text)")
                // A stale If-Match from the second node's earlier read is a conflict, not a write.
                let stale = try await second.send(
                    .post, Self.uri, as: "bank:LCRCB", json: Self.repayment(principal: 500_000, on: "2024-05-01"),
                    headers: [.ifMatch: before.headers[.eTag] ?? "\"0\""])
                #expect(stale.status == 412, "\(stale.status) \(stale.text)")
                second.expectOK(
                    try await second.send(.post, Self.uri, as: "bank:LCRCB", json: Self.repayment(principal: 1_000_000, on: "2024-05-01")))
                for node in [first, second] {
                    let loan = try await node.send(.get, "/v1/banks/LCRCB/loans/LC-2024-0001", as: "bank:LCRCB")
                    #expect(loan.integer("outstanding_fen") == 0, "\(loan.text)")
                }
            }
        }
    }

    @Test("positions stay gap-free and the chain verifies when two nodes write at once")
    func twoWritersOneChain() async throws {
        try await APIHarness.run { first in
            try await first.seedDistrict()
            try await first.onAnotherNode { second in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for n in 0..<40 {
                        let node = n.isMultiple(of: 2) ? first : second
                        group.addTask {
                            try await node.send(
                                .post, "/v1/assets", as: "bank:LCRCB",
                                json:
                                    #"{"asset_id":"N\#(n)","kind":"patent","registry_no":"ZL 2024 N\#(n)","title":"电池","owner":"91512081MA62K0260E"}"#
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { (200..<300).contains($0) }, "\(statuses)")
                let report = try await LedgerVerification(store: second.store).run()
                #expect(report.isIntact && report.verified == report.head?.position, "\(String(describing: report.firstBreak))")
                let positions = try await first.store.read(after: 0, limit: 100_000).map(\.position)
                #expect(positions == Array(1...Int64(positions.count)), "gap-free and ordered")
                #expect(positions.count == Int(report.verified))
            }
        }
    }
}
