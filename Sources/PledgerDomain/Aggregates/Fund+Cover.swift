/// What the fund stream knows about the cover the fund granted, and the figures its
/// enrolment rules are decided on.
///
/// Definitions:
/// - **Enrolment**: the origination of a loan with a fund. It writes `CoverGranted` (bank,
///   contract, borrower, principal, date) to the fund stream in the same atomic append as
///   the `LoanOriginated`; a default of an enrolled loan writes `CoverDefaulted` (the
///   outstanding principal at default), and closing or cancelling it writes `CoverReleased`.
/// - **Covered principal**: Σ principal of the fund's enrolled loans not yet closed or
///   cancelled. It is the principal at enrolment, not the outstanding: repayments are not
///   written to the fund stream — which keeps the most frequent loan event off the fund's
///   hot stream — so a loan's cover is released when the loan closes. This is conservative:
///   covered principal is never less than the covered outstanding the exposure report shows.
/// - **Non-performing principal**: Σ outstanding-at-default of enrolled loans that defaulted
///   and are not closed — compensated and written-off ones included, so that paying a claim
///   promptly does not hide the default.
/// - **NPL ratio**: non-performing principal ÷ covered principal, in bp rounded up; none
///   while nothing is covered.
/// - **Per bank**: the same two figures and ratio over that bank's loans only.
/// - **Leverage (放大倍数)**: an enrolment is refused when the covered principal after it
///   would exceed the fund's balance on the origination date × `max_leverage`; likewise a
///   bank's covered principal against `bank_quota_fen`, and a borrower's cover granted in
///   the calendar year against `max_principal_per_firm_per_year_fen`.
/// - **Suspension**: when, after a default, the fund-wide NPL ratio (or the defaulting loan's
///   bank's) is above the policy's `npl_suspend_bp` and the fund (bank) is not suspended, the
///   same append suspends it — `FundSuspended` / `BankEnrolmentSuspended`, dated the default
///   (or the last status change, if later), with the figures as its reason. Only an
///   administrator resumes it. A suspended fund or bank enrols nothing, whatever the
///   origination date says.
///
/// Loans enrolled before these events existed have no `CoverGranted`: the fund counts them as
/// zero cover — they are in neither figure, and their defaults and closings write nothing to
/// the fund stream — so that every old log still folds. (A one-off backfill of their cover
/// would bring them under the rules.)
public struct CoverBook: Sendable, Hashable {
    /// One enrolled loan as the fund stream records it.
    public struct Entry: Sendable, Hashable {
        public var borrower: Uscc
        public var principal: Money
        public var enrolledOn: BusinessDate
        /// Outstanding principal at default, once defaulted.
        public var defaultedOutstanding: Money?
        public var defaultedOn: BusinessDate?
        public var released: CoverReleaseCause?
        public var releasedOn: BusinessDate?

        /// Counts towards covered principal: not closed or cancelled.
        public var isOpen: Bool { released == nil }
    }

    /// Covered and non-performing principal, fund-wide or for one bank.
    public struct Totals: Sendable, Hashable, Codable {
        public var coveredPrincipal: Money = .zero
        public var nonPerforming: Money = .zero

        public init() {}

        /// Non-performing ÷ covered principal in bp, rounded up; nil when nothing is covered.
        public var nplRatio: Bp? { Bp.ratio(nonPerforming, coveredPrincipal, rounding: .up) }
    }

    public struct BorrowerYear: Sendable, Hashable {
        public var borrower: Uscc
        public var year: Int

        public init(borrower: Uscc, year: Int) {
            self.borrower = borrower
            self.year = year
        }
    }

    public var loans: [LoanKey: Entry] = [:]
    public var total = Totals()
    public var byBank: [BankId: Totals] = [:]
    /// Cover granted per borrower and calendar year of enrolment (cancelled loans taken out,
    /// closed ones kept: the borrower did borrow that year).
    public var grantedByBorrowerYear: [BorrowerYear: Money] = [:]
    /// Per-bank enrolment switches, oldest first.
    public var bankSuspensions: [BankId: [FundState.StatusChange]] = [:]

    public init() {}

