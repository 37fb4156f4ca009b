import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import Testing

@testable import PledgerApplication

@Suite("Bank statement reconciliation")
struct BankStatementReconciliationTests {
    static let bank = bankId("LCRCB")
    static var ledger: [LoanSnapshot] { DemoLedger.generated.session.states.loanSnapshots.filter { $0.bankId == bank } }

    static func statement(_ text: String) throws -> [BankStatementReconciliation.Line] {
        try BankStatementReconciliation.read(
            try SpreadsheetFile(path: "lcrcb.csv", contents: Data(text.utf8), required: BankStatementReconciliation.columns))
    }

    static func line(_ loan: LoanSnapshot, _ number: Int) -> BankStatementReconciliation.Line {
        .init(line: number, contract: loan.contractNo, borrower: loan.borrower, outstanding: loan.outstandingFen, status: loan.status)
    }

    @Test("the shipped sample agrees with the demo district's ledger, loan by loan")
    func sampleIsClean() throws {
        let statement = try BankStatementReconciliation.read(
            try DemoLedger.sample("bank-statement.csv", required: BankStatementReconciliation.columns))
        let rows = BankStatementReconciliation.compare(statement, ledger: Self.ledger)
        #expect(statement.count == 14)
        #expect(rows.count == statement.count && rows.allSatisfy { $0.finding == .matched }, "\(rows.filter { $0.finding != .matched })")
    }

    @Test("every kind of difference is found, with typed amounts and statuses")
    func differences() throws {
        let open = Self.ledger.filter { $0.status == .active }.sorted { $0.contractNo < $1.contractNo }
        try #require(open.count >= 5)
        let (amount, status, borrower, missing) = (open[0], open[1], open[2], open[3])
        let stranger = uscc("91512081MA62K0260E")
        var statement = open.dropFirst(4).enumerated().map { Self.line($1, $0 + 6) }
        statement += [
            .init(
                line: 2, contract: amount.contractNo, borrower: amount.borrower, outstanding: Money(fen: amount.outstandingFen.fen + 1),
                status: .active),
            .init(line: 3, contract: status.contractNo, borrower: status.borrower, outstanding: status.outstandingFen, status: .defaulted),
            .init(line: 4, contract: borrower.contractNo, borrower: stranger, outstanding: borrower.outstandingFen, status: .active),
            .init(
                line: 5, contract: try ContractNo("LCRCB-2099-00001"), borrower: stranger, outstanding: yuan("1,000.00"), status: .active),
        ]
        let rows = BankStatementReconciliation.compare(statement, ledger: Self.ledger)
        func row(_ contract: ContractNo) -> BankStatementReconciliation.Row? { rows.first { $0.contract == contract } }

        #expect(
            row(amount.contractNo)
                == .init(
                    finding: .amountDifference, contract: amount.contractNo, line: 2,
                    statementOutstanding: Money(fen: amount.outstandingFen.fen + 1), ledgerOutstanding: amount.outstandingFen,
                    statementStatus: .active, ledgerStatus: .active, note: "difference 0.01 (statement − ledger)"))
        #expect(
            row(status.contractNo)?.finding == .statusDifference
                && row(status.contractNo)?.note == "statement says defaulted, ledger active")
        #expect(
            row(borrower.contractNo)?.finding == .borrowerDifference
                && row(borrower.contractNo)?.note == "statement borrower \(stranger), ledger \(borrower.borrower)")
        #expect(
            row(try ContractNo("LCRCB-2099-00001"))
                == .init(
                    finding: .onlyInStatement, contract: try ContractNo("LCRCB-2099-00001"), line: 5,
                    statementOutstanding: yuan("1,000.00"), statementStatus: .active,
                    note: "the ledger has no such loan for this bank"))
        #expect(
            row(missing.contractNo)
                == .init(
                    finding: .onlyInLedger, contract: missing.contractNo, ledgerOutstanding: missing.outstandingFen,
                    ledgerStatus: .active, note: "on the ledger's books but not in the statement"))
        // Defaulted loans are on the books too; closed and written-off ones need not be listed.
        let notListed = Set(rows.filter { $0.finding == .onlyInLedger }.map(\.contract))
        let onBooks = Self.ledger.filter {
            [.active, .defaulted].contains($0.status) && !statement.map(\.contract).contains($0.contractNo)
        }
        #expect(notListed == Set(onBooks.map(\.contractNo)))
        #expect(rows.filter { $0.finding == .matched }.count == statement.count - 4)
    }

    @Test("statement lines: a contract listed twice and a status that is not one name their line and column")
    func readErrors() throws {
        let header = "contract_no,borrower_uscc,outstanding,status\n"
        #expect(throws: ApplicationError.badInput("lcrcb.csv: line 3, column contract_no: C-1 is listed twice (first on line 2)")) {
            try Self.statement(header + "C-1,91512081MA62K0260E,1.00,active\nC-1,91512081MA62K0260E,1.00,active\n")
        }
        #expect(
            throws: ApplicationError.badInput(
                #"lcrcb.csv: line 2, column status: "cancelled" is not a status; use active, defaulted, written_off or closed"#)
        ) {
            try Self.statement(header + "C-1,91512081MA62K0260E,1.00,cancelled\n")
        }
        #expect { try Self.statement(header + "C-1,91512081MA62K0260F,1.00,active\n") } throws: {
            "\($0)".hasPrefix("lcrcb.csv: line 2, column borrower_uscc: ")
        }
        let read = try Self.statement(header + "C-1,91512081MA62K0260E,\"3,200,000.00\",Defaulted\n")
        #expect(
            read == [
                .init(
                    line: 2, contract: try ContractNo("C-1"), borrower: uscc("91512081MA62K0260E"), outstanding: yuan("3,200,000.00"),
                    status: .defaulted)
            ])
    }

    @Test("run reads the bank's loans as of the statement's date")
    func runReadsTheLedgerAsOf() async throws {
        let statement = try BankStatementReconciliation.read(
            try DemoLedger.sample("bank-statement.csv", required: BankStatementReconciliation.columns))
        try await DemoLedger.with { store in
            let yearEnd = try await BankStatementReconciliation.run(
                ledger: Ledger(log: store), bank: Self.bank, asOf: date("2025-12-31"), statement: statement)
            #expect(yearEnd.allSatisfy { $0.finding == .matched })
            // A year earlier the loans of 2025 did not exist yet.
            let earlier = try await BankStatementReconciliation.run(
                ledger: Ledger(log: store), bank: Self.bank, asOf: date("2024-12-31"), statement: statement)
            let late = statement.filter { $0.contract.value.contains("-2025-") }.map(\.contract)
            #expect(!late.isEmpty)
            #expect(earlier.filter { $0.finding == .onlyInStatement }.map(\.contract) == late)
            // Another bank's loans are not this bank's.
            let other = try await BankStatementReconciliation.run(
                ledger: Ledger(log: store), bank: bankId("ICBC-LC"), asOf: date("2025-12-31"), statement: statement)
            #expect(other.filter { $0.finding == .onlyInStatement }.count == statement.count)
        }
    }
}
