import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// A subsidy programme's table through the API: the interest a firm paid, half of it
/// approved within the firm's yearly cap, and who may read it.
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
            let programme = try SubsidyProgrammeId("TX-2024")
            let borrower = try Uscc("91512081MA62K0260E")
            let handler = CommandHandler(store: api.store)
            for command: SubsidyCommand in [
                .establish(
                    SubsidyProgrammeEstablished(
                        programmeId: programme, name: "贴息", kind: .interest, rateBp: Bp(5000), capFen: try Money(parsing: "500,000.00"),
                        budgetFen: try Money(parsing: "700,000.00"), startsOn: try BusinessDate(parsing: "2024-01-01"),
                        endsOn: try BusinessDate(parsing: "2025-12-31"))),
                .applyForInterest(
                    borrower: borrower, year: 2024, loans: [LoanKey(bank: try BankId("LCRCB"), contract: try ContractNo("LC-2024-0001"))],
                    appliedOn: try BusinessDate(parsing: "2025-01-10")),
                .approve(applicationNo: 1, amount: nil, approvedOn: try BusinessDate(parsing: "2025-01-20")),
            ] {
                try await handler.handle(.subsidy(programme, command))
            }
            #expect(try await api.send(.get, "/v1/reports/subsidies?programme_id=TX-2024", as: "bank:LCRCB").status == 403)
            #expect(try await api.send(.get, "/v1/reports/subsidies?programme_id=NOPE", as: "auditor").status == 404)
            let report = try await api.send(.get, "/v1/reports/subsidies?programme_id=TX-2024", as: "auditor")
            #expect(report.status == 200, "\(report.text)")
            // 50% of 1,200,000.00 is 600,000.00; the firm's yearly cap of 500,000.00 binds.
            #expect(report.integer("committed_fen") == 50_000_000 && report.integer("remaining_fen") == 20_000_000, "\(report.text)")
            let csv = try await api.send(
                .get, "/v1/reports/subsidies?programme_id=TX-2024", as: "fund_admin", headers: [.accept: "text/csv"])
            #expect(csv.text.contains("91512081MA62K0260E,2024,1,120000000,50000000,50000000,0"), "\(csv.text)")
        }
    }
}
