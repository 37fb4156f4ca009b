import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import Testing

@testable import PledgerApplication

@Suite("Fund account: the ledger's movements and the bank's statement")
struct FundAccountReconciliationTests {
    typealias Line = FundAccountReconciliation.Line

    /// The example district's fund after interest, a bank charge, money returned to the
    /// city and the district's contribution reversed (which the account never saw).
    static func account() throws -> FundAccountLedger {
        var district = try ExampleDistrict()
        let fund = district.fund
        let contributions = district.ledger.streams[.fund(fund)]!.filter {
            if case .fundContributionReceived = $0.event { true } else { false }
        }
        try district.ledger.run(
            .fund(fund, .reverseContribution(eventId: contributions[2].id, on: date("2023-02-02"), reason: "entered twice")))
        try district.ledger.run(
            .fund(fund, .creditInterest(amount: yuan("8,750.00"), creditedOn: date("2023-03-21"), reference: "结息2023Q1")))
        try district.ledger.run(
            .fund(fund, .chargeBank(amount: yuan("15.00"), chargedOn: date("2023-03-22"), reference: "FEE-1", description: "网银年费")))
        try district.ledger.run(
            .fund(
                fund,
                .returnContribution(
                    amount: yuan("500,000.00"), contributor: .city, returnedOn: date("2023-04-03"), reference: "RET-1", reason: "决算")))
        return FundAccountLedger(fund: district.ledger.fund(fund), events: district.ledger.streams[.fund(fund)]!)
    }

    /// The statement a bank would print for `account`: one line per movement, the running balance on each.
    static func statement(_ account: FundAccountLedger) -> [Line] {
        var balance = Money.zero
        return account.movements.enumerated().map { index, movement in
            balance = balance.adding(saturating: movement.amount)
            return Line(
                line: index + 2, date: movement.date, amount: movement.amount, counterparty: "", reference: movement.reference,
                balance: balance)
        }
    }

