import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// A fund's stored state (`FundState.storedForm`): a stored text is read only by a build of
/// the same form, so the form must change whenever the text's shape does.
@Suite("A fund's stored state")
struct FundStoredStateTests {
    /// A fund with something in every field and container.
    static func fullFund() throws -> FundState {
        let (a, b) = (validUscc("91210000MA0000001"), validUscc("91210000MA0000002"))
        let (loan, other) = (loanKey("BANK-A", "C-1"), loanKey("BANK-B", "C 2".replacingOccurrences(of: " ", with: "-")))
        let source = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
        var fund = FundState()
        fund.id = fundId("LC-IPRC")
        fund.name = "龙城区风险补偿资金"
        fund.region = try RegionCode("211303")
        fund.establishedOn = date("2022-01-01")
        fund.policies = [.init(effectiveOn: date("2022-01-01"), policy: examplePolicy, appliesTo: .newEnrolments)]
        fund.suspensions = [.init(on: date("2024-01-01"), suspended: true)]
        fund.banks = [bankId("BANK-A"): date("2022-01-02")]
        fund.contributions = [
            source: FundContributionReceived(
                amountFen: yuan("100.00"), contributor: .city, receivedOn: date("2022-01-03"), reference: "R-1")
        ]
        fund.reversed = [source]
        fund.committedByBorrower = [a: yuan("1.00")]
        fund.committedByLoan = [loan: yuan("1.00")]
        fund.flows = [.init(on: date("2022-01-03"), amount: yuan("100.00"), source: source, kind: .contribution)]
        fund.cover.loans = [
            loan: .init(borrower: a, principal: yuan("5.00"), enrolledOn: date("2022-02-01")),
            other: .init(
                borrower: b, principal: yuan("6.00"), enrolledOn: date("2022-02-02"), defaultedOutstanding: yuan("3.00"),
                defaultedOn: date("2023-01-01"), released: .closed, releasedOn: date("2023-06-01")),
        ]
        fund.cover.total.coveredPrincipal = yuan("5.00")
        fund.cover.byBank = [bankId("BANK-A"): fund.cover.total]
        fund.cover.grantedByBorrowerYear = [.init(borrower: a, year: 2022): yuan("5.00")]
        fund.cover.bankSuspensions = [bankId("BANK-B"): [.init(on: date("2023-02-01"), suspended: true)]]
        fund.compensations = [
            .init(
                loan: other, borrower: b, claimNo: 1, approved: yuan("1.00"), approvedOn: date("2023-03-01"), paid: yuan("0.50"),
                released: yuan("0.10"), paidOn: date("2023-04-01"))
        ]
        fund.returnedToContributors = [.city: yuan("2.00")]
        return fund
    }

    /// Both funds after a random sequence, which reaches their queue, their account and their
    /// cover book.
    static func richFunds(seed: UInt64 = 165) throws -> [FundState] {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for _ in 0..<480 {
            do { try ledger.run(generator.next(ledger)) } catch is DomainError {}
        }
        return generator.funds.map(ledger.fund)
    }

    /// Every path to a value in `value`: members by name, elements as `[]`.
    static func paths(_ value: JSONValue, _ path: String = "") -> Set<String> {
        switch value {
        case .object(let object):
            object.members.reduce(into: [path]) { $0.formUnion(paths($1.value, path.isEmpty ? $1.key : "\(path).\($1.key)")) }
        case .array(let elements): elements.reduce(into: [path]) { $0.formUnion(paths($1, "\(path)[]")) }
        default: [path]
        }
    }

