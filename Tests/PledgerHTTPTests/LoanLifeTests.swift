import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import Testing

@Suite("HTTP: the life of a loan")
struct LoanLifeTests {
    @Test("origination to claim payment and recovery, checking state, reports and positions along the way")
    func lifeOfALoan() async throws {
        try await APIHarness.run { api in
            let seeded = try await api.seedDistrict()
            let loan = "/v1/banks/LCRCB/loans/LC-2024-0001"
            let originated = api.expectOK(try await api.originate())
            #expect(originated.status == 201)
            #expect(originated.integer("position") == seeded + 3)  // the loan, its pledge, the fund's cover
            #expect(originated.headers[.eTag] == "\"1\"")
            #expect(originated.headers[HTTPField.Name("Pledger-Position")!] == String(seeded + 3))

            let repaid = api.expectOK(
                try await api.send(
                    .post, "\(loan)/repayments", as: "bank:LCRCB",
                    json: #"{"principal_fen":180000000,"interest_fen":9625000,"paid_on":"2024-09-01"}"#))
            #expect(repaid.integer("version") == 2)
            var state = try await api.send(.get, loan, as: "bank:LCRCB")
            #expect(state.integer("outstanding_fen") == 320_000_000)
            #expect(state.string("status") == "active")
            #expect(state.headers[.eTag] == "\"2\"")

            api.expectOK(
                try await api.send(
                    .post, "\(loan)/default", as: "bank:LCRCB",
                    json: #"{"defaulted_on":"2024-10-01","missed_due_on":"2024-09-01","days_overdue":30,"classification":"substandard"}"#))
            let early = try await api.send(
                .post, "\(loan)/claims", as: "bank:LCRCB", json: #"{"amount_fen":100000000,"claimed_on":"2024-11-15"}"#)
            #expect(early.status == 422 && early.problem == "policy-violation" && early.string("field") == "claimed_on")
            let tooMuch = try await api.send(
                .post, "\(loan)/claims", as: "bank:LCRCB", json: #"{"amount_fen":100000001,"claimed_on":"2024-12-30"}"#)
            #expect(tooMuch.status == 422 && tooMuch.problem == "limit-exceeded")
            api.expectOK(
                try await api.send(.post, "\(loan)/claims", as: "bank:LCRCB", json: #"{"amount_fen":100000000,"claimed_on":"2024-12-30"}"#))

            // Banks cannot decide their own claims.
            let selfApproval = try await api.send(
                .post, "\(loan)/claims/decision", as: "bank:LCRCB",
                json: #"{"decision":"approve","amount_fen":100000000,"decided_on":"2025-01-10"}"#)
            #expect(selfApproval.status == 403)
            let approved = api.expectOK(
                try await api.send(
                    .post, "\(loan)/claims/decision", as: "fund_admin",
                    json: #"{"decision":"approve","amount_fen":100000000,"decided_on":"2025-01-10"}"#))
            #expect(approved.json["streams"]?["fund-LC-IPRC"] != nil)
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/claims/payment", as: "fund_admin", json: #"{"paid_on":"2025-01-20","payment_ref":"龙财补〔2025〕7号"}"#))
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/recoveries", as: "bank:LCRCB",
                    json: #"{"amount_fen":50000000,"received_on":"2025-04-01","source":"auction"}"#))
            let returned = api.expectOK(
                try await api.send(
                    .post, "\(loan)/recoveries/1/return", as: "bank:LCRCB", json: #"{"returned_on":"2025-04-10","reference":"RET-001"}"#))

            state = try await api.send(.get, loan, as: "fund_admin")
            #expect(state.integer("compensation_paid_fen") == 100_000_000)
            #expect(state.integer("returned_to_fund_fen") == 15_625_000)
            let fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "auditor")
            #expect(fund.integer("balance_fen") == 915_625_000)

            // Reports read the read models: wait for the projector to reach our last write.
            try await Projector(store: api.store).catchUp()
            let position = returned.integer("position")!
            let exposure = try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&min_position=\(position)", as: "fund_admin")
            #expect(exposure.integer("balance_fen") == 915_625_000)
            #expect(exposure.integer("paid_out_fen") == 100_000_000)
            #expect(exposure.integer("recoveries_returned_fen") == 15_625_000)
            let growth = try await api.send(.get, "/v1/reports/financing-growth?from=2023&to=2024", as: "auditor")
            #expect(growth.json["years"]?.arrayValue?.last?["principal_fen"] == .integer(500_000_000))
            let csv = try await api.send(
                .get, "/v1/reports/financing-growth?from=2023&to=2024", as: "auditor", headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("total,2024,1,500000000,1,"))
            // Content negotiation by q-values: a generated client's "every documented type" gets JSON.
            for (accept, csv) in [
                ("application/json, text/csv", false), ("text/csv;q=0.9, application/json;q=0.5", true), ("*/*", false),
                ("text/*", true), ("application/json;q=0, text/csv;q=0.1", true),
            ] {
                let reply = try await api.send(
                    .get, "/v1/reports/financing-growth?from=2023&to=2024", as: "auditor", headers: [.accept: accept])
                #expect(reply.headers[.contentType]?.hasPrefix(csv ? "text/csv" : "application/json") == true, "Accept: \(accept)")
            }

            let history = try await api.send(.get, "\(loan)/history", as: "bank:LCRCB")
            let types = history.json["items"]?.arrayValue?.compactMap { $0["type"] }
            #expect(types?.first == .string("LoanOriginated"))
            #expect(types?.count == 8)
        }
    }

    @Test("the auditor feed streams canonical lines that verify, and the head matches")
    func eventFeed() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let feed = try await api.send(.get, "/v1/events?after=0&limit=5000", as: "auditor")
            #expect(feed.headers[.contentType] == "application/x-ndjson")
            var last = LedgerHash.zero
            for line in feed.text.split(separator: "\n") {
                let value = try JSONParser.parse(String(line))
                #expect(CanonicalJSON.string(value) == String(line))
                guard case .string(let prev) = value["prev_hash"], case .string(let hash) = value["hash"],
                    case .object(var envelope) = value
                else {
                    Issue.record("bad line")
                    return
                }
                envelope.remove("prev_hash")
                envelope.remove("hash")
                // Re-hash the line without the two chain keys, as DESIGN §3 says an auditor would.
                let digest = Digest.sha256(LedgerHash(hex: prev)!.bytes + CanonicalJSON.bytes(.object(envelope)))
                #expect(LedgerHash.hex(digest) == hash)
                last = LedgerHash(hex: hash)!
            }
            let head = try await api.send(.get, "/v1/ledger/head", as: "auditor")
            #expect(head.string("hash") == last.hex)
            #expect(try await api.send(.get, "/v1/events", as: "bank:LCRCB").status == 403)
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
}