    /// Folds one fund-stream event (others are ignored). Totals are kept as running sums, so
    /// that deciding an enrolment stays O(1) however many loans the fund covers; a repeat or
    /// out-of-order event (only a hand-made log has one) changes nothing.
    mutating func apply(_ event: LedgerEvent) {
        switch event {
        case .coverGranted(let e):
            let key = LoanKey(bank: e.bankId, contract: e.contractNo)
            guard loans[key] == nil else { return }
            loans[key] = Entry(borrower: e.borrower, principal: e.principalFen, enrolledOn: e.enrolledOn)
            total.coveredPrincipal = total.coveredPrincipal.adding(saturating: e.principalFen)
            byBank[e.bankId, default: Totals()].coveredPrincipal = (byBank[e.bankId]?.coveredPrincipal ?? .zero).adding(
                saturating: e.principalFen)
            let year = BorrowerYear(borrower: e.borrower, year: e.enrolledOn.year)
            grantedByBorrowerYear[year] = (grantedByBorrowerYear[year] ?? .zero).adding(saturating: e.principalFen)
        case .coverDefaulted(let e):
            let key = LoanKey(bank: e.bankId, contract: e.contractNo)
            guard var entry = loans[key], entry.isOpen, entry.defaultedOutstanding == nil else { return }
            entry.defaultedOutstanding = e.outstandingFen
            entry.defaultedOn = e.defaultedOn
            loans[key] = entry
            total.nonPerforming = total.nonPerforming.adding(saturating: e.outstandingFen)
            byBank[e.bankId, default: Totals()].nonPerforming = (byBank[e.bankId]?.nonPerforming ?? .zero).adding(
                saturating: e.outstandingFen)
        case .coverReleased(let e):
            let key = LoanKey(bank: e.bankId, contract: e.contractNo)
            guard var entry = loans[key], entry.isOpen else { return }
            entry.released = e.cause
            entry.releasedOn = e.releasedOn
            loans[key] = entry
            var bank = byBank[e.bankId] ?? Totals()
            total.coveredPrincipal = total.coveredPrincipal.subtracting(saturating: entry.principal)
            bank.coveredPrincipal = bank.coveredPrincipal.subtracting(saturating: entry.principal)
            if let defaulted = entry.defaultedOutstanding {
                total.nonPerforming = total.nonPerforming.subtracting(saturating: defaulted)
                bank.nonPerforming = bank.nonPerforming.subtracting(saturating: defaulted)
            }
            byBank[e.bankId] = bank
            if e.cause == .cancelled {
                let year = BorrowerYear(borrower: entry.borrower, year: entry.enrolledOn.year)
                grantedByBorrowerYear[year] = (grantedByBorrowerYear[year] ?? .zero).subtracting(saturating: entry.principal)
            }
        case .bankEnrolmentSuspended(let e):
            bankSuspensions[e.bankId, default: []].append(FundState.StatusChange(on: e.suspendedOn, suspended: true))
        case .bankEnrolmentResumed(let e):
            bankSuspensions[e.bankId, default: []].append(FundState.StatusChange(on: e.resumedOn, suspended: false))
        default:
            break
        }
    }
}

extension FundState {
    /// The terms a loan enrolled on `enrolledOn` is covered on, as of `asOf`: the policy in
    /// force on its enrolment date, replaced by any later amendment that `applies_to`
    /// `all_loans` and took effect by `asOf`. Every claim limit, waiting period, per-borrower
    /// cap and contingent liability is computed on these — never on the policy of the day.
    /// Nil only for a fund that was never established.
    public func terms(forLoanEnrolledOn enrolledOn: BusinessDate, asOf: BusinessDate) -> FundPolicy? {
        guard var terms = policy(on: enrolledOn) else { return nil }
        for period in policies where period.effectiveOn > enrolledOn && period.effectiveOn <= asOf && period.appliesTo == .allLoans {
            terms = period.policy
        }
        return terms
    }

    /// Whether enrolments through `bank` are suspended on `date`.
    public func isBankSuspended(_ bank: BankId, on date: BusinessDate) -> Bool {
        cover.bankSuspensions[bank]?.last { $0.on <= date }?.suspended ?? false
    }

    /// Whether enrolments through `bank` are suspended now (until an administrator resumes them).
    public func isBankSuspendedNow(_ bank: BankId) -> Bool { cover.bankSuspensions[bank]?.last?.suspended ?? false }

    /// Banks whose enrolments are suspended now, in order.
    public var suspendedBanks: [BankId] { cover.bankSuspensions.keys.filter(isBankSuspendedNow).sorted() }

