/// Where one pledge-insurance policy stands on a date, with the claims its insurer paid:
/// what the insurer's own view lists and what its bordereau is reconciled against.
public struct PolicyPosition: Sendable, Hashable {
    /// Before a default: not started, in force or expired on the date. Once the loan has
    /// defaulted: not covered when the default fell outside the policy's period (the insurer's
    /// share is nothing); else the claim is open until the insurer has paid its share of the
    /// shared loss, then settled. A policy cancelled in error stays on the book as cancelled.
    public enum Status: String, Sendable, Hashable, ClosedSet {
        case notStarted = "not_started"
        case inForce = "in_force"
        case expired
        case claimOpen = "claim_open"
        case claimSettled = "claim_settled"
        case notCovered = "not_covered"
        case cancelled
    }

    public var policy: InsurerBookState.Policy
    public var status: Status
    /// The insurer's share of the loan's loss, once shared.
    public var shareDueFen: Money?

    public var policyNo: PolicyNo { policy.issued.policyNo }
    public var loan: LoanKey { policy.loan }
    public var claimsPaid: Money { policy.claimsPaidFen }

    /// Every policy on the book, in issue order; `loans` are the policies' loans as of `asOf`.
    public static func positions(_ book: InsurerBookState, loans: [LoanKey: LoanState], asOf: BusinessDate) -> [PolicyPosition] {
        book.inOrder.map { policy in
            let issued = policy.issued
            if policy.cancelled != nil { return PolicyPosition(policy: policy, status: .cancelled, shareDueFen: nil) }
            guard let loan = loans[policy.loan], let defaulted = loan.defaulted else {
                let status: Status = asOf < issued.startsOn ? .notStarted : asOf > issued.endsOn ? .expired : .inForce
                return PolicyPosition(policy: policy, status: status, shareDueFen: nil)
            }
            guard issued.startsOn <= defaulted.defaultedOn && defaulted.defaultedOn <= issued.endsOn else {
                return PolicyPosition(policy: policy, status: .notCovered, shareDueFen: loan.lossShared == nil ? nil : .zero)
            }
            let party = SchemePartyRef(role: .insurer, partyId: try? SchemePartyId(issued.insurerId.value))
            guard let share = loan.lossShared?.shares.first(where: { $0.ref == party }) else {
                return PolicyPosition(policy: policy, status: .claimOpen, shareDueFen: nil)
            }
            return PolicyPosition(
                policy: policy, status: loan.unsettled(party).isPositive ? .claimOpen : .claimSettled, shareDueFen: share.dueFen)
        }
    }
}

extension PolicyPosition {
    /// One policy as JSON (integer fen, bp), for the insurer's view in the API and the CLI.
    public var json: JSONValue {
        let issued = policy.issued
        return object([
            ("insurer_id", .string(issued.insurerId.value)), ("policy_no", .string(issued.policyNo.value)),
            ("bank_id", .string(issued.bankId.value)), ("contract_no", .string(issued.contractNo.value)),
            ("insured", .string(issued.insured.value)), ("scheme_id", .string(issued.schemeId.value)),
            ("sum_insured_fen", .integer(issued.sumInsuredFen.fen)), ("premium_fen", .integer(issued.premiumFen.fen)),
            ("premium_subsidised_fen", .integer(policy.subsidisedFen.fen)), ("cover_share_bp", .integer(issued.coverShareBp.value)),
            ("starts_on", .string(issued.startsOn.description)), ("ends_on", .string(issued.endsOn.description)),
            ("issued_on", .string(issued.issuedOn.description)), ("status", .string(status.rawValue)),
            ("share_due_fen", shareDueFen.map { .integer($0.fen) } ?? .null), ("claims_paid_fen", .integer(policy.claimsPaidFen.fen)),
        ])
    }
}
