import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// Pledge insurance through the API, on the loan of `RiskSharingAPITests` (54:26:16:4, the whole
/// loss of its 5,000,000.00 at default): PICC insures it for 1,000,000.00, which caps its 1,300,000.00 share;
/// the insurer's token reads and settles only its own.
@Suite("HTTP: pledge insurance and the insurer role")
struct InsuranceAPITests {
    static let policy = """
        {"insurer_id":"PICC","policy_no":"PICC-2024-001","sum_insured_fen":100000000,"premium_fen":3000000,
         "starts_on":"2024-03-01","ends_on":"2025-02-28","issued_on":"2024-03-01"}
        """

    @Test(
        "a policy recorded by the fund office caps the insurer's share; the insurer settles its own share only; its book and premium subsidy add up"
    )
    func insurerLife() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let loan = try await RiskSharingAPITests.enrolledLoan(api)
            // Policies bind the insurer's share: the fund office records them, not a bank or an insurer.
            for role in ["insurer:PICC", "insurer:OTHER", "bank:LCRCB"] {
                let refused = try await api.send(.post, "\(loan)/insurance", as: role, json: Self.policy)
                #expect(refused.status == 403, "\(role): \(refused.text)")
            }
            api.expectOK(try await api.send(.post, "\(loan)/insurance", as: "fund_admin", json: Self.policy))
            let before = try await api.send(.get, "/v1/insurers/PICC/policies?as_of=2024-02-01", as: "insurer:PICC")
            #expect(before.status == 200 && before.json["policies"]?.arrayValue?.isEmpty == true, "\(before.text)")
            let again = try await api.send(
                .post, "\(loan)/insurance", as: "fund_admin",
                json: Self.policy.replacingOccurrences(of: "PICC-2024-001", with: "PICC-2024-002"))
            #expect(again.status == 409 && again.problem == "duplicate", "\(again.text)")

