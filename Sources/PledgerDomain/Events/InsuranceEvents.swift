import Foundation

// Pledge insurance (质押保险, Aggregates/InsurerBook.swift, Aggregates/Loan+Insurance.swift):
// the insurer's book (`insurer-{id}`) holds its policies, the claims it paid and the premium
// subsidies paid on them; the loan holds the terms that bound the insurer's share of a loss;
// a fund that subsidises a premium records the money on its own stream.

/// The loan's record of a pledge-insurance policy. The insurer is a party of the loan's
/// scheme: the sum insured caps its share of a loss, and a default outside the policy's
/// period is not covered (the bank bears that share). Written with the book's `PolicyIssued`.
public struct LoanInsured: EventPayload {
    public static let type = "LoanInsured"
    public var insurerId: InsurerId
    public var policyNo: PolicyNo
    public var sumInsuredFen: Money
    public var premiumFen: Money
    /// The insurer's share of the cover: its share in the scheme version the loan is under.
    public var coverShareBp: Bp
    public var startsOn: BusinessDate
    public var endsOn: BusinessDate
    public var issuedOn: BusinessDate
}

/// A policy recorded in error is cancelled before the loan's loss is shared (or goes with
/// the loan when the loan is cancelled): it never was — the loan's loss is split as if the
/// loan carried no policy of the insurer. Written with the book's `PolicyCancelled`.
public struct LoanPolicyCancelled: EventPayload {
    public static let type = "LoanPolicyCancelled"
    public var insurerId: InsurerId
    public var policyNo: PolicyNo
    public var cancelledOn: BusinessDate
    public var reason: String
}

/// A policy on the insurer's book: the insured firm (the borrower), the loan, its scheme and
/// the terms. Policy numbers are unique within the insurer.
public struct PolicyIssued: EventPayload {
    public static let type = "PolicyIssued"
    public var insurerId: InsurerId
    public var policyNo: PolicyNo
    public var bankId: BankId
    public var contractNo: ContractNo
    public var insured: Uscc
    public var schemeId: SchemeId
    public var sumInsuredFen: Money
    public var premiumFen: Money
    public var coverShareBp: Bp
    public var startsOn: BusinessDate
    public var endsOn: BusinessDate
    public var issuedOn: BusinessDate
}

/// The book's side of a cancelled policy (`LoanPolicyCancelled`, or the loan cancelled):
/// the number stays taken; no claim or premium subsidy is recorded on it any more.
public struct PolicyCancelled: EventPayload {
    public static let type = "PolicyCancelled"
    public var policyNo: PolicyNo
    public var bankId: BankId
    public var contractNo: ContractNo
    public var cancelledOn: BusinessDate
    public var reason: String
}

/// The insurer paid (part of) its share of a loss on a policy: the book's side of the
/// loan's `LossShareSettled`, so the book reconciles with the insurer's bordereau alone.
public struct PolicyClaimSettled: EventPayload {
    public static let type = "PolicyClaimSettled"
    public var policyNo: PolicyNo
    public var bankId: BankId
    public var contractNo: ContractNo
    public var amountFen: Money
    public var settledOn: BusinessDate
    public var reference: String
}

/// A fund paid part of a policy's premium to the insured firm: the book's record (the
/// premium is never subsidised beyond itself), written with the fund's `PremiumSubsidyPaid`.
public struct PremiumSubsidised: EventPayload {
    public static let type = "PremiumSubsidised"
    public var policyNo: PolicyNo
    public var fundId: FundId
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var reference: String
}

/// Money left a fund for a premium subsidy, paid to the insured firm.
public struct PremiumSubsidyPaid: EventPayload {
    public static let type = "PremiumSubsidyPaid"
    public var insurerId: InsurerId
    public var policyNo: PolicyNo
    public var bankId: BankId
    public var contractNo: ContractNo
    public var insured: Uscc
    public var amountFen: Money
    public var paidOn: BusinessDate
    public var reference: String
}
