import Foundation

/// What banks and fund administrators may do with a loan.
public enum LoanCommand: Sendable, Hashable {
    case originate(Origination)
    case repay(principal: Money, interest: Money, paidOn: BusinessDate)
    /// `missedDueOn`: the instalment or maturity date the borrower missed; days overdue are
    /// derived from it, and `daysOverdue`, if a client gives it, must agree.
    case markDefaulted(on: BusinessDate, missedDueOn: BusinessDate, daysOverdue: Int? = nil, classification: LoanClassification)
    case claimCompensation(amount: Money, claimedOn: BusinessDate)
    case approveClaim(amount: Money, approvedOn: BusinessDate)
    case rejectClaim(rejectedOn: BusinessDate, reason: String)
    /// Pays an approved claim: `amount`, or when nil as much as the fund can — min(unpaid,
    /// the fund's available balance); the rest stays queued (Loan+Claims.swift).
    case payClaim(paidOn: BusinessDate, paymentRef: String, amount: Money? = nil)
    /// Withdraws the open claim (filed, or the unpaid remainder of an approved one).
    case withdrawClaim(withdrawnOn: BusinessDate, reason: String)
    case receiveRecovery(amount: Money, receivedOn: BusinessDate, source: String)
    case returnRecoveryShare(recoveryNo: Int, returnedOn: BusinessDate, reference: String)
    case writeOff(on: BusinessDate, reason: String)
    case close(on: BusinessDate)
    case cancel(on: BusinessDate, reason: String)
    case reverse(eventId: UUID, on: BusinessDate, reason: String)
    /// Risk sharing (Loan+Schemes.swift). `version` nil: the version in force on `enrolledOn`.
    case enrolInScheme(SchemeId, version: Int?, enrolledOn: BusinessDate)
    case shareLoss(sharedOn: BusinessDate)
    /// `amount` nil: what the party still owes of its share.
    case settleLossShare(party: SchemePartyRef, amount: Money?, settledOn: BusinessDate, reference: String)
    case shareRecovery(recoveryNo: Int, sharedOn: BusinessDate, reference: String)
    /// Pledge insurance (Loan+Insurance.swift): a policy of an insurer that is a party of the loan's scheme.
    case insure(PolicyTerms)
    /// Cancels the insurer's policy recorded in error, before the loss is shared.
    case cancelPolicy(insurer: InsurerId, cancelledOn: BusinessDate, reason: String)

    /// A pledge-insurance policy as the insurer issues it.
    public struct PolicyTerms: Sendable, Hashable {
        public var insurer: InsurerId
        public var policyNo: PolicyNo
        public var sumInsured: Money
        public var premium: Money
        public var startsOn: BusinessDate
        public var endsOn: BusinessDate
        public var issuedOn: BusinessDate

        public init(
            insurer: InsurerId, policyNo: PolicyNo, sumInsured: Money, premium: Money, startsOn: BusinessDate, endsOn: BusinessDate,
            issuedOn: BusinessDate
        ) {
            self.insurer = insurer
            self.policyNo = policyNo
            self.sumInsured = sumInsured
            self.premium = premium
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.issuedOn = issuedOn
        }
    }

    public struct Origination: Sendable, Hashable {
        public var key: LoanKey
        public var borrower: Uscc
        public var principal: Money
        public var rate: Bp
        public var originatedOn: BusinessDate
        public var maturesOn: BusinessDate
        public var collateral: [Pledge]
        public var fund: FundId?

        public init(
            key: LoanKey, borrower: Uscc, principal: Money, rate: Bp, originatedOn: BusinessDate, maturesOn: BusinessDate,
            collateral: [Pledge], fund: FundId?
        ) {
            self.key = key
            self.borrower = borrower
            self.principal = principal
            self.rate = rate
            self.originatedOn = originatedOn
            self.maturesOn = maturesOn
            self.collateral = collateral
            self.fund = fund
        }
    }

    /// One asset offered as collateral: which valuation to rely on (default: the latest
    /// on or before origination) and the pledge registration number.
    public struct Pledge: Sendable, Hashable {
        public var asset: AssetId
        public var valuation: ValuationId?
        public var registrationNo: String

        public init(asset: AssetId, valuation: ValuationId? = nil, registrationNo: String) {
            self.asset = asset
            self.valuation = valuation
            self.registrationNo = registrationNo
        }
    }
}

/// The other aggregates a loan decision reads. The workflow fills in what a command needs.
public struct LoanContext: Sendable {
    public var bank: BankState?
    public var borrower: BorrowerState?
    public var assets: [AssetId: AssetState] = [:]
    public var fund: FundState?
    /// The LPR fixings, read when the fund caps rates over the LPR.
    public var lpr: LprState?
    /// The scheme the loan is (being) enrolled under, and the funds that are its parties.
    public var scheme: SchemeState?
    public var schemeFunds: [FundId: FundState] = [:]

    public init(
        bank: BankState? = nil, borrower: BorrowerState? = nil, assets: [AssetId: AssetState] = [:], fund: FundState? = nil,
        lpr: LprState? = nil, scheme: SchemeState? = nil, schemeFunds: [FundId: FundState] = [:]
    ) {
        self.bank = bank
        self.borrower = borrower
        self.assets = assets
        self.fund = fund
        self.lpr = lpr
        self.scheme = scheme
        self.schemeFunds = schemeFunds
    }
}