            // The fund pays half the premium to the firm; never more than the premium.
            let subsidies = "/v1/insurers/PICC/policies/PICC-2024-001/premium-subsidies"
            #expect(
                try await api.send(
                    .post, subsidies, as: "insurer:PICC", json: #"{"fund_id":"LC-IPRC","paid_on":"2024-04-01","reference":"补-1"}"#
                ).status == 403)
            api.expectOK(
                try await api.send(
                    .post, subsidies, as: "fund_admin",
                    json: #"{"fund_id":"LC-IPRC","amount_fen":1500000,"paid_on":"2024-04-01","reference":"保费补贴-1"}"#))
            let over = try await api.send(
                .post, subsidies, as: "fund_admin",
                json: #"{"fund_id":"LC-IPRC","amount_fen":1500001,"paid_on":"2024-04-02","reference":"保费补贴-2"}"#)
            #expect(over.status == 422 && over.problem == "limit-exceeded", "\(over.text)")
            let fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "auditor")
            #expect(fund.integer("balance_fen") == 998_500_000, "\(fund.text)")

            api.expectOK(
                try await api.send(
                    .post, "\(loan)/default", as: "bank:LCRCB",
                    json: #"{"defaulted_on":"2024-10-01","missed_due_on":"2024-09-01","classification":"substandard"}"#))
            api.expectOK(try await api.send(.post, "\(loan)/loss-sharing", as: "fund_admin", json: #"{"shared_on":"2024-10-08"}"#))
            let settlements = "\(loan)/loss-sharing/settlements"
            // The insurer settles its own share; not another party's, not as another insurer.
            let forFund = try await api.send(
                .post, settlements, as: "insurer:PICC",
                json: #"{"role":"fund","party_id":"LC-IPRC","settled_on":"2024-12-01","reference":"x"}"#
            )
            #expect(forFund.status == 403, "\(forFund.text)")
            #expect(
                try await api.send(
                    .post, settlements, as: "insurer:OTHER",
                    json: #"{"role":"insurer","party_id":"OTHER","settled_on":"2024-12-01","reference":"x"}"#
                ).status == 404)
            let future = try await api.send(
                .post, settlements, as: "insurer:PICC",
                json: #"{"role":"insurer","party_id":"PICC","settled_on":"2999-12-02","reference":"PICC-CLM-0"}"#)
            #expect(future.status == 422 && future.text.contains("settled_on"), "\(future.text)")
            api.expectOK(
                try await api.send(
                    .post, settlements, as: "insurer:PICC",
                    json: #"{"role":"insurer","party_id":"PICC","settled_on":"2024-12-02","reference":"PICC-CLM-1"}"#))
            // A policy that bore a loss stays.
            let cancel = try await api.send(
                .post, "\(loan)/insurance/cancellation", as: "fund_admin",
                json: #"{"insurer_id":"PICC","cancelled_on":"2024-12-03","reason":"录入错误"}"#)
            #expect(cancel.status == 409 && cancel.problem == "invalid-state", "\(cancel.text)")

            let book = try await api.send(.get, "/v1/insurers/PICC/policies?as_of=2024-12-31", as: "insurer:PICC")
            #expect(book.status == 200, "\(book.text)")
            let policy = book.json["policies"]?.arrayValue?.first
            #expect(policy?["status"] == .string("claim_settled") && policy?["share_due_fen"] == .integer(100_000_000), "\(book.text)")
            #expect(policy?["claims_paid_fen"] == .integer(100_000_000) && policy?["premium_subsidised_fen"] == .integer(1_500_000))
            // Before the default the same policy was in force, with nothing paid.
            let earlier = try await api.send(.get, "/v1/insurers/PICC/policies?as_of=2024-06-30", as: "auditor")
            #expect(earlier.json["policies"]?.arrayValue?.first?["status"] == .string("in_force"), "\(earlier.text)")
            let state = try await api.send(.get, loan, as: "fund_admin")
            let shares = state.json["scheme"]?["shares"]?.arrayValue ?? []
            #expect(
                RiskSharingAPITests.integers(shares, "due_fen") == [110_000_000, 270_000_000, 100_000_000, 20_000_000], "\(state.text)")
        }
    }

    @Test("an insurer's token reaches its own policies and nothing else; a bank's token does not read them")
    func insurerIsConfined() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            for path in [
                "/v1/funds/LC-IPRC", "/v1/banks/LCRCB/loans", "/v1/reports/financing-growth", "/v1/reports/risk-sharing?scheme_id=ZS",
                "/v1/reports/fund-exposure?fund_id=LC-IPRC", "/v1/events", "/v1/schemes/ZS",
            ] {
                let reply = try await api.send(.get, path, as: "insurer:PICC")
                #expect(reply.status == 403 && reply.problem == "forbidden", "\(path): \(reply.status) \(reply.text)")
            }
            #expect(
                try await api.send(.post, "/v1/banks/LCRCB/loans/L-1/repayments", as: "insurer:PICC", json: "{}").status == 403)
            #expect(try await api.send(.get, "/v1/insurers/OTHER/policies", as: "insurer:PICC").status == 403)
            #expect(try await api.send(.get, "/v1/insurers/PICC/policies", as: "bank:LCRCB").status == 403)
            let none = try await api.send(.get, "/v1/insurers/PICC/policies", as: "insurer:PICC")
            #expect(none.status == 404 && none.problem == "not-found", "\(none.text)")
        }
    }

    @Test("tokens: insurer:{id} is a role, stored with its insurer, listed as written")
    func insurerTokens() async throws {
        try await TestDatabase.withLedger { store, _ in
            let tokens = TokenStore(store: store)
            let (_, secret) = try await tokens.create(name: "PICC claims desk", role: "insurer:PICC-LC")
            let identity = try await tokens.identity(for: secret)
            let picc = try InsurerId("PICC-LC")
            #expect(identity?.role == .insurer && identity?.insurer == picc && identity?.bank == nil)
            #expect(try await tokens.list().map(\.role) == ["insurer:PICC-LC"])
            #expect(throws: DomainError.self) { _ = try Identity.parseRole("insurer") }
            #expect(throws: DomainError.self) { _ = try Identity.parseRole("insurer:bad id") }
        }
    }
}
