import Foundation

/// Claims a fund cannot pay at once.
///
/// A fund pays an approved claim up to its balance (以余额为限) and queues the rest: the
/// claim stays `approved` with `unpaid` > 0 until later payments — the bank's own, or the
/// fund's `payQueue` — settle it. A bank or the fund's administrator may instead withdraw a
/// filed claim, or the unpaid remainder of an approved one; the fund then releases what it
/// had committed to the borrower and the loan (the caps).
///
/// After a withdrawal the loan may be written off or closed as after any decided claim. It
/// may claim again only if the fund has paid nothing on it: a loan is compensated once, so
/// withdrawing the remainder of a partly paid claim accepts what was paid as final.
extension Claim {
    /// What is still owed on an approved claim (approved − paid); zero in any other status.
    public var unpaid: Money {
        status == .approved ? max(.zero, approved.subtracting(saturating: paid)) : .zero
    }
}

extension Loan {
    /// Pays `amount`, or when nil as much as the fund can: min(unpaid, the lowest end-of-day
    /// balance of the fund from `on` on). What is left stays queued.
    static func payClaim(
        _ state: LoanState, _ loan: LoanOriginated, paidOn on: BusinessDate, paymentRef reference: String,
        amount: Money?, _ context: LoanContext
    ) throws -> [LedgerEvent] {
        guard let claim = state.openClaim, claim.status == .approved, let approvedOn = claim.approvedOn else {
            if state.claims.contains(where: { $0.status == .paid }) {
                throw DomainError(.duplicate, field: "contract_no", "the compensation for loan \(loan.key) was already paid")
            }
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no approved claim to pay")
        }
        try Rules.text(reference, field: "payment_ref")
        if let last = claim.paidOn {
            try Rules.notBefore(on, max(approvedOn, last), field: "paid_on", what: "the claim's last payment")
        } else {
            try Rules.notBefore(on, approvedOn, field: "paid_on", what: "the approval")
        }
        let fund = try enrolledFund(loan, context)
        let fundId = loan.fundId!
        let unpaid = claim.unpaid
        let available = fund.lowestBalance(from: on)
        let payment: Money
        if let amount {
            try Rules.positive(amount, field: "amount_fen")
            guard amount <= unpaid else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "payment of \(amount) exceeds the \(unpaid) unpaid on claim \(claim.number) (approved \(claim.approved), paid \(claim.paid))"
                )
            }
            guard amount <= available else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "fund \(fundId) can pay at most \(max(available, .zero)) on \(on) without going negative; \(amount) asked")
            }
            payment = amount
        } else {
            guard available.isPositive else {
                throw DomainError(
                    .limitExceeded, field: "paid_on",
                    "claim \(claim.number) of loan \(loan.key) is queued: fund \(fundId) has no money available on \(on); the \(unpaid) unpaid will be paid when money arrives (pay the fund's queue then)"
                )
            }
            payment = min(unpaid, available)
        }
        try state.compensationPaid.adding(payment, toTotal: "compensation paid on loan \(loan.key)", field: "contract_no")
        return [
            .compensationPaid(
                CompensationPaid(
                    claimNo: claim.number, amountFen: payment, paidOn: on, paymentRef: reference, remainingFen: try unpaid - payment))
        ]
    }

    /// Withdraws the open claim: a filed one entirely, an approved one's unpaid remainder.
    static func withdrawClaim(_ state: LoanState, _ loan: LoanOriginated, withdrawnOn on: BusinessDate, reason: String) throws
        -> [LedgerEvent]
    {
        guard let claim = state.openClaim else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no filed or approved claim to withdraw")
        }
        try Rules.text(reason, field: "reason")
        let last = [claim.claimedOn, claim.approvedOn, claim.paidOn].compactMap { $0 }.max()!
        try Rules.notBefore(
            on, last, field: "withdrawn_on",
            what: claim.paidOn != nil ? "the claim's last payment" : claim.approvedOn != nil ? "the approval" : "the claim")
        let amount = claim.status == .approved ? claim.unpaid : claim.amount
        return [.compensationWithdrawn(CompensationWithdrawn(claimNo: claim.number, withdrawnOn: on, reason: reason, amountFen: amount))]
    }
}

