/// Days overdue are derived, not taken on trust: a default names the due date the borrower
/// missed (an instalment or the maturity), the loan's own dates bound it, and the fund's
/// waiting period for claims runs from it.
extension Loan {
    /// defaulted_on − missed_due_on, once the missed due date is checked against the loan:
    /// after origination (nothing is due the day the money is lent), on or before maturity
    /// (the last due date), and before the default. A `given` figure must agree.
    static func daysOverdue(_ loan: LoanOriginated, defaultedOn: BusinessDate, missedDueOn: BusinessDate, given: Int?) throws -> Int {
        guard missedDueOn > loan.originatedOn else {
            throw DomainError(
                .dateOrder, field: "missed_due_on",
                "\(missedDueOn) is not after origination (\(loan.originatedOn)): loan \(loan.key) had nothing due before it was made")
        }
        guard missedDueOn <= loan.maturesOn else {
            throw DomainError(
                .dateOrder, field: "missed_due_on",
                "\(missedDueOn) is after maturity (\(loan.maturesOn)), the last date anything of loan \(loan.key) falls due")
        }
        guard missedDueOn < defaultedOn else {
            throw DomainError(
                .dateOrder, field: "missed_due_on",
                "\(missedDueOn) is not before the default (\(defaultedOn)): a loan defaults on a due date it has already missed")
        }
        let derived = missedDueOn.days(until: defaultedOn)
        if let given, given != derived {
            throw DomainError.invalid(
                "days_overdue",
                "is \(given), but a loan that missed its due date of \(missedDueOn) is \(derived) days overdue on \(defaultedOn); omit it or send \(derived)"
            )
        }
        return derived
    }

    /// A claim may be filed once `claim_after_overdue_days` have passed since the missed due
    /// date: claimed_on − missed_due_on ≥ the waiting period of the loan's terms.
    static func waitingPeriodOver(_ defaulted: LoanDefaulted, claimedOn: BusinessDate, terms: FundPolicy, field: String = "claimed_on")
        throws
    {
        let overdue = defaulted.missedDueOn.days(until: claimedOn)
        guard overdue >= terms.claimAfterOverdueDays else {
            throw DomainError(
                .policyViolation, field: field,
                "the loan is \(overdue) days overdue on \(claimedOn) (missed due date \(defaulted.missedDueOn)); the fund accepts claims from \(terms.claimAfterOverdueDays) days (from \(defaulted.missedDueOn.adding(days: terms.claimAfterOverdueDays)))"
            )
        }
    }
}

// MARK: Decisions

extension Loan {
    /// An active loan with principal outstanding defaults on a due date it missed.
    static func markDefaulted(
        _ state: LoanState, _ loan: LoanOriginated, on: BusinessDate, missedDueOn: BusinessDate, days: Int?,
        classification: LoanClassification
    ) throws -> [LedgerEvent] {
        try expect(state, in: [.active], to: "default")
        guard state.outstanding.isPositive else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has nothing outstanding; close it instead")
        }
        if let days, days < 1 || days > 36_500 { throw DomainError.invalid("days_overdue", "must be 1–36500 (got \(days))") }
        guard classification.isNonPerforming else {
            throw DomainError.invalid(
                "classification", "a defaulted loan is substandard, doubtful or loss (got \(classification.rawValue))")
        }
        try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "defaulted_on", what: "the loan's last entry")
        let overdue = try daysOverdue(loan, defaultedOn: on, missedDueOn: missedDueOn, given: days)
        return [
            .loanDefaulted(
                LoanDefaulted(
                    defaultedOn: on, missedDueOn: missedDueOn, daysOverdue: overdue, outstandingFen: state.outstanding,
                    classification: classification))
        ]
    }

    /// A defaulted loan leaves the books once no claim is open.
    static func writeOff(_ state: LoanState, _ loan: LoanOriginated, on: BusinessDate, reason: String) throws -> [LedgerEvent] {
        try expect(state, in: [.defaulted], to: "be written off")
        if let open = state.openClaim {
            throw DomainError(
                .invalidState, field: "contract_no",
                "claim \(open.number) is still \(open.status.rawValue); decide and pay it, or withdraw it, first")
        }
        try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "written_off_on", what: "the loan's last entry")
        try Rules.text(reason, field: "reason")
        return [.loanWrittenOff(LoanWrittenOff(writtenOffOn: on, amountFen: state.outstanding, reason: reason))]
    }
}
