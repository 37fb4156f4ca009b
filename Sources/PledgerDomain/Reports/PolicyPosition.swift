/// Where one pledge-insurance policy stands on a date, with the claims its insurer paid:
/// what the insurer's own view lists and what its bordereau is reconciled against.
public struct PolicyPosition: Sendable, Hashable {
    /// Before a loss, in force or expired; once the loan's loss is shared, the insurer's
    /// claim open (its share not paid in full) or settled — or not covered (the default fell
    /// outside the policy's period, so its share is nothing).
    public enum Status: String, Sendable, Hashable, ClosedSet {
        case inForce = "in_force"
        case expired
        case claimOpen = "claim_open"
        case claimSettled = "claim_settled"
        case notCovered = "not_covered"
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
            let party = SchemePartyRef(role: .insurer, partyId: try? SchemePartyId(issued.insurerId.value))
            guard let loan = loans[policy.loan], let shared = loan.lossShared, let share = shared.shares.first(where: { $0.ref == party })
            else {
                return PolicyPosition(policy: policy, status: asOf > issued.endsOn ? .expired : .inForce, shareDueFen: nil)
            }
            let status: Status = !share.dueFen.isPositive ? .notCovered : loan.unsettled(party).isPositive ? .claimOpen : .claimSettled
            return PolicyPosition(policy: policy, status: status, shareDueFen: share.dueFen)
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
