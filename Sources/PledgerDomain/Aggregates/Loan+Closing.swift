/// How a loan leaves the books: closed or cancelled.
extension Loan {
    /// A loan repaid in full, or written off, is closed.
    static func close(_ state: LoanState, _ loan: LoanOriginated, on: BusinessDate) throws -> [LedgerEvent] {
        switch state.status {
        case .active where state.outstanding == .zero, .writtenOff:
            break
        case .active:
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) still has \(state.outstanding) outstanding")
        default:
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) is \(state.status.rawValue) and cannot be closed")
        }
        if let open = state.openClaim {
            throw DomainError(
                .invalidState, field: "contract_no",
                "claim \(open.number) is still \(open.status.rawValue); decide and pay it, or withdraw it, first")
        }
        try schemeSettled(state, loan)
        try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "closed_on", what: "the loan's last entry")
        return [.loanClosed(LoanClosed(closedOn: on))]
    }

    /// A loan entered in error, with no repayment standing, is cancelled.
    static func cancel(_ state: LoanState, _ loan: LoanOriginated, on: BusinessDate, reason: String) throws -> [LedgerEvent] {
        try expect(state, in: [.active], to: "be cancelled")
        guard state.repayments.keys.allSatisfy(state.reversed.contains) else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has repayments; reverse them before cancelling")
        }
        try Rules.text(reason, field: "reason")
        try Rules.notBefore(on, loan.originatedOn, field: "cancelled_on", what: "origination")
        return [.loanCancelled(LoanCancelled(cancelledOn: on, reason: reason))]
    }
}
