import Foundation

/// The claims a fund has approved and not paid in full. A fund pays up to its balance
/// (以余额为限) and queues the rest; its stream holds each approved claim — committed at
/// approval, disbursed in one or more payments, released when withdrawn — so the fund state
/// knows its queue, and `payQueue` pays it in approval order when money arrives.
extension FundState {
    /// One approved claim as the fund's stream tells it: `CompensationCommitted` at approval,
    /// `CompensationDisbursed` for each payment, `CompensationReleased` at withdrawal.
    public struct Compensation: Sendable, Hashable, Codable {
        public var loan: LoanKey
        public var borrower: Uscc
        public var claimNo: Int
        public var approved: Money
        public var approvedOn: BusinessDate
        public var paid: Money = .zero
        public var released: Money = .zero
        /// The last payment's date.
        public var paidOn: BusinessDate?

        /// Still owed: approved − paid − released.
        public var remaining: Money { max(.zero, approved.subtracting(saturating: paid).subtracting(saturating: released)) }
    }

    /// Approved claims with money still owed, in approval order: approved_on, then the
    /// order the approvals were recorded in the log. `payQueue` pays them in this order.
    public var queue: [Compensation] {
        compensations.enumerated()
            .filter { $0.element.remaining.isPositive }
            .sorted { ($0.element.approvedOn, $0.offset) < ($1.element.approvedOn, $1.offset) }
            .map(\.element)
    }

    /// Σ remaining over the queue.
    public var queuedFen: Money { compensations.reduce(.zero) { $0.adding(saturating: $1.remaining) } }

    /// The fund's record of claim `claimNo` of `loan`, if it approved it.
    public func compensation(_ loan: LoanKey, claimNo: Int) -> Compensation? {
        compensations.last { $0.loan == loan && $0.claimNo == claimNo }
    }

    /// A payout never exceeds what the fund still owes on the claim it approved.
    func checkDisbursement(loan: LoanKey, claimNo: Int, amount: Money) throws {
        guard let record = compensation(loan, claimNo: claimNo) else {
            throw DomainError(
                .notFound, field: "claim_no", "fund \(id.map(\.value) ?? "") has not approved claim \(claimNo) of loan \(loan)")
        }
        guard amount <= record.remaining else {
            throw DomainError(
                .limitExceeded, field: "amount_fen",
                "payment of \(amount) exceeds the \(record.remaining) the fund still owes on claim \(claimNo) of loan \(loan) (approved \(record.approved), paid \(record.paid), released \(record.released))"
            )
        }
    }

    /// Folds the claim queue; `Fund.evolve` calls it first.
    mutating func applyQueue(_ recorded: RecordedEvent) {
        func index(_ bank: BankId, _ contract: ContractNo, _ claimNo: Int) -> Int? {
            compensations.lastIndex { $0.loan == LoanKey(bank: bank, contract: contract) && $0.claimNo == claimNo }
        }
        switch recorded.event {
        case .compensationCommitted(let e):
            compensations.append(
                Compensation(
                    loan: LoanKey(bank: e.bankId, contract: e.contractNo), borrower: e.borrower, claimNo: e.claimNo, approved: e.amountFen,
                    approvedOn: e.approvedOn))
        case .compensationDisbursed(let e):
            if let i = index(e.bankId, e.contractNo, e.claimNo) {
                compensations[i].paid = compensations[i].paid.adding(saturating: e.amountFen)
                compensations[i].paidOn = e.paidOn
            }
        case .compensationReleased(let e):
            let loan = LoanKey(bank: e.bankId, contract: e.contractNo)
            committedByBorrower[e.borrower] = max(.zero, (committedByBorrower[e.borrower] ?? .zero).subtracting(saturating: e.amountFen))
            committedByLoan[loan] = max(.zero, (committedByLoan[loan] ?? .zero).subtracting(saturating: e.amountFen))
            if let i = index(e.bankId, e.contractNo, e.claimNo) {
                compensations[i].released = compensations[i].released.adding(saturating: e.amountFen)
            }
        default:
            break
        }
    }
}

