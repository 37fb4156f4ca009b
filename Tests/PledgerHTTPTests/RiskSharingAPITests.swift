import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A 54:26:16:4 scheme through the API, to the same figures as the domain's worked example:
/// a 4,000,000.00 loss, each party's settlement, a 1,000,000.00 recovery shared back, and
/// the table a district sends to the province.
@Suite("HTTP: risk sharing")
struct RiskSharingAPITests {
    static let scheme = """
        {"scheme_id":"ZS","name":"中山 54:26:16:4","effective_on":"2024-01-01","parties":[
          {"role":"fund","party_id":"LC-IPRC","share_bp":5400},{"role":"insurer","party_id":"PICC","share_bp":2600},
          {"role":"bank","share_bp":1600},{"role":"appraiser","party_id":"LNPG","share_bp":400}]}
        """

    /// The district, the 54:26:16:4 scheme ZS, and LCRCB's loan LC-2024-0001 of 5,000,000.00
    /// outside the fund, enrolled under ZS on 2024-03-01 by its bank. Returns the loan's path.
    static func enrolledLoan(_ api: APIHarness) async throws -> String {
        api.expectOK(try await api.send(.post, "/v1/schemes", as: "fund_admin", json: Self.scheme))
        let loan = "/v1/banks/LCRCB/loans/LC-2024-0001"
        api.expectOK(
            try await api.send(
                .post, "/v1/banks/LCRCB/loans", as: "bank:LCRCB",
                json: """
                    {"contract_no":"LC-2024-0001","borrower":"91512081MA62K0260E","principal_fen":500000000,"rate_bp":385,
                     "originated_on":"2024-03-01","matures_on":"2025-03-01","collateral":[{"asset_id":"ZL1","registration_no":"Y1"}]}
                    """))
        api.expectOK(
            try await api.send(.post, "\(loan)/scheme", as: "bank:LCRCB", json: #"{"scheme_id":"ZS","enrolled_on":"2024-03-01"}"#))
        return loan
    }

    static func integers(_ rows: [JSONValue], _ key: String) -> [Int64] {
        rows.map { row in if case .integer(let n) = row[key] { n } else { -1 } }
    }

    @Test("agree, enrol, default, share the loss, settle, share a recovery; the report and the loan agree to the fen")
    func lifeUnderAScheme() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let refusedAgreement = try await api.send(.post, "/v1/schemes", as: "bank:LCRCB", json: Self.scheme)
            #expect(refusedAgreement.status == 403)
            let bad = try await api.send(
                .post, "/v1/schemes", as: "fund_admin",
                json: #"{"scheme_id":"X","name":"x","effective_on":"2024-01-01","parties":[{"role":"bank","share_bp":9000}]}"#)
            #expect(bad.status == 422 && bad.problem == "invalid-value" && bad.text.contains("10000"), "\(bad.text)")
            let loan = try await Self.enrolledLoan(api)
            // Asked while the loan performs, then again at the end: the kept table brought forward.
            let enrolled = try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=ZS", as: "auditor")
            #expect(enrolled.status == 200, "\(enrolled.text)")
            #expect(enrolled.json["active_loans"] == .integer(1))
            #expect(enrolled.json["total"]?["net_loss_fen"] == .integer(0))
            let read = try await api.send(.get, "/v1/schemes/ZS", as: "bank:B2")
            #expect(read.status == 200 && read.json["versions"]?.arrayValue?.count == 1, "\(read.text)")
            #expect(
                try await api.send(.post, "\(loan)/scheme", as: "bank:B2", json: #"{"scheme_id":"ZS","enrolled_on":"2024-03-01"}"#)
                    .status == 404)
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/repayments", as: "bank:LCRCB",
                    json: #"{"principal_fen":100000000,"interest_fen":6000000,"paid_on":"2024-06-01"}"#))
            // Only the loan changed: the kept table is brought forward by it.
            let repaid = try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=ZS", as: "auditor")
            let outstanding = (enrolled.integer("active_outstanding_fen") ?? 0) - 100_000_000
            #expect(repaid.integer("active_outstanding_fen") == outstanding, "\(repaid.text)")
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/default", as: "bank:LCRCB",
                    json: #"{"defaulted_on":"2024-10-01","missed_due_on":"2024-09-01","classification":"substandard"}"#))
            #expect(try await api.send(.post, "\(loan)/loss-sharing", as: "bank:LCRCB", json: #"{"shared_on":"2024-10-08"}"#).status == 403)
            api.expectOK(try await api.send(.post, "\(loan)/loss-sharing", as: "fund_admin", json: #"{"shared_on":"2024-10-08"}"#))

            let early = try await api.send(
                .post, "\(loan)/loss-sharing/settlements", as: "fund_admin",
                json: #"{"role":"fund","party_id":"LC-IPRC","settled_on":"2024-11-29","reference":"F-1"}"#)
            #expect(early.status == 422 && early.problem == "policy-violation" && early.text.contains("settled_on"), "\(early.text)")
            for (role, party, on) in [
                ("fund", "LC-IPRC", "2024-11-30"), ("insurer", "PICC", "2024-12-02"), ("appraiser", "LNPG", "2024-12-05"),
            ] {
                api.expectOK(
                    try await api.send(
                        .post, "\(loan)/loss-sharing/settlements", as: "fund_admin",
                        json: #"{"role":"\#(role)","party_id":"\#(party)","settled_on":"\#(on)","reference":"\#(role)-1"}"#))
            }
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/recoveries", as: "bank:LCRCB",
                    json: #"{"amount_fen":100000000,"received_on":"2025-01-10","source":"拍卖"}"#))
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/recoveries/1/sharing", as: "bank:LCRCB", json: #"{"shared_on":"2025-01-12","reference":"R-1"}"#))

            let state = try await api.send(.get, loan, as: "bank:LCRCB")
            #expect(state.json["scheme"]?["loss_fen"] == .integer(400_000_000))
            let shares = state.json["scheme"]?["shares"]?.arrayValue ?? []
            #expect(Self.integers(shares, "due_fen") == [64_000_000, 216_000_000, 104_000_000, 16_000_000], "\(state.text)")
            #expect(Self.integers(shares, "recovered_fen") == [16_000_000, 54_000_000, 26_000_000, 4_000_000])
            let fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "auditor")
            #expect(fund.integer("balance_fen") == 838_000_000)  // 10,000,000.00 − 2,160,000.00 + 540,000.00

            #expect(try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=ZS", as: "bank:LCRCB").status == 403)
            #expect(try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=NOPE", as: "auditor").status == 404)
            let report = try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=ZS", as: "auditor")
            #expect(report.status == 200, "\(report.text)")
            let rows = report.json["parties"]?.arrayValue ?? []
            #expect(rows.map { $0["role"] } == ["bank", "fund", "insurer", "appraiser"].map { JSONValue.string($0) })
            #expect(Self.integers(rows, "net_loss_fen") == [48_000_000, 162_000_000, 78_000_000, 12_000_000])
            #expect(report.json["total"]?["net_loss_fen"] == .integer(300_000_000))
            let csv = try await api.send(.get, "/v1/reports/risk-sharing?scheme_id=ZS", as: "fund_admin", headers: [.accept: "text/csv"])
            #expect(csv.text.contains("insurer,PICC,1,0,0,104000000,104000000,0,26000000,78000000"), "\(csv.text)")

            // The fund's exposure shows its part in the scheme beside its own cover: now, and as it stood before it paid.
            let exposure = try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC", as: "fund_admin")
            let now = exposure.json["scheme_shares"]?.arrayValue ?? []
            #expect(now.count == 1 && now.first?["scheme_id"] == .string("ZS"), "\(exposure.text)")
            #expect(Self.integers(now, "paid_fen") == [216_000_000] && Self.integers(now, "recovered_fen") == [54_000_000])
            #expect(exposure.json["scheme_owed_fen"] == .integer(0))
            let before = try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-11-15", as: "fund_admin")
            #expect(Self.integers(before.json["scheme_shares"]?.arrayValue ?? [], "owed_fen") == [216_000_000], "\(before.text)")
            #expect(before.json["scheme_owed_fen"] == .integer(216_000_000))
            let performing = try await api.send(.get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-09-30", as: "fund_admin")
            // 54% of the 4,000,000.00 outstanding, were it to default then.
            #expect(performing.json["scheme_contingent_fen"] == .integer(216_000_000), "\(performing.text)")
        }
    }
}
