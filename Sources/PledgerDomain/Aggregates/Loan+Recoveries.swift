// What a bank owes the fund from recoveries it has received and not returned yet: shown
// on the loan (`owedToFund`), its snapshot (`owed_to_fund_fen`), the fund's exposure, and
// listed by `RecoveriesDue`, before the bank returns it with `returnRecoveryShare`.

/// The fund's share of one recovery that the bank has not returned yet.
public struct ShareOwedToFund: Sendable, Hashable {
    public var recoveryNo: Int
    public var receivedOn: BusinessDate
    public var recoveryFen: Money
    public var shareFen: Money
}

extension LoanState {
    /// The fund's share of each recovery neither reversed nor returned, computed as
    /// `returnRecoveryShare` would if the bank returned them in recovery order now: each
    /// `Loan.fundShare` of the recovery (paid ÷ loss, rounded up), capped at what the fund
    /// has still to get back after the shares before it. Empty until the fund has paid.
    public var sharesOwedToFund: [ShareOwedToFund] {
        let paid = compensationPaid
        guard paid.isPositive, let loss = defaulted?.outstandingFen else { return [] }
        var returned = returnedToFund
        var shares: [ShareOwedToFund] = []
        for recovery in recoveries.sorted(by: { $0.number < $1.number }) where !recovery.reversed && recovery.returnedShare == nil {
            // fundShare throws only when recovery × paid ÷ loss passes Int64 (paid far above
            // the loss, which claims never allow); then the cap is what is owed.
            let left = max(.zero, paid.subtracting(saturating: returned))
            let share = (try? Loan.fundShare(of: recovery.amount, paid: paid, loss: loss, alreadyReturned: returned)) ?? left
            guard share.isPositive else { continue }
            shares.append(
                ShareOwedToFund(recoveryNo: recovery.number, receivedOn: recovery.receivedOn, recoveryFen: recovery.amount, shareFen: share)
            )
            returned = returned.adding(saturating: share)
        }
        return shares
    }

    /// Σ `sharesOwedToFund`: what the bank owes the fund from recoveries it has not returned.
    public var owedToFund: Money { sharesOwedToFund.reduce(.zero) { $0.adding(saturating: $1.shareFen) } }
}

// MARK: Decisions

extension Loan {
    /// Money recovered after a default, never more than the loss still unrecovered.
    static func receiveRecovery(_ state: LoanState, _ loan: LoanOriginated, amount: Money, on: BusinessDate, source: String) throws
        -> [LedgerEvent]
    {
        try expect(state, in: [.defaulted, .writtenOff], to: "receive a recovery")
        let defaulted = state.defaulted!
        try Rules.positive(amount, field: "amount_fen")
        let unrecovered = try defaulted.outstandingFen - state.recoveredTotal
        guard amount <= unrecovered else {
            throw DomainError(.limitExceeded, field: "amount_fen", "recovery of \(amount) exceeds the unrecovered loss \(unrecovered)")
        }
        try state.recoveredTotal.adding(amount, toTotal: "recovered on loan \(loan.key)", field: "amount_fen")
        try Rules.notBefore(on, defaulted.defaultedOn, field: "received_on", what: "the default")
        try Rules.text(source, field: "source")
        return [
            .recoveryReceived(RecoveryReceived(recoveryNo: state.recoveries.count + 1, amountFen: amount, receivedOn: on, source: source))
        ]
    }

    /// The bank returns the fund's share of a recovery, once, after the payout.
    static func returnRecoveryShare(_ state: LoanState, _ loan: LoanOriginated, number: Int, on: BusinessDate, reference: String) throws
        -> [LedgerEvent]
    {
        guard let recovery = state.recoveries.first(where: { $0.number == number }) else {
            throw DomainError(.notFound, field: "recovery_no", "loan \(loan.key) has no recovery \(number)")
        }
        guard !recovery.reversed else { throw DomainError(.invalidState, field: "recovery_no", "recovery \(number) was reversed") }
        if let enrolment = state.scheme {
            throw DomainError(
                .invalidState, field: "recovery_no",
                "loan \(loan.key) is enrolled under scheme \(enrolment.schemeId): share the recovery among its parties instead")
        }
        guard recovery.returnedShare == nil else {
            throw DomainError(.duplicate, field: "recovery_no", "the fund's share of recovery \(number) was already returned")
        }
        let paid = state.compensationPaid
        guard paid.isPositive, let paidOn = state.claims.compactMap(\.paidOn).max() else {
            throw DomainError(
                .invalidState, field: "recovery_no", "the fund has paid no compensation on loan \(loan.key); nothing is due to it")
        }
        let share = try fundShare(
            of: recovery.amount, paid: paid, loss: state.defaulted!.outstandingFen, alreadyReturned: state.returnedToFund)
        guard share.isPositive else {
            throw DomainError(.invalidState, field: "recovery_no", "the fund has already received back everything it paid")
        }
        try Rules.notBefore(on, max(recovery.receivedOn, paidOn), field: "returned_on", what: "the recovery and the payout")
        try Rules.text(reference, field: "reference")
        try state.returnedToFund.adding(share, toTotal: "returned to the fund from loan \(loan.key)", field: "recovery_no")
        return [.recoveryReturnedToFund(RecoveryReturnedToFund(recoveryNo: number, amountFen: share, returnedOn: on, reference: reference))]
    }
}