extension Fund {
    /// Releases and queue payments (see `FundCommand`).
    static func decideQueue(_ command: FundCommand, _ state: FundState, fundId: FundId) throws -> [LedgerEvent] {
        switch command {
        case .releaseCompensation(let loan, let borrower, let claimNo, let amount, let on):
            guard let record = state.compensation(loan, claimNo: claimNo) else {
                throw DomainError(.notFound, field: "claim_no", "fund \(fundId) has not approved claim \(claimNo) of loan \(loan)")
            }
            try Rules.positive(amount, field: "amount_fen")
            guard amount <= record.remaining else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "release of \(amount) exceeds the \(record.remaining) still owed on claim \(claimNo) of loan \(loan)")
            }
            try Rules.notBefore(
                on, max(record.approvedOn, record.paidOn ?? record.approvedOn), field: "released_on", what: "the approval and payments")
            return [
                .compensationReleased(
                    CompensationReleased(
                        bankId: loan.bank, contractNo: loan.contract, borrower: borrower, claimNo: claimNo, amountFen: amount,
                        releasedOn: on))
            ]

        case .payQueue(let on, let reference, let limit):
            return try payQueue(state, fundId: fundId, on: on, reference: reference, limit: limit)

        default:
            preconditionFailure("Fund.decide handles \(command)")
        }
    }

    /// The fund's side of paying its queue on `on`: one `CompensationDisbursed` per claim, in
    /// approval order, each min(remaining, what is left of the budget); the budget is the
    /// lowest end-of-day balance from `on` on, or `limit` if smaller. Claims approved or last
    /// paid after `on` wait. Payment references are "`reference`/1", "`reference`/2"… in
    /// payment order.
    static func payQueue(_ state: FundState, fundId: FundId, on: BusinessDate, reference: String, limit: Money?) throws -> [LedgerEvent] {
        try Rules.text(reference, field: "reference")
        if let limit { try Rules.positive(limit, field: "limit_fen") }
        let queue = state.queue
        guard let earliest = queue.map(\.approvedOn).min() else {
            throw DomainError(.invalidState, field: "fund_id", "fund \(fundId) has no approved claims awaiting payment")
        }
        // A claim approved, or last paid, after `on` waits for a later payment.
        let payable = queue.filter { max($0.approvedOn, $0.paidOn ?? $0.approvedOn) <= on }
        guard !payable.isEmpty else {
            throw DomainError(
                .dateOrder, field: "paid_on",
                "every queued claim of fund \(fundId) was approved or last paid after \(on) (the first approved on \(earliest))")
        }
        let available = state.lowestBalance(from: on)
        guard available.isPositive else {
            throw DomainError(
                .limitExceeded, field: "paid_on",
                "fund \(fundId) has no money available on \(on); the \(state.queuedFen) unpaid on its \(queue.count) queued claim\(queue.count == 1 ? "" : "s") will be paid when money arrives"
            )
        }
        var budget = min(available, limit ?? .maximum)
        var paidOut = state.totals().paidOut
        var events: [LedgerEvent] = []
        for entry in payable where budget.isPositive {
            let amount = min(entry.remaining, budget)
            let ref = "\(reference)/\(events.count + 1)"
            try Rules.text(ref, field: "reference")
            paidOut = try paidOut.adding(amount, toTotal: "compensation paid out by fund \(fundId)", field: "limit_fen")
            budget = try budget - amount
            events.append(
                .compensationDisbursed(
                    CompensationDisbursed(
                        bankId: entry.loan.bank, contractNo: entry.loan.contract, borrower: entry.borrower, claimNo: entry.claimNo,
                        amountFen: amount, paidOn: on, paymentRef: ref)))
        }
        return events
    }
}
