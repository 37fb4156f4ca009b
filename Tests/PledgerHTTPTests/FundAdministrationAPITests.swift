import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// The same administrator's month as the command line's (`FundMonth`), through the API.
@Suite("HTTP: a fund administrator's month")
struct FundAdministrationAPITests {
    @Test("approve, pay from a thin balance, queue, money arrives, pay the queue — to the same balances as the CLI")
    func month() async throws {
        try await APIHarness.run { api in
            let handler = CommandHandler(store: api.store)
            for command in FundMonth.bankSide {
                // the harness registered the bank
                do { try await handler.handle(command) } catch let error as DomainError where error.code == .duplicate {}
            }
            let loan = "/v1/banks/LCRCB/loans/LC-2024-0001"
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/claims/decision", as: "fund_admin",
                    json: #"{"decision":"approve","amount_fen":\#(FundMonth.approved.fen),"decided_on":"\#(FundMonth.approvedOn)"}"#))
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/claims/payment", as: "fund_admin",
                    json: #"{"paid_on":"\#(FundMonth.firstPaymentOn)","payment_ref":"\#(FundMonth.firstPaymentRef)"}"#))
            var fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "fund_admin")
            #expect(fund.integer("balance_fen") == 0)
            #expect(fund.json["queue"]?.arrayValue?.first?["remaining_fen"] == .integer(FundMonth.queuedAfterFirst.fen))
            let refused = try await api.send(
                .post, "\(loan)/claims/payment", as: "fund_admin", json: #"{"paid_on":"2025-01-11","payment_ref":"X"}"#)
            #expect(refused.status == 422 && refused.problem == "limit-exceeded", "\(refused.text)")

            api.expectOK(
                try await api.send(
                    .post, "/v1/funds/LC-IPRC/contributions", as: "fund_admin",
                    json:
                        #"{"amount_fen":\#(FundMonth.cityContribution.fen),"contributor":"city","received_on":"\#(FundMonth.cityOn)","reference":"\#(FundMonth.cityRef)"}"#
                ))
            api.expectOK(
                try await api.send(
                    .post, "/v1/funds/LC-IPRC/interest", as: "fund_admin",
                    json:
                        #"{"amount_fen":\#(FundMonth.interest.fen),"credited_on":"\#(FundMonth.interestOn)","reference":"\#(FundMonth.interestRef)"}"#
                ))
            let bankTry = try await api.send(
                .post, "/v1/funds/LC-IPRC/queue-payments", as: "bank:LCRCB", json: #"{"paid_on":"2025-01-22","reference":"R"}"#)
            #expect(bankTry.status == 403)
            let paid = api.expectOK(
                try await api.send(
                    .post, "/v1/funds/LC-IPRC/queue-payments", as: "fund_admin",
                    json: #"{"paid_on":"\#(FundMonth.queuePaidOn)","reference":"\#(FundMonth.queueRef)"}"#))
            #expect(paid.json["streams"]?["loan-LCRCB-LC-2024-0001"] != nil)

            fund = try await api.send(.get, "/v1/funds/LC-IPRC", as: "auditor")
            #expect(fund.integer("balance_fen") == FundMonth.closingBalance.fen)
            #expect(fund.json["queue"]?.arrayValue?.isEmpty == true)
            #expect(fund.json["account"]?["interest_fen"] == .integer(FundMonth.interest.fen))
            let state = try await api.send(.get, loan, as: "bank:LCRCB")
            #expect(state.integer("compensation_paid_fen") == FundMonth.approved.fen)
        }
    }

    @Test("a bank withdraws its own filed claim; another bank cannot see the loan")
    func withdrawal() async throws {
        try await APIHarness.run { api in
            let handler = CommandHandler(store: api.store)
            for command in FundMonth.bankSide {
                do { try await handler.handle(command) } catch let error as DomainError where error.code == .duplicate {}
            }
            let loan = "/v1/banks/LCRCB/loans/LC-2024-0001"
            #expect(
                try await api.send(.post, "\(loan)/claims/withdrawal", as: "bank:B2", json: #"{"withdrawn_on":"2025-01-05","reason":"x"}"#)
                    .status == 404)
            api.expectOK(
                try await api.send(
                    .post, "\(loan)/claims/withdrawal", as: "bank:LCRCB",
                    json: #"{"withdrawn_on":"2025-01-05","reason":"documents incomplete"}"#))
            let state = try await api.send(.get, loan, as: "bank:LCRCB")
            #expect(state.json["claims"]?.arrayValue?.first?["status"] == .string("withdrawn"))
        }
    }
}
