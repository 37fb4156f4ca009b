import Foundation
import PledgerStore
import Testing

@Suite("HTTP: authentication and bank isolation")
struct IsolationTests {
    @Test("bank A gets 404 for bank B's loan, cannot originate for B, sees only its own loans and its own report slice")
    func bankIsolation() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate(bank: "LCRCB", contract: "A-1", asset: "ZL1", principal: 100_000_000))
            api.expectOK(try await api.originate(bank: "B2", contract: "B-1", asset: "ZL2", principal: 200_000_000))

            let foreign = try await api.send(.get, "/v1/banks/B2/loans/B-1", as: "bank:LCRCB")
            let missing = try await api.send(.get, "/v1/banks/LCRCB/loans/NOPE", as: "bank:LCRCB")
            #expect(foreign.status == 404 && missing.status == 404)
            #expect(foreign.problem == missing.problem && foreign.string("title") == missing.string("title"))
            #expect(try await api.send(.get, "/v1/banks/B2/loans/B-1/history", as: "bank:LCRCB").status == 404)
            #expect(
                try await api.send(
                    .post, "/v1/banks/B2/loans/B-1/repayments", as: "bank:LCRCB",
                    json: #"{"principal_fen":1,"interest_fen":0,"paid_on":"2024-04-01"}"#
                ).status == 404)
            #expect(try await api.originate(bank: "B2", contract: "SNEAK", asset: "ZL1", as: "bank:LCRCB").status == 404)

            try await Projector(store: api.store).catchUp()
            let own = try await api.send(.get, "/v1/banks/LCRCB/loans", as: "bank:LCRCB")
            #expect(own.json["items"]?.arrayValue?.count == 1)
            #expect(try await api.send(.get, "/v1/banks/B2/loans", as: "bank:LCRCB").status == 404)

            let slice = try await api.send(.get, "/v1/reports/financing-growth?from=2024&to=2024", as: "bank:LCRCB")
            #expect(slice.json["years"]?.arrayValue?.first?["principal_fen"] == .integer(100_000_000))
            let whole = try await api.send(.get, "/v1/reports/financing-growth?from=2024&to=2024", as: "auditor")
            #expect(whole.json["years"]?.arrayValue?.first?["principal_fen"] == .integer(300_000_000))
            let exposure = try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-12-31", as: "bank:LCRCB")
            #expect(exposure.integer("covered_outstanding_fen") == 100_000_000)
            #expect(exposure.json["by_bank"]?.arrayValue?.count == 1)

            // The asset pledged to B2's loan shows as pledged, but not to whom.
            let asset = try await api.send(.get, "/v1/assets/ZL2", as: "bank:LCRCB")
            #expect(asset.json["pledge"]?["pledged"] == .bool(true))
            #expect(asset.json["pledge"]?["bank_id"] == nil)
        }
    }

    @Test("no token, a bad token, a revoked token → 401; wrong role → 403; auditors never write")
    func authentication() async throws {
        try await APIHarness.run { api in
            #expect(try await api.send(.get, "/v1/funds", as: nil).status == 401)
            let bad = try await api.client.execute(uri: "/v1/funds", method: .get, headers: [.authorization: "Bearer plg_nonsense"])
            #expect(bad.status.code == 401)
            #expect(bad.headers[.wwwAuthenticate] == "Bearer realm=\"pledger\"")

            let created = try await TokenStore(store: api.store).create(name: "temp", role: "auditor")
            let ok = try await api.client.execute(
                uri: "/v1/ledger/head", method: .get, headers: [.authorization: "Bearer \(created.secret)"])
            #expect(ok.status.code == 200)
            #expect(try await TokenStore(store: api.store).revoke(created.id))
            let revoked = try await api.client.execute(
                uri: "/v1/ledger/head", method: .get, headers: [.authorization: "Bearer \(created.secret)"])
            #expect(revoked.status.code == 401)

            let auditorWrite = try await api.send(.post, "/v1/banks", as: "auditor", json: #"{"bank_id":"X","name":"X","licence":"L"}"#)
            #expect(auditorWrite.status == 403 && auditorWrite.problem == "forbidden")
            #expect(
                try await api.send(
                    .post, "/v1/funds/LC-IPRC/contributions", as: "bank:LCRCB",
                    json: #"{"amount_fen":1,"contributor":"city","received_on":"2024-01-01","reference":"r"}"#
                ).status == 403)
            #expect(try await api.send(.get, "/metrics", as: "bank:LCRCB").status == 403)
            #expect(try await api.send(.get, "/metrics", as: "auditor").status == 200)
            // Unauthenticated operational routes.
            #expect(try await api.send(.get, "/healthz", as: nil).status == 200)
            #expect(try await api.send(.get, "/openapi.json", as: nil).status == 200)
        }
    }
}
