/// An insurer's book of pledge-insurance policies (质押保险): one stream per insurer, so the
/// insurer's own view, its bordereau reconciliation and the premium it may still have
/// subsidised are each decided on one tally. A policy enters the book when the loan is
/// insured (`Loan+Insurance.swift`); the claims the insurer pays are the book's side of its
/// settlements of the loan's shared loss.
public struct InsurerBookState: Sendable, Hashable {
    public var id: InsurerId?
    public var policies: [PolicyNo: Policy] = [:]
    /// Policy numbers in the order they were issued.
    public var order: [PolicyNo] = []

    public init() {}

    public var exists: Bool { id != nil }

    public struct Policy: Sendable, Hashable {
        public var issued: PolicyIssued
        public var claimsPaidFen: Money = .zero
        public var subsidisedFen: Money = .zero
        public var lastSubsidyOn: BusinessDate?
        public var cancelled: PolicyCancelled?

        public var loan: LoanKey { LoanKey(bank: issued.bankId, contract: issued.contractNo) }
        /// What of the premium no fund has subsidised yet.
        public var premiumUnsubsidised: Money { max(.zero, issued.premiumFen.subtracting(saturating: subsidisedFen)) }
    }

    public var inOrder: [Policy] { order.compactMap { policies[$0] } }
}

/// What may be asked of an insurer's book. Policies and claims are recorded by the loan
/// workflow (the loan decides whether it may be insured, and what the insurer owes).
public enum InsurerCommand: Sendable, Hashable {
    case recordPolicy(PolicyIssued)
    case recordClaim(policyNo: PolicyNo, loan: LoanKey, amount: Money, settledOn: BusinessDate, reference: String)
    case recordCancellation(policyNo: PolicyNo, loan: LoanKey, cancelledOn: BusinessDate, reason: String)
    /// A fund pays part of the premium to the insured firm; `amount` nil: all that is not
    /// subsidised yet. The fund's side is written with it (`Workflow`).
    case subsidisePremium(policyNo: PolicyNo, fund: FundId, amount: Money?, paidOn: BusinessDate, reference: String)
}

/// The insurer's book decider.
public enum InsurerBook {
    public static func decide(_ command: InsurerCommand, _ state: InsurerBookState) throws -> [LedgerEvent] {
        switch command {
        case .recordPolicy(let issued):
            if let id = state.id, id != issued.insurerId {
                throw DomainError.invalid("insurer_id", "policy of \(issued.insurerId) on the book of \(id)")
            }
            if let existing = state.policies[issued.policyNo] {
                throw DomainError(
                    .duplicate, field: "policy_no",
                    "\(issued.insurerId) already has policy \(issued.policyNo) (on loan \(existing.loan)); policy numbers are unique per insurer"
                )
            }
            return [.policyIssued(issued)]

        case .recordCancellation(let number, let loan, let on, let reason):
            _ = try policy(number, state, insuring: loan)
            return [
                .policyCancelled(
                    PolicyCancelled(policyNo: number, bankId: loan.bank, contractNo: loan.contract, cancelledOn: on, reason: reason))
            ]

        case .recordClaim(let number, let loan, let amount, let on, let reference):
            let policy = try policy(number, state, insuring: loan)
            let paid = try policy.claimsPaidFen.adding(amount, toTotal: "claims paid on policy \(number)", field: "amount_fen")
            guard paid <= policy.issued.sumInsuredFen else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "claims on policy \(number) would come to \(paid), more than its sum insured \(policy.issued.sumInsuredFen)")
            }
            return [
                .policyClaimSettled(
                    PolicyClaimSettled(
                        policyNo: number, bankId: loan.bank, contractNo: loan.contract, amountFen: amount, settledOn: on,
                        reference: reference))
            ]

        case .subsidisePremium(let number, let fund, let amount, let on, let reference):
            let policy = try policy(number, state)
            if let cancelled = policy.cancelled {
                throw DomainError(
                    .invalidState, field: "policy_no", "policy \(number) was cancelled on \(cancelled.cancelledOn): \(cancelled.reason)")
            }
            let left = policy.premiumUnsubsidised
            guard left.isPositive else {
                throw DomainError(
                    .duplicate, field: "policy_no", "the premium of policy \(number) (\(policy.issued.premiumFen)) is subsidised in full")
            }
            let payment = amount ?? left
            try Rules.positive(payment, field: "amount_fen")
            guard payment <= left else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "\(payment) is more than the \(left) of policy \(number)'s premium \(policy.issued.premiumFen) not yet subsidised")
            }
            try Rules.notBefore(
                on, policy.lastSubsidyOn ?? policy.issued.issuedOn, field: "paid_on", what: "the policy and its earlier subsidies")
            try Rules.text(reference, field: "reference")
            return [
                .premiumSubsidised(PremiumSubsidised(policyNo: number, fundId: fund, amountFen: payment, paidOn: on, reference: reference))
            ]
        }
    }

    /// The policy, which the loan workflow names for `loan`: a record for another loan is refused.
    static func policy(_ number: PolicyNo, _ state: InsurerBookState, insuring loan: LoanKey) throws -> InsurerBookState.Policy {
        let policy = try policy(number, state)
        guard policy.loan == loan else {
            throw DomainError.invalid("policy_no", "policy \(number) insures loan \(policy.loan), not \(loan)")
        }
        return policy
    }

    static func policy(_ number: PolicyNo, _ state: InsurerBookState) throws -> InsurerBookState.Policy {
        guard let policy = state.policies[number] else {
            throw DomainError(.notFound, field: "policy_no", "no policy \(number)\(state.id.map { " on the book of \($0)" } ?? "")")
        }
        return policy
    }

    public static func evolve(_ state: InsurerBookState, _ recorded: RecordedEvent) -> InsurerBookState {
        var state = state
        evolve(&state, recorded)
        return state
    }

    /// Folds one event in place: no copy of the state's tables, which grow with every loan
    /// or application, so folding a long stream stays linear.
    public static func evolve(_ state: inout InsurerBookState, _ recorded: RecordedEvent) {
        switch recorded.event {
        case .policyIssued(let e):
            state.id = e.insurerId
            if state.policies[e.policyNo] == nil { state.order.append(e.policyNo) }
            state.policies[e.policyNo] = .init(issued: e)
        case .policyClaimSettled(let e):
            guard var policy = state.policies[e.policyNo] else { break }
            policy.claimsPaidFen = policy.claimsPaidFen.adding(saturating: e.amountFen)
            state.policies[e.policyNo] = policy
        case .policyCancelled(let e):
            state.policies[e.policyNo]?.cancelled = e
        case .premiumSubsidised(let e):
            guard var policy = state.policies[e.policyNo] else { break }
            policy.subsidisedFen = policy.subsidisedFen.adding(saturating: e.amountFen)
            policy.lastSubsidyOn = e.paidOn
            state.policies[e.policyNo] = policy
        default:
            break
        }
    }
}