    /// The most principal the fund may cover after an enrolment on `date`: its balance that
    /// day × the policy's `max_leverage` (zero when the balance is not positive).
    public func coverLimit(on date: BusinessDate) -> Money {
        guard let policy = policy(on: date) else { return .zero }
        let balance = balance(on: date)
        guard balance.isPositive else { return .zero }
        // Policies are validated to 1–100×; the clamp only keeps a corrupt one from trapping.
        return (try? balance.scaled(by: min(max(policy.maxLeverage, 0), 100), over: 1, rounding: .down)) ?? .maximum
    }
}

extension Fund {
    /// The fund's side of a loan's enrolment, default and end, and the per-bank switch; nil
    /// for the other commands.
    static func decideCover(_ command: FundCommand, _ state: FundState, fundId: FundId, established: BusinessDate) throws -> [LedgerEvent]?
    {
        switch command {
        case .grantCover(let loan, let borrower, let principal, let on):
            return [.coverGranted(try grant(loan, borrower, principal, on, state, fundId, established))]

        case .recordCoverDefault(let loan, let outstanding, let on):
            return try recordDefault(loan, outstanding, on, state, fundId)

        case .releaseCover(let loan, let on, let cause):
            guard let entry = state.cover.loans[loan] else {
                throw DomainError(.notFound, field: "contract_no", "loan \(loan) has no cover with fund \(fundId)")
            }
            guard entry.isOpen else {
                throw DomainError(
                    .duplicate, field: "contract_no", "the cover of loan \(loan) was already released (\(entry.released!.rawValue))")
            }
            try Rules.notBefore(on, entry.enrolledOn, field: cause == .closed ? "closed_on" : "cancelled_on", what: "the enrolment")
            return [.coverReleased(CoverReleased(bankId: loan.bank, contractNo: loan.contract, releasedOn: on, cause: cause))]

        case .suspendBank(let bank, let on, let reason):
            guard state.banks[bank] != nil else {
                throw DomainError(.notFound, field: "bank_id", "bank \(bank) has not joined fund \(fundId)")
            }
            guard !state.isBankSuspendedNow(bank) else {
                throw DomainError(.invalidState, field: "bank_id", "enrolments through bank \(bank) are already suspended")
            }
            try Rules.notBefore(
                on, state.cover.bankSuspensions[bank]?.last?.on ?? established, field: "effective_on", what: "the bank's last status change"
            )
            try Rules.text(reason, field: "reason")
            return [.bankEnrolmentSuspended(BankEnrolmentSuspended(bankId: bank, suspendedOn: on, reason: reason))]

        case .resumeBank(let bank, let on, let reason):
            guard let last = state.cover.bankSuspensions[bank]?.last, last.suspended else {
                throw DomainError(.invalidState, field: "bank_id", "enrolments through bank \(bank) are not suspended")
            }
            try Rules.notBefore(on, last.on, field: "effective_on", what: "the suspension")
            try Rules.text(reason, field: "reason")
            return [.bankEnrolmentResumed(BankEnrolmentResumed(bankId: bank, resumedOn: on, reason: reason))]

        default:
            return nil
        }
    }

