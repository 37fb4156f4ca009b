import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import Testing

@testable import PledgerApplication

@Suite("Bordereau reconciliation")
struct BordereauReconciliationTests {
    static let insurer = insurerId("PICC-LC")
    static let asOf = date("2025-12-31")

    /// The demo insurer's policies as the ledger has them at the end of the demo.
    static var positions: [PolicyPosition] {
        let states = DemoLedger.generated.session.states
        return PolicyPosition.positions(states.insurers[insurer]!, loans: states.loans, asOf: asOf)
    }

    static func bordereau(_ text: String) throws -> [BordereauReconciliation.Line] {
        try BordereauReconciliation.read(
            try SpreadsheetFile(path: "picc.csv", contents: Data(text.utf8), required: BordereauReconciliation.columns))
    }

    @Test("the shipped sample agrees with the demo insurer's book, policy by policy; the demo has a settled claim and policies in force")
    func sampleIsClean() throws {
        let lines = try BordereauReconciliation.read(try DemoLedger.sample("bordereau.csv", required: BordereauReconciliation.columns))
        let rows = BordereauReconciliation.compare(lines, ledger: Self.positions)
        #expect(lines.count == Self.positions.count && lines.count >= 3)
        #expect(rows.allSatisfy { $0.finding == .matched }, "\(rows.filter { $0.finding != .matched })")
        #expect(Self.positions.contains { $0.status == .claimSettled && $0.claimsPaid.isPositive })
        #expect(Self.positions.contains { $0.status == .inForce })
    }

    @Test("amount, status, contract, a policy missing and one the ledger does not have: each found, with the amounts")
    func differences() throws {
        let book = Self.positions
        try #require(book.count >= 4)
        let (amount, status, contract, missing) = (book[0], book[1], book[2], book[3])
        func line(_ p: PolicyPosition, contract: String? = nil, amount: Money? = nil, status: String? = nil) -> String {
            "\(p.policyNo),\(contract ?? p.loan.contract.value),\"\(amount ?? p.claimsPaid)\",\(status ?? p.status.rawValue)"
        }
        let otherStatus = status.status == .inForce ? "expired" : "in_force"
        var text = "policy_no,contract_no,amount,status\n"
        text += line(amount, amount: Money(fen: amount.claimsPaid.fen + 100)) + "\n"
        text += line(status, status: otherStatus) + "\n"
        text += line(contract, contract: "OTHER-1") + "\n"
        text += book.dropFirst(4).map { line($0) }.joined(separator: "\n") + "\n"
        text += "PICC-LC-2099-0001,X-1,0.00,in_force\n"
        let rows = BordereauReconciliation.compare(try Self.bordereau(text), ledger: book)
        func row(_ p: PolicyNo) -> BordereauReconciliation.Row? { rows.first { $0.policy == p } }
        #expect(row(amount.policyNo)?.finding == .amountDifference && row(amount.policyNo)?.note == "difference 1.00 (bordereau − ledger)")
        #expect(row(amount.policyNo)?.bordereauAmount == Money(fen: amount.claimsPaid.fen + 100))
        #expect(row(status.policyNo)?.finding == .statusDifference)
        #expect(row(contract.policyNo)?.finding == .contractDifference && row(contract.policyNo)?.line == 4)
        #expect(row(missing.policyNo)?.finding == .onlyInLedger && row(missing.policyNo)?.line == nil)
        #expect(row(try PolicyNo("PICC-LC-2099-0001"))?.finding == .onlyInBordereau)
        #expect(rows.filter { $0.finding == .matched }.count == book.count - 4)
    }

    @Test("a bad line is refused with its line and column")
    func badLines() throws {
        do {
            _ = try Self.bordereau("policy_no,contract_no,amount,status\nP-1,C-1,1.00,in_force\nP-1,C-2,0.00,expired\n")
            Issue.record("a policy listed twice was accepted")
        } catch {
            #expect("\(error)".contains("line 3") && "\(error)".contains("listed twice"), "\(error)")
        }
        do {
            _ = try Self.bordereau("policy_no,contract_no,amount,status\nP-1,C-1,1.00,lapsed\n")
            Issue.record("an unknown status was accepted")
        } catch {
            #expect("\(error)".contains("line 2") && "\(error)".contains("status") && "\(error)".contains("claim_settled"), "\(error)")
        }
    }
}
