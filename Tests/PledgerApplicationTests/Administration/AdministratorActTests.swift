import PledgerApplication
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Administrator acts: decided like the API's writes, idempotent on the reference")
struct AdministratorActTests {
    static func act(_ command: LedgerCommand, _ fields: [(String, JSONValue)] = []) -> AdministratorAct {
        AdministratorAct(summary: "\(command.target)", command: command, fields: fields)
    }

    /// The administrator's side of `FundMonth`, each act with its reference.
    static let month: [(reference: String, act: AdministratorAct)] = [
        ("批复-1", act(.loan(FundMonth.loan, .approveClaim(amount: FundMonth.approved, approvedOn: date(FundMonth.approvedOn))))),
        (
            FundMonth.firstPaymentRef,
            act(
                .loan(FundMonth.loan, .payClaim(paidOn: date(FundMonth.firstPaymentOn), paymentRef: FundMonth.firstPaymentRef, amount: nil))
            )
        ),
        (
            FundMonth.cityRef,
            act(
                .fund(
                    FundMonth.fund,
                    .receiveContribution(
                        amount: FundMonth.cityContribution, contributor: .city, receivedOn: date(FundMonth.cityOn),
                        reference: FundMonth.cityRef)))
        ),
        (
            FundMonth.interestRef,
            act(
                .fund(
                    FundMonth.fund,
                    .creditInterest(amount: FundMonth.interest, creditedOn: date(FundMonth.interestOn), reference: FundMonth.interestRef)),
                [("amount_fen", .integer(FundMonth.interest.fen))])
        ),
        (
            FundMonth.queueRef,
            act(.fund(FundMonth.fund, .payQueue(on: date(FundMonth.queuePaidOn), reference: FundMonth.queueRef, limit: nil)))
        ),
    ]

    @Test(
        "the month's acts write; the same act again writes nothing and answers the first result; the reference for another act is refused")
    func idempotentOnReference() async throws {
        try await TestDatabase.withLedger { store, _ in
            try await FundMonth.recordBankSide(store)
            var results: [AppendResult] = []
            for (reference, act) in Self.month {
                results.append(try await act.perform(reference: reference, actor: "cli:admin", ledger: Ledger(log: store)))
            }
            #expect(results.allSatisfy { !$0.replayed })
            let head = try await store.head().position
            #expect(results.last?.lastPosition == head)

            let (reference, interest) = Self.month[3]
            let again = try await interest.perform(reference: reference, actor: "cli:admin", ledger: Ledger(log: store))
            #expect(again.replayed && again.firstPosition == results[3].firstPosition && again.lastPosition == results[3].lastPosition)
            #expect(try await store.head().position == head)

            let other = Self.act(
                .fund(FundMonth.fund, .creditInterest(amount: yuan("1.00"), creditedOn: date(FundMonth.interestOn), reference: reference)),
                [("amount_fen", .integer(100))])
            await #expect(
                throws: ApplicationError.failure("reference \(reference) was already used for a different act; use a new reference")
            ) {
                try await other.perform(reference: reference, actor: "cli:admin", ledger: Ledger(log: store))
            }
            #expect(try await store.head().position == head)
        }
    }

    @Test("the domain's refusal is a failure naming the field; nothing is written")
    func refused() async throws {
        try await TestDatabase.withLedger { store, _ in
            try await FundMonth.recordBankSide(store)
            let head = try await store.head().position
            let tooMuch = Self.act(
                .fund(
                    FundMonth.fund,
                    .returnContribution(
                        amount: yuan("400,000.00"), contributor: .province, returnedOn: date("2025-01-02"),
                        reference: "R-1", reason: "x")))
            await #expect { try await tooMuch.perform(reference: "R-1", actor: "cli:admin", ledger: Ledger(log: store)) } throws: {
                guard case .failure(let message) = $0 as? ApplicationError else { return false }
                return message.hasPrefix("refused — amount_fen: ")
            }
            #expect(try await store.head().position == head)
        }
    }
}
