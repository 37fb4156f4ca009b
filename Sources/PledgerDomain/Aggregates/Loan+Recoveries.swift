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
            shares.append(ShareOwedToFund(recoveryNo: recovery.number, receivedOn: recovery.receivedOn, recoveryFen: recovery.amount, shareFen: share))
            returned = returned.adding(saturating: share)
        }
        return shares
    }

    /// Σ `sharesOwedToFund`: what the bank owes the fund from recoveries it has not returned.
    public var owedToFund: Money { sharesOwedToFund.reduce(.zero) { $0.adding(saturating: $1.shareFen) } }
}
