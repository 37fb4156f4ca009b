import Foundation
import PledgerDomain

/// Request bodies of the fund routes. JSON keys are the snake_case of the property names.
struct EstablishFundRequest: Codable {
    var fundId: FundId
    var name: String
    var region: RegionCode
    var policy: FundPolicy
    var establishedOn: BusinessDate

    var command: LedgerCommand {
        .fund(fundId, .establish(id: fundId, name: name, region: region, policy: policy, establishedOn: establishedOn))
    }
}

/// An amendment reaches loans enrolled from its date on, unless `applies_to` is `all_loans`.
struct AmendPolicyRequest: Codable {
    var policy: FundPolicy
    var effectiveOn: BusinessDate
    var reason: String
    var appliesTo: PolicyScope?

    func command(_ fund: FundId) -> LedgerCommand {
        .fund(fund, .amendPolicy(policy, effectiveOn: effectiveOn, reason: reason, appliesTo: appliesTo ?? .newEnrolments))
    }
}

struct ContributionRequest: Codable {
    var amountFen: Money
    var contributor: Contributor
    var receivedOn: BusinessDate
    var reference: String

    func command(_ fund: FundId) -> LedgerCommand {
        .fund(fund, .receiveContribution(amount: amountFen, contributor: contributor, receivedOn: receivedOn, reference: reference))
    }
}

struct JoinBankRequest: Codable {
    var bankId: BankId
    var agreement: String
    var effectiveOn: BusinessDate

    func command(_ fund: FundId) -> LedgerCommand { .fund(fund, .joinBank(bankId, agreement: agreement, effectiveOn: effectiveOn)) }
}

/// Suspension and resumption of a fund.
struct FundStatusRequest: Codable {
    var effectiveOn: BusinessDate
    var reason: String
}

/// Reversal of an entry (a contribution on a fund; a repayment or recovery on a loan).
struct ReversalRequest: Codable {
    var reversedEventId: UUID
    var reversedOn: BusinessDate
    var reason: String
}

/// Interest the bank credited to the fund's account (结息).
struct InterestRequest: Codable {
    var amountFen: Money
    var creditedOn: BusinessDate
    var reference: String
    func command(_ fund: FundId) -> LedgerCommand {
        .fund(fund, .creditInterest(amount: amountFen, creditedOn: creditedOn, reference: reference))
    }
}

/// A charge the bank took from the fund's account.
struct BankChargeRequest: Codable {
    var amountFen: Money
    var chargedOn: BusinessDate
    var reference: String
    var description: String
    func command(_ fund: FundId) -> LedgerCommand {
        .fund(fund, .chargeBank(amount: amountFen, chargedOn: chargedOn, reference: reference, description: description))
    }
}

/// Money paid back to a contributor.
struct ContributionReturnRequest: Codable {
    var amountFen: Money
    var contributor: Contributor
    var returnedOn: BusinessDate
    var reference: String
    var reason: String
    func command(_ fund: FundId) -> LedgerCommand {
        .fund(
            fund,
            .returnContribution(amount: amountFen, contributor: contributor, returnedOn: returnedOn, reference: reference, reason: reason))
    }
}

/// Money moved to another fund; both funds' streams are written at once.
struct TransferRequest: Codable {
    var toFundId: FundId
    var amountFen: Money
    var transferredOn: BusinessDate
    var reference: String
    func command(_ fund: FundId) -> LedgerCommand {
        .fund(fund, .transferOut(to: toFundId, amount: amountFen, transferredOn: transferredOn, reference: reference))
    }
}

/// Pays the queue of approved claims, oldest approval first, up to the balance (and `limit_fen`).
struct QueuePaymentRequest: Codable {
    var paidOn: BusinessDate
    var reference: String
    var limitFen: Money?
    func command(_ fund: FundId) -> LedgerCommand { .fund(fund, .payQueue(on: paidOn, reference: reference, limit: limitFen)) }
}

/// A dated LPR fixing, the reference for a policy's rate cap.
struct LprRequest: Codable {
    var tenor: LprTenor
    var rateBp: Bp
    var effectiveOn: BusinessDate
    var command: LedgerCommand { .lpr(.publish(tenor: tenor, rate: rateBp, effectiveOn: effectiveOn)) }
}
