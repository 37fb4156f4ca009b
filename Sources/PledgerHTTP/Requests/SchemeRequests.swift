import Foundation
import PledgerDomain

/// Request bodies of the risk-sharing routes: a scheme's agreement and revisions, and a
/// loan's enrolment, loss split, settlements and shared recoveries.
struct AgreeSchemeRequest: Codable {
    var schemeId: SchemeId
    var name: String
    var parties: [SchemeParty]
    var effectiveOn: BusinessDate

    var command: LedgerCommand {
        .scheme(schemeId, .agree(id: schemeId, name: name, parties: parties, effectiveOn: effectiveOn))
    }
}

struct ReviseSchemeRequest: Codable {
    var parties: [SchemeParty]
    var effectiveOn: BusinessDate
    var reason: String

    func command(_ scheme: SchemeId) -> LedgerCommand {
        .scheme(scheme, .revise(parties: parties, effectiveOn: effectiveOn, reason: reason))
    }
}

/// `version` left out: the version in force on `enrolled_on`.
struct SchemeEnrolmentRequest: Codable {
    var schemeId: SchemeId
    var version: Int?
    var enrolledOn: BusinessDate

    var command: LoanCommand { .enrolInScheme(schemeId, version: version, enrolledOn: enrolledOn) }
}

struct LossSharingRequest: Codable {
    var sharedOn: BusinessDate

    var command: LoanCommand { .shareLoss(sharedOn: sharedOn) }
}

/// `amount_fen` left out: what the party still owes of its share.
struct LossShareSettlementRequest: Codable {
    var role: SchemePartyRole
    var partyId: SchemePartyId
    var amountFen: Money?
    var settledOn: BusinessDate
    var reference: String

    var command: LoanCommand {
        .settleLossShare(party: SchemePartyRef(role: role, partyId: partyId), amount: amountFen, settledOn: settledOn, reference: reference)
    }
}

struct RecoverySharingRequest: Codable {
    var sharedOn: BusinessDate
    var reference: String

    func command(_ number: Int) -> LoanCommand { .shareRecovery(recoveryNo: number, sharedOn: sharedOn, reference: reference) }
}
