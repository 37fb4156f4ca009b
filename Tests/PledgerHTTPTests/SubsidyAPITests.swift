import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A subsidy programme through the API: established, the interest a firm paid applied for,
/// half of it approved within the firm's yearly cap, part of it paid — and who may do and read what.
@Suite("HTTP: subsidies")
struct SubsidyAPITests {
    @Test("an interest subsidy decided through the ledger's rules reads back as the programme's table; a bank may not read it")
    func programmeTable() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let loan = "/v1/banks/LCRCB/loans/LC-2024-0001"
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/repayments", as: "bank:LCRCB",
                    json: #"{"principal_fen":10000,"interest_fen":120000000,"paid_on":"2024-06-01"}"#))
            let programme = """
                {"programme_id":"TX-2024","name":"贴息","kind":"interest","rate_bp":5000,"cap_fen":50000000,"budget_fen":70000000,
                 "starts_on":"2024-01-01","ends_on":"2025-12-31"}
                """
            #expect(try await api.send(.post, "/v1/subsidies", as: "bank:LCRCB", json: programme).status == 403)
            #expect(try await api.send(.post, "/v1/subsidies", as: "fund_admin", json: programme).status == 201)
            let application = """
                {"borrower":"91512081MA62K0260E","year":2024,"loans":[{"bank_id":"LCRCB","contract_no":"LC-2024-0001"}],
                 "applied_on":"2025-01-10"}
                """
            api.expectOK(try await api.send(.post, "/v1/subsidies/TX-2024/interest-applications", as: "fund_admin", json: application))
            let tooMuch = try await api.send(
                .post, "/v1/subsidies/TX-2024/applications/1/decision", as: "fund_admin",
                json: #"{"decision":"approve","decided_on":"2025-01-20","amount_fen":50000001}"#)
            #expect(tooMuch.status == 422 && tooMuch.problem == "limit-exceeded" && tooMuch.text.contains("500,000.00"), "\(tooMuch.text)")
            api.expectOK(
                try await api.send(
                    .post, "/v1/subsidies/TX-2024/applications/1/decision", as: "fund_admin",
                    json: #"{"decision":"approve","decided_on":"2025-01-20"}"#))
            #expect(
                try await api.send(
                    .post, "/v1/subsidies/TX-2024/applications/2/payments", as: "fund_admin",
                    json: #"{"paid_on":"2025-01-25","reference":"补贴拨付-1"}"#
                ).status == 404)
            api.expectOK(
                try await api.send(
                    .post, "/v1/subsidies/TX-2024/applications/1/payments", as: "fund_admin",
                    json: #"{"amount_fen":30000000,"paid_on":"2025-01-25","reference":"补贴拨付-1"}"#))
            #expect(try await api.send(.get, "/v1/reports/subsidies?programme_id=TX-2024", as: "bank:LCRCB").status == 403)
            #expect(try await api.send(.get, "/v1/reports/subsidies?programme_id=NOPE", as: "auditor").status == 404)
            let report = try await api.send(.get, "/v1/reports/subsidies?programme_id=TX-2024", as: "auditor")
            #expect(report.status == 200, "\(report.text)")
            // 50% of 1,200,000.00 is 600,000.00; the firm's yearly cap of 500,000.00 binds.
            #expect(report.integer("committed_fen") == 50_000_000 && report.integer("remaining_fen") == 20_000_000, "\(report.text)")
            let csv = try await api.send(
                .get, "/v1/reports/subsidies?programme_id=TX-2024", as: "fund_admin", headers: [.accept: "text/csv"])
            #expect(csv.text.contains("91512081MA62K0260E,2024,1,120000000,50000000,50000000,30000000"), "\(csv.text)")
        }
    }
}