    /// Enrolment: the fund and the bank take new loans, and leverage, the bank's quota and
    /// the borrower's yearly cap all hold after it.
    private static func grant(
        _ loan: LoanKey, _ borrower: Uscc, _ principal: Money, _ on: BusinessDate,
        _ state: FundState, _ fundId: FundId, _ established: BusinessDate
    ) throws -> CoverGranted {
        try Rules.positive(principal, field: "principal_fen")
        try Rules.notBefore(on, established, field: "originated_on", what: "fund \(fundId) was established")
        guard state.cover.loans[loan] == nil else {
            throw DomainError(.duplicate, field: "contract_no", "loan \(loan) is already enrolled with fund \(fundId)")
        }
        guard !state.isSuspendedNow, !state.isSuspended(on: on) else {
            throw DomainError(
                .policyViolation, field: "fund_id", "fund \(fundId) is suspended and takes no new loans until an administrator resumes it")
        }
        guard let joined = state.banks[loan.bank], joined <= on else {
            throw DomainError(.policyViolation, field: "fund_id", "bank \(loan.bank) has not joined fund \(fundId) by \(on)")
        }
        guard !state.isBankSuspendedNow(loan.bank), !state.isBankSuspended(loan.bank, on: on) else {
            throw DomainError(
                .policyViolation, field: "bank_id",
                "fund \(fundId) has suspended new enrolments through bank \(loan.bank) until an administrator resumes them")
        }
        let policy = state.policy(on: on)!

        let covered = state.cover.total.coveredPrincipal
        let after = try covered.adding(principal, toTotal: "the covered principal of fund \(fundId)", field: "principal_fen")
        let limit = state.coverLimit(on: on)
        guard after <= limit else {
            throw DomainError(
                .policyViolation, field: "principal_fen",
                "fund \(fundId) covers \(covered) of principal; \(principal) more would make \(after), above \(policy.maxLeverage)× its balance of \(state.balance(on: on)) on \(on) (\(limit))"
            )
        }
        if let quota = policy.bankQuotaFen {
            let bankCovered = state.cover.byBank[loan.bank]?.coveredPrincipal ?? .zero
            let bankAfter = try bankCovered.adding(
                principal, toTotal: "the covered principal of bank \(loan.bank) in fund \(fundId)", field: "principal_fen")
            guard bankAfter <= quota else {
                throw DomainError(
                    .policyViolation, field: "principal_fen",
                    "bank \(loan.bank) has \(bankCovered) of principal covered by fund \(fundId); \(principal) more would make \(bankAfter), above the bank's quota of \(quota)"
                )
            }
        }
        if let cap = policy.maxPrincipalPerFirmPerYearFen {
            let granted = state.cover.grantedByBorrowerYear[.init(borrower: borrower, year: on.year)] ?? .zero
            let yearAfter = try granted.adding(
                principal, toTotal: "the cover granted to borrower \(borrower) in \(on.year)", field: "principal_fen")
            guard yearAfter <= cap else {
                throw DomainError(
                    .policyViolation, field: "principal_fen",
                    "borrower \(borrower) was granted \(granted) of cover by fund \(fundId) in \(on.year); \(principal) more would make \(yearAfter), above the cap of \(cap) per firm per year"
                )
            }
        }
        return CoverGranted(bankId: loan.bank, contractNo: loan.contract, borrower: borrower, principalFen: principal, enrolledOn: on)
    }

    /// A covered loan defaulted: record it, and suspend enrolments — fund-wide and through the
    /// loan's bank — where the NPL ratio is now above the threshold.
    private static func recordDefault(_ loan: LoanKey, _ outstanding: Money, _ on: BusinessDate, _ state: FundState, _ fundId: FundId)
        throws -> [LedgerEvent]
    {
        guard let entry = state.cover.loans[loan] else {
            throw DomainError(.notFound, field: "contract_no", "loan \(loan) has no cover with fund \(fundId)")
        }
        guard entry.isOpen else {
            throw DomainError(.invalidState, field: "contract_no", "the cover of loan \(loan) was released (\(entry.released!.rawValue))")
        }
        guard entry.defaultedOutstanding == nil else {
            throw DomainError(.duplicate, field: "contract_no", "the default of loan \(loan) is already recorded by fund \(fundId)")
        }
        try Rules.positive(outstanding, field: "outstanding_fen")
        try Rules.notBefore(on, entry.enrolledOn, field: "defaulted_on", what: "the enrolment")
        var events: [LedgerEvent] = [
            .coverDefaulted(CoverDefaulted(bankId: loan.bank, contractNo: loan.contract, outstandingFen: outstanding, defaultedOn: on))
        ]

        let threshold = state.policy(on: on)!.nplSuspendBp
        func totals(_ before: CoverBook.Totals) -> CoverBook.Totals {
            var after = before
            after.nonPerforming = before.nonPerforming.adding(saturating: outstanding)
            return after
        }
        func breach(_ totals: CoverBook.Totals, _ whose: String) -> String? {
            guard let ratio = totals.nplRatio, ratio > threshold else { return nil }
            return
                "automatic: \(whose)non-performing ratio is \(ratio.value) bp (\(totals.nonPerforming) outstanding at default ÷ \(totals.coveredPrincipal) covered principal), above the threshold of \(threshold.value) bp, after loan \(loan) defaulted on \(on)"
        }
        if !state.isSuspendedNow, let reason = breach(totals(state.cover.total), "the fund's ") {
            events.append(.fundSuspended(FundSuspended(suspendedOn: max(on, state.suspensions.last?.on ?? on), reason: reason)))
        }
        if !state.isBankSuspendedNow(loan.bank),
            let reason = breach(totals(state.cover.byBank[loan.bank] ?? CoverBook.Totals()), "bank \(loan.bank)'s ")
        {
            let last = state.cover.bankSuspensions[loan.bank]?.last?.on ?? on
            events.append(.bankEnrolmentSuspended(BankEnrolmentSuspended(bankId: loan.bank, suspendedOn: max(on, last), reason: reason)))
        }
        return events
    }
}
