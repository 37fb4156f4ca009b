import Foundation
import PledgerDomain

/// Request bodies of the subsidy routes: a programme, a firm's application (interest or an
/// appraisal fee), its decision and its payments.
struct SubsidyProgrammeRequest: Codable {
    var programmeId: SubsidyProgrammeId
    var name: String
    var kind: SubsidyKind
    var rateBp: Bp
    var capFen: Money
    var budgetFen: Money
    var startsOn: BusinessDate
    var endsOn: BusinessDate

    var command: LedgerCommand {
        .subsidy(
            programmeId,
            .establish(
                SubsidyProgrammeEstablished(
                    programmeId: programmeId, name: name, kind: kind, rateBp: rateBp, capFen: capFen, budgetFen: budgetFen,
                    startsOn: startsOn, endsOn: endsOn)))
    }
}

/// A firm's interest of one year on the loans it cites (each by bank and contract).
struct InterestSubsidyRequest: Codable {
    struct LoanRef: Codable {
        var bankId: BankId
        var contractNo: ContractNo
    }
    var borrower: Uscc
    var year: Int
    var loans: [LoanRef]
    var appliedOn: BusinessDate

    var command: SubsidyCommand {
        .applyForInterest(
            borrower: borrower, year: year, loans: loans.map { LoanKey(bank: $0.bankId, contract: $0.contractNo) }, appliedOn: appliedOn)
    }
}

struct AppraisalFeeSubsidyRequest: Codable {
    var borrower: Uscc
    var assetId: AssetId
    var valuationId: ValuationId
    var feeFen: Money
    var invoiceRef: String
    var appliedOn: BusinessDate

    var command: SubsidyCommand {
        .applyForAppraisalFee(
            borrower: borrower, asset: assetId, valuation: valuationId, fee: feeFen, invoiceRef: invoiceRef, appliedOn: appliedOn)
    }
}

/// `amount_fen` left out on an approval: the whole entitlement.
struct SubsidyDecisionRequest: Codable {
    enum Decision: String, ClosedSet { case approve, reject }
    var decision: Decision
    var decidedOn: BusinessDate
    var amountFen: Money?
    var reason: String?

    func command(_ number: Int) throws -> SubsidyCommand {
        switch decision {
        case .approve:
            guard reason == nil else { throw Problem.invalid("reason", "an approval has no reason; leave reason out") }
            return .approve(applicationNo: number, amount: amountFen, approvedOn: decidedOn)
        case .reject:
            guard amountFen == nil else { throw Problem.invalid("amount_fen", "a rejection approves no amount; leave amount_fen out") }
            guard let reason else { throw Problem.invalid("reason", "a rejection needs a reason") }
            return .reject(applicationNo: number, rejectedOn: decidedOn, reason: reason)
        }
    }
}

/// `amount_fen` left out: what is approved and not paid yet.
struct SubsidyPaymentRequest: Codable {
    var amountFen: Money?
    var paidOn: BusinessDate
    var reference: String

    func command(_ number: Int) -> SubsidyCommand { .pay(applicationNo: number, amount: amountFen, paidOn: paidOn, reference: reference) }
}
