import Foundation

/// Repayments, and the reversal of an entry made in error.
extension Loan {
    /// Principal and interest received; principal never more than is outstanding.
    static func repay(_ state: LoanState, _ loan: LoanOriginated, principal: Money, interest: Money, on: BusinessDate) throws
        -> [LedgerEvent]
    {
        try expect(state, in: [.active], to: "take a repayment (after default, record recoveries)")
        try Rules.nonNegative(principal, field: "principal_fen")
        try Rules.nonNegative(interest, field: "interest_fen")
        guard principal.isPositive || interest.isPositive else {
            throw DomainError.invalid("principal_fen", "a repayment needs principal or interest above 0.00")
        }
        guard principal <= state.outstanding else {
            throw DomainError(
                .limitExceeded, field: "principal_fen", "repayment of \(principal) exceeds the outstanding principal \(state.outstanding)")
        }
        try Rules.notBefore(on, loan.originatedOn, field: "paid_on", what: "origination")
        try state.repaidPrincipal.adding(principal, toTotal: "repaid principal of loan \(loan.key)", field: "principal_fen")
        try state.repaidInterest.adding(interest, toTotal: "repaid interest of loan \(loan.key)", field: "interest_fen")
        return [.repaymentReceived(RepaymentReceived(principalFen: principal, interestFen: interest, paidOn: on))]
    }

    /// A repayment or a recovery entered in error is reversed by a new event.
    static func reverse(_ state: LoanState, _ loan: LoanOriginated, eventId: UUID, on: BusinessDate, reason: String) throws -> [LedgerEvent]
    {
        try Rules.text(reason, field: "reason")
        if state.reversed.contains(eventId) {
            throw DomainError(.duplicate, field: "reversed_event_id", "entry \(eventId) is already reversed")
        }
        if let repayment = state.repayments[eventId] {
            try expect(state, in: [.active], to: "have a repayment reversed")
            try Rules.notBefore(on, repayment.paidOn, field: "reversed_on", what: "the repayment")
            return [
                .entryReversed(
                    EntryReversed(reversedEventId: eventId, reversedType: RepaymentReceived.type, reversedOn: on, reason: reason))
            ]
        }
        if let recovery = state.recoveries.first(where: { $0.eventId == eventId }) {
            guard !recovery.sharedAmongParties else {
                throw DomainError(
                    .invalidState, field: "reversed_event_id",
                    "recovery \(recovery.number) was shared among the scheme's parties; it cannot be reversed")
            }
            guard recovery.returnedShare == nil else {
                throw DomainError(
                    .invalidState, field: "reversed_event_id",
                    "the fund's share of recovery \(recovery.number) was already returned; it cannot be reversed")
            }
            try Rules.notBefore(on, recovery.receivedOn, field: "reversed_on", what: "the recovery")
            return [
                .entryReversed(EntryReversed(reversedEventId: eventId, reversedType: RecoveryReceived.type, reversedOn: on, reason: reason))
            ]
        }
        throw DomainError(
            .notFound, field: "reversed_event_id", "event \(eventId) is not a reversible entry (repayment or recovery) of loan \(loan.key)")
    }
}
