import Foundation
import PledgerDomain

/// Request bodies of the fund routes. JSON keys are the snake_case of the property names.
struct EstablishFundRequest: Codable {
    var fundId: FundId
    var name: String
    var region: RegionCode
    var policy: FundPolicy
    var establishedOn: BusinessDate

    var command: LedgerCommand { .fund(fundId, .establish(id: fundId, name: name, region: region, policy: policy, establishedOn: establishedOn)) }
}

struct AmendPolicyRequest: Codable {
    var policy: FundPolicy
    var effectiveOn: BusinessDate
    var reason: String

    func command(_ fund: FundId) -> LedgerCommand { .fund(fund, .amendPolicy(policy, effectiveOn: effectiveOn, reason: reason)) }
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
