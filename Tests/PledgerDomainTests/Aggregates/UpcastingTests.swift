import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Event catalogue")
struct EventCatalogueTests {
    @Test("a schema-1 FundEstablished stored today still loads: upcast adds max_valuation_age_months = 12")
    func upcastsFundEstablished() throws {
        let line = try Fixtures.lines("export-sample.jsonl")[0]
        let envelope = try HashChainTests.envelope(fromExportLine: line)
        #expect(envelope.schema == 1)
        let recorded = try RecordedEvent(envelope)
        guard case .fundEstablished(let established) = recorded.event else {
            Issue.record("wrong type")
            return
        }
        #expect(established.policy.maxValuationAgeMonths == 12)
        #expect(established.policy.coverageBp == Bp(4000))
        #expect(established.name == "龙城区知识产权质押融资风险补偿资金")
        // Re-encoded, it is the current schema (3) and carries the field explicitly.
        #expect(recorded.event.schema == 3)
        #expect(CanonicalJSON.string(try recorded.event.jsonData()).contains("\"max_valuation_age_months\":12"))
    }

    @Test("a schema-1 CompensationPaid paid the claim in full: upcast with remaining_fen 0, it still settles the claim")
    func upcastsCompensationPaid() throws {
        let data = #"{"amount_fen":100000000,"claim_no":1,"paid_on":"2025-01-20","payment_ref":"LC-FIN-2025-007"}"#
        let event = try LedgerEvent.decode(type: "CompensationPaid", schema: 1, data: data)
        #expect(
            event
                == .compensationPaid(
                    CompensationPaid(
                        claimNo: 1, amountFen: yuan("1,000,000.00"), paidOn: date("2025-01-20"), paymentRef: "LC-FIN-2025-007",
                        remainingFen: .zero)))
        #expect(event.schema == 2)
        // Folded on an approved claim, the old payment settles it as it always did.
        var loan = LoanState()
        loan.claims = [
            Claim(
                number: 1, amount: yuan("1,000,000.00"), claimedOn: date("2024-12-30"), status: .approved, approved: yuan("1,000,000.00"),
                approvedOn: date("2025-01-10"))
        ]
        loan = Loan.evolve(
            loan,
            RecordedEvent(id: UUID(), stream: "loan-B-C", version: 1, position: 1, recordedAt: RecordedTime(microseconds: 0), event: event))
        #expect(loan.claims[0].status == .paid && loan.claims[0].paid == yuan("1,000,000.00") && loan.claims[0].unpaid == .zero)
    }

    @Test("a schema-2 FundEstablished (no recovery_return_days) loads as schema 3 with the default of 30 days")
    func upcastsSchemaTwoPolicy() throws {
        let established = LedgerEvent.fundEstablished(
            FundEstablished(
                fundId: fundId("F"), name: "F", region: try RegionCode("211303"), policy: examplePolicy, establishedOn: date("2023-01-01")))
        let text = CanonicalJSON.string(try established.jsonData())
        #expect(!text.contains("recovery_return_days"), "an unset term is not written: \(text)")
        guard case .fundEstablished(let decoded) = try LedgerEvent.decode(type: "FundEstablished", schema: 2, data: text) else {
            Issue.record("wrong type")
            return
        }
        #expect(decoded.policy.recoveryReturnDays == nil && decoded.policy.effectiveRecoveryReturnDays == 30)
        var policy = examplePolicy
        policy.recoveryReturnDays = 0
        #expect(throws: DomainError.invalid("policy.recovery_return_days", "the time to return a recovery share must be 1–3650 days")) {
            try policy.validated()
        }
        policy.recoveryReturnDays = 45
        #expect(
            CanonicalJSON.string(try JSONParser.parse(EventCoding.encoder.encode(try policy.validated()))).contains(
                "\"recovery_return_days\":45"))
    }

    @Test("the other sample events decode too")
    func decodesSamples() throws {
        let lines = try Fixtures.lines("export-sample.jsonl")
        guard case .fundContributionReceived(let contribution) = try RecordedEvent(HashChainTests.envelope(fromExportLine: lines[1])).event
        else {
            Issue.record("wrong type")
            return
        }
        #expect(contribution.amountFen == yuan("4,000,000.00"))
        #expect(contribution.contributor == .city)
    }

    @Test("unknown types, future schemas and malformed data are clear errors")
    func decodingErrors() {
        #expect(throws: EventDecodingError.unknownType("Nope")) { try LedgerEvent.decode(type: "Nope", schema: 1, data: "{}") }
        #expect(throws: EventDecodingError.self) { try LedgerEvent.decode(type: "BankRegistered", schema: 9, data: "{}") }
        #expect {
            try LedgerEvent.decode(
                type: "BorrowerRegistered", schema: 1,
                data: #"{"uscc":"91512081MA62K0260F","name":"x","industry":"C3841","region":"211303","tech_sme":true}"#)
        } throws: { error in
            "\(error)".contains("uscc") && "\(error)".contains("check")
        }
    }
}
