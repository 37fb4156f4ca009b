import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// Every schema the fund rules added reads the events stored before it with the meaning they
/// were decided with, and re-encodes events that carry no new field byte for byte.
@Suite("Fund rule schemas and upcasting")
struct FundRuleUpcastingTests {
    static let policyJSON =
        #"{"claim_after_overdue_days":90,"coverage_bp":4000,"eligible_kinds":["patent","trademark"],"max_leverage":10,"max_pledge_rate_bp":6000,"max_term_months":36,"max_valuation_age_months":12,"npl_suspend_bp":500,"per_borrower_cap_fen":200000000,"per_loan_cap_fen":100000000}"#

    func canonical(_ event: LedgerEvent) throws -> String { CanonicalJSON.string(try event.jsonData()) }

    @Test("a schema-2 FundPolicyAmended reads as all_loans, and a loan enrolled before it gets its terms from its effective date")
    func amendmentSchema2() throws {
        let data =
            #"{"effective_on":"2025-07-01","policy":\#(Self.policyJSON.replacingOccurrences(of: "\"coverage_bp\":4000", with: "\"coverage_bp\":2000")),"reason":"annual review"}"#
        let event = try LedgerEvent.decode(type: "FundPolicyAmended", schema: 2, data: data)
        guard case .fundPolicyAmended(let amended) = event else {
            Issue.record("wrong type")
            return
        }
        #expect(amended.appliesTo == .allLoans)
        #expect(amended.policy.coverageBp == Bp(2000))
        #expect(event.schema == 3)
        // Re-encoded: the stored data with applies_to added, nothing else changed.
        guard case .object(var stored) = try JSONParser.parse(data) else {
            Issue.record("not an object")
            return
        }
        stored.set("applies_to", .string("all_loans"))
        #expect(try canonical(event) == CanonicalJSON.string(.object(stored)))

        // Folded after a FundEstablished of schema 2: the old loan's terms follow the amendment.
        let established = try LedgerEvent.decode(
            type: "FundEstablished", schema: 2,
            data: #"{"established_on":"2023-01-01","fund_id":"F","name":"Fund","policy":\#(Self.policyJSON),"region":"211303"}"#)
        var fund = FundState()
        for (index, event) in [established, event].enumerated() {
            fund = Fund.evolve(
                fund,
                RecordedEvent(
                    id: UUID(), stream: "fund-F", version: Int32(index + 1), position: Int64(index + 1),
                    recordedAt: RecordedTime(microseconds: 0), event: event))
        }
        #expect(fund.terms(forLoanEnrolledOn: date("2025-01-15"), asOf: date("2025-06-30"))?.coverageBp == Bp(4000))
        #expect(fund.terms(forLoanEnrolledOn: date("2025-01-15"), asOf: date("2025-07-01"))?.coverageBp == Bp(2000))
    }

    @Test("a schema-1 FundPolicyAmended takes both steps: max_valuation_age_months 12, then all_loans")
    func amendmentSchema1() throws {
        let policy = Self.policyJSON.replacingOccurrences(of: "\"max_valuation_age_months\":12,", with: "")
        let event = try LedgerEvent.decode(
            type: "FundPolicyAmended", schema: 1, data: #"{"effective_on":"2024-01-01","policy":\#(policy),"reason":"r"}"#)
        guard case .fundPolicyAmended(let amended) = event else {
            Issue.record("wrong type")
            return
        }
        #expect(amended.policy.maxValuationAgeMonths == 12 && amended.appliesTo == .allLoans)
    }

    @Test("a schema-2 FundEstablished is a schema-3 one with no optional rules, and re-encodes byte for byte")
    func establishedSchema2() throws {
        let data = #"{"established_on":"2023-01-01","fund_id":"F","name":"Fund","policy":\#(Self.policyJSON),"region":"211303"}"#
        let event = try LedgerEvent.decode(type: "FundEstablished", schema: 2, data: data)
        guard case .fundEstablished(let established) = event else {
            Issue.record("wrong type")
            return
        }
        let policy = established.policy
        #expect(policy.maxPrincipalFenByFirmSize == nil && policy.maxPrincipalPerFirmPerYearFen == nil && policy.maxRateOverLprBp == nil)
        #expect(!policy.borrowerInRegion && policy.bankQuotaFen == nil)
        #expect(event.schema == 3)
        #expect(try canonical(event) == (try CanonicalJSON.canonicalize(data)))
    }

    @Test("a policy with its optional rules set encodes them under their snake_case keys, and decodes them back")
    func optionalRulesJSON() throws {
        let text = CanonicalJSON.string(try JSONParser.parse(EventCoding.encoder.encode(EventRoundTripTests.fullPolicy)))
        #expect(text.contains(#""max_principal_fen_by_firm_size":{"medium":600000000,"micro":200000000,"small":600000000}"#))
        #expect(text.contains(#""max_principal_per_firm_per_year_fen":800000000"#))
        #expect(
            text.contains(#""max_rate_over_lpr_bp":150"#) && text.contains(#""borrower_in_region":true"#)
                && text.contains(#""bank_quota_fen":5000000000"#))
        #expect(!text.contains("large"))
        #expect(try EventCoding.decoder.decode(FundPolicy.self, from: Data(text.utf8)) == EventRoundTripTests.fullPolicy)
        // Absent, and false for borrower_in_region, are not encoded: the JSON of a policy without them is what it was.
        let plain = CanonicalJSON.string(try JSONParser.parse(EventCoding.encoder.encode(examplePolicy)))
        #expect(plain == Self.policyJSON)
    }

    @Test("a schema-1 LoanDefaulted reads missed_due_on = defaulted_on − days_overdue — the issue's 365 days included, as it was decided")
    func defaultedSchema1() throws {
        let data = #"{"classification":"loss","days_overdue":365,"defaulted_on":"2025-01-05","outstanding_fen":500000000}"#
        let event = try LedgerEvent.decode(type: "LoanDefaulted", schema: 1, data: data)
        guard case .loanDefaulted(let defaulted) = event else {
            Issue.record("wrong type")
            return
        }
        #expect(defaulted.missedDueOn == date("2024-01-06"))
        #expect(defaulted.daysOverdue == 365)
        #expect(event.schema == 2)
        #expect(
            try canonical(event)
                == #"{"classification":"loss","days_overdue":365,"defaulted_on":"2025-01-05","missed_due_on":"2024-01-06","outstanding_fen":500000000}"#
        )
        // Schema 1 allowed 36,500 days: a due date before 1900 is read as 1900-01-01, so the event still loads.
        let ancient = try LedgerEvent.decode(
            type: "LoanDefaulted", schema: 1,
            data: #"{"classification":"loss","days_overdue":36500,"defaulted_on":"1950-01-01","outstanding_fen":1}"#)
        guard case .loanDefaulted(let old) = ancient else {
            Issue.record("wrong type")
            return
        }
        #expect(old.missedDueOn == date("1900-01-01") && old.daysOverdue == 36500)
        #expect(throws: EventDecodingError.self) {
            try LedgerEvent.decode(
                type: "LoanDefaulted", schema: 1, data: #"{"classification":"loss","defaulted_on":"2025-01-05","outstanding_fen":1}"#)
        }
    }

    @Test("a schema-1 BorrowerRegistered has no firm size and re-encodes byte for byte; the size recorded later is in force from its date")
    func borrowerSchema1() throws {
        let data = #"{"industry":"C3841","name":"Co","region":"211303","tech_sme":true,"uscc":"91512081MA62K0260E"}"#
        let event = try LedgerEvent.decode(type: "BorrowerRegistered", schema: 1, data: data)
        guard case .borrowerRegistered(let registered) = event else {
            Issue.record("wrong type")
            return
        }
        #expect(registered.firmSize == nil)
        #expect(event.schema == 2)
        #expect(try canonical(event) == data)
        var state = BorrowerState()
        let sized = LedgerEvent.borrowerFirmSizeRecorded(BorrowerFirmSizeRecorded(firmSize: .small, recordedOn: date("2024-06-01")))
        for (index, event) in [event, sized].enumerated() {
            state = Borrower.evolve(
                state,
                RecordedEvent(
                    id: UUID(), stream: "borrower-x", version: Int32(index + 1), position: Int64(index + 1),
                    recordedAt: RecordedTime(microseconds: 0), event: event))
        }
        #expect(
            state.firmSize(on: date("2024-05-31")) == nil && state.firmSize(on: date("2024-06-01")) == .small && state.firmSize == .small)
        #expect(
            try canonical(
                .borrowerRegistered(
                    BorrowerRegistered(
                        uscc: registered.uscc, name: "Co", industry: registered.industry, region: registered.region,
                        techSme: true, firmSize: .micro))
            ).contains(#""firm_size":"micro""#))
    }
}
