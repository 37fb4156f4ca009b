// Pledge insurance (质押保险) on a loan under a risk-sharing scheme: the insurer is a party
// of the scheme, and its policy on the loan bounds what it bears of a loss — at most the sum
// insured, and nothing for a default outside the policy's period (the bank bears that
// share, as it bears any share a cap holds back). An insurer without a policy on the loan
// bears its share on the scheme's terms alone.

extension Loan {
    static func insure(_ state: LoanState, _ loan: LoanOriginated, _ terms: LoanCommand.PolicyTerms, _ context: LoanContext) throws
        -> LoanInsured
    {
        let (enrolment, version) = try schemeVersion(state, loan, context)
        try expect(state, in: [.active], to: "be insured")
        let ref = SchemePartyRef(role: .insurer, partyId: try SchemePartyId(terms.insurer.value, field: "insurer_id"))
        guard let party = version.parties.first(where: { $0.ref == ref }) else {
            throw DomainError(
                .policyViolation, field: "insurer_id",
                "\(terms.insurer) is not an insurer of scheme \(enrolment.schemeId) version \(version.number), under which loan \(loan.key) is enrolled"
            )
        }
        if let existing = state.policies[terms.insurer] {
            throw DomainError(
                .duplicate, field: "policy_no", "loan \(loan.key) already carries policy \(existing.policyNo) of \(terms.insurer)")
        }
        try Rules.positive(terms.sumInsured, field: "sum_insured_fen")
        try Rules.positive(terms.premium, field: "premium_fen")
        guard terms.premium < terms.sumInsured else {
            throw DomainError.invalid("premium_fen", "the premium \(terms.premium) is not less than the sum insured \(terms.sumInsured)")
        }
        try Rules.notBefore(terms.startsOn, loan.originatedOn, field: "starts_on", what: "the loan was originated")
        guard terms.endsOn > terms.startsOn else {
            throw DomainError(.dateOrder, field: "ends_on", "the policy ends (\(terms.endsOn)) on or before it starts (\(terms.startsOn))")
        }
        try Rules.notBefore(terms.issuedOn, state.lastActivity ?? loan.originatedOn, field: "issued_on", what: "the loan's last entry")
        guard terms.issuedOn <= terms.endsOn else {
            throw DomainError(
                .dateOrder, field: "issued_on", "the policy is recorded on \(terms.issuedOn), after it ended (\(terms.endsOn))")
        }
        return LoanInsured(
            insurerId: terms.insurer, policyNo: terms.policyNo, sumInsuredFen: terms.sumInsured, premiumFen: terms.premium,
            coverShareBp: party.shareBp, startsOn: terms.startsOn, endsOn: terms.endsOn, issuedOn: terms.issuedOn)
    }

    static func cancelPolicy(_ state: LoanState, _ loan: LoanOriginated, _ insurer: InsurerId, on: BusinessDate, reason: String) throws
        -> LoanPolicyCancelled
    {
        guard let policy = state.policies[insurer] else {
            throw DomainError(.notFound, field: "insurer_id", "loan \(loan.key) carries no policy of \(insurer)")
        }
        guard state.lossShared == nil else {
            throw DomainError(
                .invalidState, field: "insurer_id",
                "the loss of loan \(loan.key) is already shared under policy \(policy.policyNo); a policy that bore a loss stays")
        }
        try Rules.text(reason, field: "reason")
        try Rules.notBefore(on, policy.issuedOn, field: "cancelled_on", what: "the policy was recorded")
        return LoanPolicyCancelled(insurerId: insurer, policyNo: policy.policyNo, cancelledOn: on, reason: reason)
    }

    /// The scheme's parties as they bear this loan's loss: an insurer with a policy on the
    /// loan is held to its sum insured, and to nothing when the default falls outside the
    /// policy's period (`defaultedOn` nil — a loss not yet known — is taken as covered).
    static func partiesBearing(_ parties: [SchemeParty], _ state: LoanState, defaultedOn: BusinessDate?) -> [SchemeParty] {
        parties.map { party in
            guard let policy = state.policy(of: party.ref) else { return party }
            var bearing = party
            let covered = defaultedOn.map { policy.startsOn <= $0 && $0 <= policy.endsOn } ?? true
            bearing.capFen = covered ? min(party.capFen ?? policy.sumInsuredFen, policy.sumInsuredFen) : .zero
            return bearing
        }
    }
}

extension LoanState {
    /// The insurer's policy on the loan, for a party of its loss.
    public func policy(of party: SchemePartyRef) -> LoanInsured? {
        guard party.role == .insurer, let id = party.partyId, let insurer = try? InsurerId(id.value) else { return nil }
        return policies[insurer]
    }
}
