import Foundation
import PledgerApplication
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Loan import: the CSV read as loans, then checked and written")
struct LoanImportTests {
    static let sampleLines = try! String(contentsOf: DemoLedger.samples.appendingPathComponent("loans.csv"), encoding: .utf8)
        .split(separator: "\n").map(String.init)

    static func file(_ lines: [String], path: String = "loans.csv") throws -> SpreadsheetFile {
        try SpreadsheetFile(
            path: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8), required: LoanImport.required,
            optional: LoanImport.optional)
    }

    /// The sample's first row pledging another patent (its own valuation and pledge number).
    static var secondAsset: String {
        sampleLines[1].replacingOccurrences(of: "ZL201910456789", with: "ZL201910456790").replacingOccurrences(
            of: "Y2025211303000901", with: "Y2025211303000911")
    }

    @Test("the sample: two loans; terms, collateral, and the principal repaid before the import")
    func sample() throws {
        let (loans, problems) = try LoanImport.read(try Self.file(Self.sampleLines))
        #expect(problems.isEmpty)
        try #require(loans.count == 2)
        let first = loans[0]
        #expect(first.key == loanKey("LCRCB", "LCRCB-2019-00901") && first.lines == "line 2")
        #expect(first.terms.principal == yuan("3,000,000.00") && first.terms.rate == Bp(395) && first.terms.fund == fundId("LC-IPRC"))
        #expect(first.terms.outstanding == yuan("2,400,000.00") && first.terms.outstandingOn == date("2025-09-01"))
        let commands = try first.commands
        #expect(commands.count == 5)
        guard case .loan(_, .repay(let principal, let interest, let paidOn)) = commands.last else {
            Issue.record("\(commands)")
            return
        }
        #expect(principal == yuan("600,000.00") && interest == .zero && paidOn == date("2025-09-01"))
        #expect(loans[1].terms.fund == nil && loans[1].terms.outstanding == nil && loans[1].terms.techSme == false)
        #expect(try loans[1].commands.count == 4)
    }

    @Test("rows with one contract number are one loan with every pledged asset")
    func severalAssets() throws {
        let (loans, problems) = try LoanImport.read(try Self.file([Self.sampleLines[0], Self.sampleLines[1], Self.secondAsset]))
        #expect(problems.isEmpty)
        #expect(loans.count == 1 && loans[0].lines == "lines 2, 3")
        #expect(loans[0].origination.collateral.map(\.asset) == [assetId("ZL201910456789"), assetId("ZL201910456790")])
    }

    @Test("problems name the file, the line and the column, in line order; their loans are left out")
    func problems() throws {
        var lines = Self.sampleLines
        lines[2] = lines[2].replacingOccurrences(of: ",420,", with: ",abc,")
        let conflicting = Self.secondAsset.replacingOccurrences(of: "\"3,000,000.00\",395", with: "\"2,500,000.00\",395")
        let twice = Self.sampleLines[1]
        let badTech = lines[1].replacingOccurrences(of: ",true,", with: ",maybe,").replacingOccurrences(
            of: "LCRCB-2019-00901", with: "LCRCB-2019-00903")
        let (loans, problems) = try LoanImport.read(try Self.file(lines + [conflicting, twice, badTech], path: "q3.csv"))
        #expect(loans.isEmpty)
        #expect(problems.map(\.line) == [3, 4, 5, 6])
        #expect(
            problems.map(\.message) == [
                "q3.csv: line 3, column rate_bp: must be an integer number of basis points (385 = 3.85%)",
                "q3.csv: lines 2 and 4: contract LCRCB/LCRCB-2019-00901 — principal is 3,000,000.00 on line 2 but 2,500,000.00 on line 4; all rows of one contract must agree on the loan (one row per pledged asset)",
                "q3.csv: lines 2 and 5: contract LCRCB/LCRCB-2019-00901 pledges asset ZL201910456789 twice",
                "q3.csv: line 6, column tech_sme: must be true or false",
            ])
    }

    @Test("outstanding above the principal is refused on its line")
    func outstanding() throws {
        let row = Self.sampleLines[1].replacingOccurrences(of: "\"2,400,000.00\"", with: "\"3,000,000.01\"")
        let (_, problems) = try LoanImport.read(try Self.file([Self.sampleLines[0], row]))
        #expect(problems.map(\.message) == ["loans.csv: line 2, column outstanding: must be between 0.00 and the principal"])
    }

    @Test("a refusal by the ledger's rules names the file's column, not the rule's field")
    func refusalNamesTheColumn() async throws {
        // Principal 7,000,000.00 against a patent valued 8,000,000.00: a pledge rate of 87.5%.
        var lines = Self.sampleLines
        lines[1] = lines[1].replacingOccurrences(of: ",\"3,000,000.00\",395,", with: ",\"7,000,000.00\",395,")
        #expect(lines[1] != Self.sampleLines[1])
        try await DemoLedger.with { store in
            let refused = try await LoanImport.run(try Self.file(lines), ledger: Ledger(log: store), skipInvalid: false)
            let message = try #require(refused.problems.first?.message)
            #expect(message.hasPrefix("loans.csv: line 2, column principal: "), "\(message)")
            #expect(!message.contains("principal_fen"), "\(message)")
        }
    }

    @Test("run: all or nothing; with skipInvalid the valid loans; a re-run recognises what is in")
    func run() async throws {
        var lines = Self.sampleLines
        lines[2] = lines[2].replacingOccurrences(of: ",420,", with: ",abc,")
        let file = try Self.file(lines)
        try await DemoLedger.with { store in
            let head = try await store.head().position
            let refused = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: false)
            #expect(refused.problems.map(\.line) == [3] && refused.appended == nil && refused.imported == 1)
            #expect(try await store.head().position == head)

            let partial = try await LoanImport.run(file, ledger: Ledger(log: store), skipInvalid: true)
            #expect(partial.imported == 1 && partial.alreadyThere == 0 && partial.events > 0 && partial.problems.count == 1)
            #expect(partial.appended?.lastPosition == head + Int64(partial.events))
            var states = AggregateStates()
            try await CommandHandler(store: store).load(.loan(loanKey("LCRCB", "LCRCB-2019-00901")), into: &states)
            #expect(states.loans[loanKey("LCRCB", "LCRCB-2019-00901")]?.origination?.principalFen == yuan("3,000,000.00"))

            let again = try await LoanImport.run(try Self.file(Self.sampleLines), ledger: Ledger(log: store), skipInvalid: false)
            #expect(again.alreadyThere == 1 && again.imported == 1 && again.problems.isEmpty)
            let rerun = try await LoanImport.run(try Self.file(Self.sampleLines), ledger: Ledger(log: store), skipInvalid: false)
            #expect(rerun.alreadyThere == 2 && rerun.imported == 0 && rerun.events == 0 && rerun.appended == nil)

            // The same contract with other collateral is not the loan in the ledger.
            let other = try await LoanImport.run(
                try Self.file([Self.sampleLines[0], Self.sampleLines[1], Self.secondAsset]), ledger: Ledger(log: store), skipInvalid: false)
            #expect(
                other.problems.map(\.message) == [
                    "loans.csv: lines 2, 3: loan LCRCB/LCRCB-2019-00901 already exists with other terms or other collateral"
                ])
        }
    }
}
