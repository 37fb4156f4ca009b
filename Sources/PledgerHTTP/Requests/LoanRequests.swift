import Foundation
import PledgerDomain

struct OriginateRequest: Codable {
    struct Pledge: Codable {
        var assetId: AssetId
        var valuationId: ValuationId?
        var registrationNo: String
    }

    var contractNo: ContractNo
    var borrower: Uscc
    var principalFen: Money
    var rateBp: Bp
    var originatedOn: BusinessDate
    var maturesOn: BusinessDate
    var collateral: [Pledge]
    var fundId: FundId?

    func command(_ bank: BankId) -> LedgerCommand {
        let key = LoanKey(bank: bank, contract: contractNo)
        return .loan(
            key,
            .originate(
                .init(
                    key: key, borrower: borrower, principal: principalFen, rate: rateBp, originatedOn: originatedOn, maturesOn: maturesOn,
                    collateral: collateral.map { .init(asset: $0.assetId, valuation: $0.valuationId, registrationNo: $0.registrationNo) },
                    fund: fundId)))
    }
}

struct RepaymentRequest: Codable {
    var principalFen: Money
    var interestFen: Money
    var paidOn: BusinessDate
    var command: LoanCommand { .repay(principal: principalFen, interest: interestFen, paidOn: paidOn) }
}

/// A default records the due date that was missed; days overdue follow from it (a
/// `days_overdue` sent along must agree).
struct DefaultRequest: Codable {
    var defaultedOn: BusinessDate
    var missedDueOn: BusinessDate
    var daysOverdue: Int?
    var classification: LoanClassification
    var command: LoanCommand {
        .markDefaulted(on: defaultedOn, missedDueOn: missedDueOn, daysOverdue: daysOverdue, classification: classification)
    }
}

struct ClaimRequest: Codable {
    var amountFen: Money
    var claimedOn: BusinessDate
    var command: LoanCommand { .claimCompensation(amount: amountFen, claimedOn: claimedOn) }
}

struct ClaimDecisionRequest: Codable {
    enum Decision: String, ClosedSet { case approve, reject }
    var decision: Decision
    var decidedOn: BusinessDate
    var amountFen: Money?
    var reason: String?

    func command() throws -> LoanCommand {
        switch decision {
        case .approve:
            guard let amountFen else { throw Problem.invalid("amount_fen", "an approval needs amount_fen") }
            return .approveClaim(amount: amountFen, approvedOn: decidedOn)
        case .reject:
            guard let reason else { throw Problem.invalid("reason", "a rejection needs a reason") }
            return .rejectClaim(rejectedOn: decidedOn, reason: reason)
        }
    }
}

/// Pays what is unpaid up to the fund's balance (the rest stays queued), or `amount_fen`.
struct ClaimPaymentRequest: Codable {
    var paidOn: BusinessDate
    var paymentRef: String
    var amountFen: Money?
    var command: LoanCommand { .payClaim(paidOn: paidOn, paymentRef: paymentRef, amount: amountFen) }
}

/// Withdraws a filed claim, or the unpaid rest of an approved one.
struct ClaimWithdrawalRequest: Codable {
    var withdrawnOn: BusinessDate
    var reason: String
    var command: LoanCommand { .withdrawClaim(withdrawnOn: withdrawnOn, reason: reason) }
}

struct RecoveryRequest: Codable {
    var amountFen: Money
    var receivedOn: BusinessDate
    var source: String
    var command: LoanCommand { .receiveRecovery(amount: amountFen, receivedOn: receivedOn, source: source) }
}

struct RecoveryReturnRequest: Codable {
    var returnedOn: BusinessDate
    var reference: String
    func command(_ recovery: Int) -> LoanCommand {
        .returnRecoveryShare(recoveryNo: recovery, returnedOn: returnedOn, reference: reference)
    }
}

struct WriteOffRequest: Codable {
    var writtenOffOn: BusinessDate
    var reason: String
    var command: LoanCommand { .writeOff(on: writtenOffOn, reason: reason) }
}

struct CloseRequest: Codable {
    var closedOn: BusinessDate
    var command: LoanCommand { .close(on: closedOn) }
}

struct CancelRequest: Codable {
    var cancelledOn: BusinessDate
    var reason: String
    var command: LoanCommand { .cancel(on: cancelledOn, reason: reason) }
}

extension ReversalRequest {
    var loanCommand: LoanCommand { .reverse(eventId: reversedEventId, on: reversedOn, reason: reason) }
}