// MARK: Decisions

extension Loan {
    /// The bank asks the fund for its share of the loss, within the loan's terms.
    static func claimCompensation(_ state: LoanState, _ loan: LoanOriginated, amount: Money, on: BusinessDate, _ context: LoanContext)
        throws -> [LedgerEvent]
    {
        if let enrolment = state.scheme {
            throw DomainError(
                .invalidState, field: "contract_no",
                "loan \(loan.key) is enrolled under scheme \(enrolment.schemeId): its loss is shared among the scheme's parties, not claimed"
            )
        }
        let fund = try enrolledFund(loan, context)
        try expect(state, in: [.defaulted, .writtenOff], to: "claim compensation (mark it defaulted first)")
        let defaulted = state.defaulted!
        if let open = state.openClaim {
            throw DomainError(
                .invalidState, field: "contract_no", "claim \(open.number) of loan \(loan.key) is still \(open.status.rawValue)")
        }
        if state.claims.contains(where: { $0.paid.isPositive }) {
            throw DomainError(.duplicate, field: "contract_no", "loan \(loan.key) was already compensated")
        }
        try Rules.notBefore(on, defaulted.defaultedOn, field: "claimed_on", what: "the default")
        let policy = fund.terms(forLoanEnrolledOn: loan.originatedOn, asOf: on)!
        try waitingPeriodOver(defaulted, claimedOn: on, terms: policy)
        try Rules.positive(amount, field: "amount_fen")
        let limit = try claimLimit(loan: loan, defaulted: defaulted, policy: policy, fund: fund)
        guard amount <= limit.amount else {
            throw DomainError(
                .limitExceeded, field: "amount_fen", "claim of \(amount) exceeds the limit \(limit.amount): \(limit.explanation)")
        }
        return [
            .compensationClaimed(
                CompensationClaimed(claimNo: state.claims.count + 1, amountFen: amount, claimedOn: on, limitFen: limit.amount))
        ]
    }

    /// The fund administrator approves a filed claim, for at most what was claimed.
    static func approveClaim(_ state: LoanState, _ loan: LoanOriginated, amount: Money, on: BusinessDate) throws -> [LedgerEvent] {
        guard let claim = state.openClaim, claim.status == .filed else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no claim awaiting a decision")
        }
        try Rules.positive(amount, field: "amount_fen")
        guard amount <= claim.amount else {
            throw DomainError(.limitExceeded, field: "amount_fen", "approval of \(amount) exceeds the claimed \(claim.amount)")
        }
        try Rules.notBefore(on, claim.claimedOn, field: "approved_on", what: "the claim")
        return [.compensationApproved(CompensationApproved(claimNo: claim.number, amountFen: amount, approvedOn: on))]
    }

    /// A filed claim is rejected with a reason; an approved one can only be withdrawn.
    static func rejectClaim(_ state: LoanState, _ loan: LoanOriginated, on: BusinessDate, reason: String) throws -> [LedgerEvent] {
        if let claim = state.openClaim, claim.status == .approved {
            throw DomainError(
                .invalidState, field: "contract_no",
                "claim \(claim.number) of loan \(loan.key) was approved (\(claim.unpaid) unpaid); withdraw the unpaid remainder instead of rejecting it"
            )
        }
        guard let claim = state.openClaim, claim.status == .filed else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no claim awaiting a decision")
        }
        try Rules.text(reason, field: "reason")
        try Rules.notBefore(on, claim.claimedOn, field: "rejected_on", what: "the claim")
        return [.compensationRejected(CompensationRejected(claimNo: claim.number, rejectedOn: on, reason: reason))]
    }
}