    @Test("movements: in and out, named by kind; a reversed contribution is none")
    func movements() throws {
        let account = try Self.account()
        #expect(account.movements.map(\.kind) == [.contribution, .contribution, .interest, .bankCharge, .returned(to: .city)])
        #expect(
            account.movements.map(\.amount) == [
                yuan("3,000,000.00"), yuan("4,000,000.00"), yuan("8,750.00"), Money(fen: -1_500), Money(fen: -50_000_000),
            ])
        #expect(
            account.movements.map(\.kind.description) == ["contribution", "contribution", "interest", "bank charge", "returned to city"])
        #expect(account.movements.map(\.reference) == ["拨付-province", "拨付-city", "结息2023Q1", "FEE-1", "RET-1"])
        #expect(account.fund.balance == yuan("6,508,735.00"))
    }

    @Test("a statement that shows every movement is clean, its closing balance included")
    func clean() throws {
        let account = try Self.account()
        let rows = FundAccountReconciliation.compare(Self.statement(account), ledger: account, toleranceDays: 3)
        #expect(rows.count == 6 && rows.allSatisfy { $0.finding == .matched })
        #expect(
            rows.last
                == .init(
                    finding: .matched, line: 6, date: date("2023-04-03"), reference: "closing balance",
                    statementAmount: yuan("6,508,735.00"), ledgerAmount: yuan("6,508,735.00"), note: "closing balance agrees"))
        #expect(rows[3].note == "bank charge" && rows[3].statementAmount == Money(fen: -1_500))
    }

    @Test("late, short, missing and unknown lines and a wrong closing balance are each found")
    func differences() throws {
        let account = try Self.account()
        var statement = Self.statement(account)
        statement[0].date = date("2023-02-11")  // ten days late
        statement[2].amount = yuan("8,700.00")  // interest short by 50.00
        statement.remove(at: 3)  // the bank charge missing
        statement.append(
            Line(line: 9, date: date("2023-04-04"), amount: yuan("1.00"), counterparty: "?", reference: "X-1", balance: yuan("1.00")))
        let rows = FundAccountReconciliation.compare(statement, ledger: account, toleranceDays: 3)
        let found = Dictionary(grouping: rows, by: \.finding)
        #expect(found[.dateOutsideTolerance]?.map(\.note) == ["contribution dated 2023-02-01 in the ledger, 10 days apart (tolerance 3)"])
        #expect(found[.amountDifference]?.map(\.note) == ["interest: difference -50.00 (statement − ledger)"])
        #expect(
            found[.amountDifference]?.first?.statementAmount == yuan("8,700.00")
                && found[.amountDifference]?.first?.ledgerAmount == yuan("8,750.00"))
        #expect(
            found[.onlyInLedger] == [
                .init(
                    finding: .onlyInLedger, date: date("2023-03-22"), reference: "FEE-1", ledgerAmount: Money(fen: -1_500),
                    note: "bank charge in the ledger, not on the statement")
            ])
        #expect(found[.onlyInStatement]?.map(\.note) == ["no contribution or recovery share with this reference in the ledger"])
        #expect(found[.closingBalanceDifference]?.first?.ledgerAmount == yuan("6,508,735.00"))
        #expect(found[.closingBalanceDifference]?.first?.note == "closing balance differs by -6,508,734.00 (statement − ledger)")
        // With a wider tolerance the late contribution matches.
        #expect(
            !FundAccountReconciliation.compare(statement, ledger: account, toleranceDays: 10).contains {
                $0.finding == .dateOutsideTolerance
            })
    }

    @Test("statement lines: one amount per line, more than nothing, on its line and column")
    func readErrors() throws {
        func read(_ rows: String) throws -> [Line] {
            try FundAccountReconciliation.read(
                try SpreadsheetFile(
                    path: "account.csv", contents: Data(("date,amount_in,amount_out,counterparty,reference\n" + rows).utf8),
                    required: FundAccountReconciliation.required, optional: FundAccountReconciliation.optional))
        }
        #expect(throws: ApplicationError.badInput("account.csv: line 2, column amount_in: give exactly one of amount_in and amount_out")) {
            try read("2025-01-02,1.00,2.00,bank,R\n")
        }
        #expect(throws: ApplicationError.badInput("account.csv: line 3, column amount_out: must be more than 0.00")) {
            try read("2025-01-02,1.00,,bank,R\n2025-01-03,,0.00,bank,S\n")
        }
        #expect(
            try read("2025-01-02,,\"1,000.00\",,R\n") == [
                Line(line: 2, date: date("2025-01-02"), amount: yuan("-1,000.00"), counterparty: "", reference: "R")
            ])
    }

    @Test("run reads the fund's account from the ledger: the administrator's month reconciles clean; an unknown fund is a failure")
    func run() async throws {
        try await TestDatabase.withLedger { store, _ in
            try await FundMonth.recordBankSide(store)
            for (reference, act) in AdministratorActTests.month {
                _ = try await act.perform(reference: reference, actor: "test", ledger: Ledger(log: store))
            }
            let statement = try FundAccountReconciliation.read(
                try SpreadsheetFile(
                    path: "month.csv", contents: Data(FundMonth.statement.utf8), required: FundAccountReconciliation.required,
                    optional: FundAccountReconciliation.optional))
            let rows = try await FundAccountReconciliation.run(
                ledger: Ledger(log: store), fund: FundMonth.fund, statement: statement, toleranceDays: 3)
            #expect(rows.count == 6 && rows.allSatisfy { $0.finding == .matched }, "\(rows)")
            #expect(rows.last?.ledgerAmount == FundMonth.closingBalance)
            await #expect(throws: ApplicationError.failure("no fund NOPE in the ledger")) {
                try await FundAccountReconciliation.run(
                    ledger: Ledger(log: store), fund: fundId("NOPE"), statement: statement, toleranceDays: 3)
            }
        }
    }
}