    /// The shape of each form's text. A change of `FundState`'s fields (or of a type it holds)
    /// changes the shape: give it a new form, and add the new shape here beside the old one.
    static let shapes: [String: [String]] = [
        "fund-state-1": [
            "", "banks", "banks[]", "committed_by_borrower", "committed_by_borrower[]", "committed_by_loan", "committed_by_loan[]",
            "committed_by_loan[].bank_id", "committed_by_loan[].contract_no", "compensations", "compensations[]",
            "compensations[].approved", "compensations[].approved_on", "compensations[].borrower", "compensations[].claim_no",
            "compensations[].loan", "compensations[].loan.bank_id", "compensations[].loan.contract_no", "compensations[].paid",
            "compensations[].paid_on", "compensations[].released", "contributions", "contributions[]", "contributions[].amount_fen",
            "contributions[].contributor", "contributions[].received_on", "contributions[].reference", "cover",
            "cover.bank_suspensions", "cover.bank_suspensions[]", "cover.bank_suspensions[][]", "cover.bank_suspensions[][].on",
            "cover.bank_suspensions[][].suspended", "cover.by_bank", "cover.by_bank[]", "cover.by_bank[].covered_principal",
            "cover.by_bank[].non_performing", "cover.granted_by_borrower_year", "cover.loans", "cover.total",
            "cover.total.covered_principal", "cover.total.non_performing", "established_on", "flows", "flows[]", "flows[].amount",
            "flows[].kind", "flows[].on", "flows[].source", "id", "name", "policies", "policies[]", "policies[].applies_to",
            "policies[].effective_on", "policies[].policy", "policies[].policy.bank_quota_fen", "policies[].policy.borrower_in_region",
            "policies[].policy.claim_after_overdue_days", "policies[].policy.coverage_bp", "policies[].policy.eligible_kinds",
            "policies[].policy.eligible_kinds[]", "policies[].policy.max_leverage", "policies[].policy.max_pledge_rate_bp",
            "policies[].policy.max_principal_fen_by_firm_size", "policies[].policy.max_principal_fen_by_firm_size.medium",
            "policies[].policy.max_principal_fen_by_firm_size.micro", "policies[].policy.max_principal_fen_by_firm_size.small",
            "policies[].policy.max_principal_per_firm_per_year_fen", "policies[].policy.max_rate_over_lpr_bp",
            "policies[].policy.max_term_months", "policies[].policy.max_valuation_age_months", "policies[].policy.npl_suspend_bp",
            "policies[].policy.per_borrower_cap_fen", "policies[].policy.per_loan_cap_fen", "region", "returned_to_contributors",
            "returned_to_contributors[]", "reversed", "reversed[]", "suspensions", "suspensions[]", "suspensions[].on",
            "suspensions[].suspended",
        ]
    ]

    @Test("the first part's shape is the one recorded for its form; the others are the covered loans")
    func shapeOfTheForm() throws {
        // Every field and container holds something in one of these (the random funds' policies
        // set every optional term).
        let fund = try Self.fullFund()
        let parts = try fund.storedParts(loansPerPart: 1)
        let shape = try ([fund] + Self.richFunds()).reduce(into: Set<String>()) {
            $0.formUnion(Self.paths(try JSONParser.parse($1.storedParts()[0])))
        }.sorted()
        #expect(shape == Self.shapes[FundState.storedForm], "\(shape)")
        #expect(try FundState(storedParts: parts) == fund)
        #expect(parts.count == 3)
        #expect(parts.dropFirst().allSatisfy { !$0.contains("\"") && !$0.contains("\\") }, "loans are lines, not JSON")
    }

    @Test("a fund reads back as the same state in parts of any size, and its loans make the same parts again", arguments: [1, 4, 10_000])
    func readsBack(loansPerPart: Int) throws {
        var fund = try Self.fullFund()
        for n in 1...25 {
            fund.cover.loans[loanKey("BANK-C", "C-\(n)")] = .init(
                borrower: validUscc("91210000MA00000\(10 + n)"), principal: yuan("\(n).01"), enrolledOn: date("2024-03-\(10 + n % 15)"))
        }
        let parts = try fund.storedParts(loansPerPart: loansPerPart)
        let read = try FundState(storedParts: parts)
        #expect(read == fund)
        #expect(read.cover == fund.cover && read.balance == fund.balance)
        let later = try BusinessDate(year: 2030, month: 1, day: 1)
        #expect(
            read.flows.sum(through: later) == fund.flows.sum(through: later)
                && read.lowestBalance(from: later) == fund.lowestBalance(from: later))
        // The loans' lines are sorted: the same loans, the same parts.
        #expect(try read.storedParts(loansPerPart: loansPerPart).dropFirst() == parts.dropFirst())
    }

    @Test(
        "a cover line that is not one is refused",
        arguments: [
            "B C {U} 100 2024-01-02   ", "B C 91210000MA0000001X 100 2024-01-02    ", "B C {U} x 2024-01-02    ",
            "B C {U} 100 2024-13-02    ", "B C {U} 100 2024-01-02   gone ", "B C/d {U} 100 2024-01-02    ",
        ])
    func refusesBadLines(line: String) throws {
        let fund = try Self.fullFund()
        let parts = try fund.storedParts(loansPerPart: 2)
        let uscc = validUscc("91210000MA0000001").value
        // The line written well is read.
        var wellWritten = parts
        wellWritten[1] = "B C \(uscc) 100 2024-01-02    ;" + parts[1]
        #expect(try FundState(storedParts: wellWritten).cover.loans.count == fund.cover.loans.count + 1)
        var bad = parts
        bad[1] = line.replacingOccurrences(of: "{U}", with: uscc) + ";" + parts[1]
        #expect(throws: DecodingError.self) { try FundState(storedParts: bad) }
    }
}
