import Foundation

// Risk sharing (Aggregates/RiskSharingScheme.swift, Aggregates/Loan+Schemes.swift): the
// scheme's stream holds the agreement and the loans enrolled under it; the loan's stream
// holds its enrolment, the split of its loss and each party's settlement; a fund that is a
// party records its money movements on its own stream.

/// Who bears part of a loss under a scheme.
public enum SchemePartyRole: String, Sendable, Hashable, ClosedSet {
    /// A public risk-compensation fund (province, city, district…): `party_id` is its fund id.
    case fund
    /// The lending bank: takes what the other parties do not, rounding included.
    case bank
    case insurer, guarantor, appraiser
}

/// A party named by role and, except for the lending bank, by id.
public struct SchemePartyRef: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var role: SchemePartyRole
    public var partyId: SchemePartyId?

    public init(role: SchemePartyRole, partyId: SchemePartyId?) {
        self.role = role
        self.partyId = partyId
    }

    public static let bank = SchemePartyRef(role: .bank, partyId: nil)

    /// The fund this party is, when it is one.
    public var fundId: FundId? { role == .fund ? partyId.flatMap { try? FundId($0.value) } : nil }

    public var description: String { partyId.map { "\(role.rawValue):\($0)" } ?? role.rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

/// One party's terms in a version of a scheme.
public struct SchemeParty: Sendable, Hashable, Codable {
    public var role: SchemePartyRole
    public var partyId: SchemePartyId?
    /// Its share of a loan's loss.
    public var shareBp: Bp
    /// The most it bears on one loan; the bank takes any excess. Never set for the bank.
    public var capFen: Money?

    public init(role: SchemePartyRole, partyId: SchemePartyId?, shareBp: Bp, capFen: Money? = nil) {
        self.role = role
        self.partyId = partyId
        self.shareBp = shareBp
        self.capFen = capFen
    }

    public var ref: SchemePartyRef { SchemePartyRef(role: role, partyId: partyId) }
}

/// A scheme is agreed: version 1 of its parties and shares, in force from `effective_on`.
public struct SchemeAgreed: EventPayload {
    public static let type = "SchemeAgreed"
    public var schemeId: SchemeId
    public var name: String
    public var parties: [SchemeParty]
    public var effectiveOn: BusinessDate
}

/// A new version of a scheme's parties and shares, for loans enrolled from `effective_on`;
/// loans enrolled earlier keep the version they were enrolled under.
public struct SchemeRevised: EventPayload {
    public static let type = "SchemeRevised"
    public var version: Int
    public var parties: [SchemeParty]
    public var effectiveOn: BusinessDate
    public var reason: String
}

/// The scheme's record of a loan enrolled under it: written with the loan's
/// `LoanEnrolledInScheme`, so the scheme's report reads only its own loans.
public struct SchemeLoanEnrolled: EventPayload {
    public static let type = "SchemeLoanEnrolled"
    public var bankId: BankId
    public var contractNo: ContractNo
    public var version: Int
    public var enrolledOn: BusinessDate
}

/// A loan is enrolled under a version of a scheme: its loss will be split by that version.
public struct LoanEnrolledInScheme: EventPayload {
    public static let type = "LoanEnrolledInScheme"
    public var schemeId: SchemeId
    public var version: Int
    public var enrolledOn: BusinessDate
}

/// One party's part of a shared loss.
public struct PartyShare: Sendable, Hashable, Codable {
    public var role: SchemePartyRole
    public var partyId: SchemePartyId?
    public var shareBp: Bp
    public var dueFen: Money
    /// The party's cap bound its share (the bank bears the excess).
    public var capped: Bool

    public var ref: SchemePartyRef { SchemePartyRef(role: role, partyId: partyId) }
}

/// A defaulted loan's loss (its outstanding principal at default) split among the scheme's
/// parties: every share rounds down, is held to its cap, and the bank takes the rest, so
/// the shares add up to the loss exactly.
public struct LossShared: EventPayload {
    public static let type = "LossShared"
    public var schemeId: SchemeId
    public var version: Int
    public var lossFen: Money
    public var shares: [PartyShare]
    public var sharedOn: BusinessDate
}

/// A party (other than the bank) paid part or all of its share of the loss.
public struct LossShareSettled: EventPayload {
    public static let type = "LossShareSettled"
    public var role: SchemePartyRole
    public var partyId: SchemePartyId
    public var amountFen: Money
    public var settledOn: BusinessDate
    public var reference: String
}

/// One party's part of a shared recovery.
public struct RecoveryPartShare: Sendable, Hashable, Codable {
    public var role: SchemePartyRole
    public var partyId: SchemePartyId?
    public var amountFen: Money

    public var ref: SchemePartyRef { SchemePartyRef(role: role, partyId: partyId) }
}

/// A recovery shared back among the parties in proportion to what each paid of the loss
/// (see `LossSharing.shareRecovery`); the bank pays the other parties' parts on `shared_on`.
public struct RecoveryShared: EventPayload {
    public static let type = "RecoveryShared"
    public var recoveryNo: Int
    public var shares: [RecoveryPartShare]
    public var sharedOn: BusinessDate
    public var reference: String
}

/// A fund's payment of its share of a loan's loss under a scheme: money left the fund.
/// Written with the loan's `LossShareSettled`.
public struct SchemeShareDisbursed: EventPayload {
    public static let type = "SchemeShareDisbursed"
    public var schemeId: SchemeId
    public var bankId: BankId
    public var contractNo: ContractNo
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var reference: String
}

/// A fund's part of a recovery under a scheme, returned by the bank. Written with the
/// loan's `RecoveryShared`.
public struct SchemeRecoveryShareReceived: EventPayload {
    public static let type = "SchemeRecoveryShareReceived"
    public var schemeId: SchemeId
    public var bankId: BankId
    public var contractNo: ContractNo
    public var recoveryNo: Int
    public var amountFen: Money
    public var returnedOn: BusinessDate
    public var reference: String
}
