import Foundation
import PledgerDomain

/// Request bodies of the pledge-insurance routes: a policy on a loan, a premium subsidy.
struct PolicyRequest: Codable {
    var insurerId: InsurerId
    var policyNo: PolicyNo
    var sumInsuredFen: Money
    var premiumFen: Money
    var startsOn: BusinessDate
    var endsOn: BusinessDate
    var issuedOn: BusinessDate

    var command: LoanCommand {
        .insure(
            .init(
                insurer: insurerId, policyNo: policyNo, sumInsured: sumInsuredFen, premium: premiumFen, startsOn: startsOn, endsOn: endsOn,
                issuedOn: issuedOn))
    }
}

/// A policy recorded in error, cancelled before the loan's loss is shared.
struct PolicyCancellationRequest: Codable {
    var insurerId: InsurerId
    var cancelledOn: BusinessDate
    var reason: String

    var command: LoanCommand { .cancelPolicy(insurer: insurerId, cancelledOn: cancelledOn, reason: reason) }
}

/// `amount_fen` left out: all of the premium no fund has subsidised yet.
struct PremiumSubsidyRequest: Codable {
    var fundId: FundId
    var amountFen: Money?
    var paidOn: BusinessDate
    var reference: String

    func command(_ insurer: InsurerId, _ policy: PolicyNo) -> LedgerCommand {
        .insurer(insurer, .subsidisePremium(policyNo: policy, fund: fundId, amount: amountFen, paidOn: paidOn, reference: reference))
    }
}
