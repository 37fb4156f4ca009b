/// A subsidy programme (贴息 or 评估费补贴): a dated policy with a budget. The ledger
/// computes each application's entitlement from what it already recorded — the interest a
/// firm paid on its loans, a valuation of its asset — and refuses approvals beyond the
/// entitlement or the budget left, and payments beyond what was approved.
public struct SubsidyState: Sendable, Hashable {
    public var terms: SubsidyProgrammeEstablished?
    public fileprivate(set) var applications: [Application] = []
    /// Approved per firm and year (interest) or per valuation (appraisal fee).
    public var approvedByKey: [String: Money] = [:]
    /// The applications awaiting a decision (their places in `applications`, counted from 1,
    /// as `application(_:)` finds them), by what their cap is counted against (the rules allow
    /// one at a time), so that an application is checked without reading every earlier one: a
    /// programme takes tens of thousands a year.
    public fileprivate(set) var awaitingDecision: [String: Set<Int>] = [:]
    /// Σ approved: what the budget is committed to. Kept as the stream is folded, for the
    /// same reason; within ±`Money.maximum` as every running total.
    public fileprivate(set) var committedFen: Money = .zero
    /// Σ paid.
    public fileprivate(set) var paidFen: Money = .zero

    public init() {}

    public var exists: Bool { terms != nil }

    public struct Application: Sendable, Hashable {
        public enum Status: String, Sendable, Hashable { case applied, approved, rejected }
        public var number: Int
        public var borrower: Uscc
        /// The year (interest) or the asset's valuation (appraisal fee) the application is for.
        public var year: Int?
        public var valuation: String?
        public var basisFen: Money
        public var entitlementFen: Money
        public var appliedOn: BusinessDate
        public var status: Status = .applied
        public var approvedFen: Money = .zero
        public var approvedOn: BusinessDate?
        public var paidFen: Money = .zero
        public var paidOn: BusinessDate?
        /// What the cap is counted against: the firm and year, or the valuation.
        public var capKey: String { year.map { "\(borrower)/\($0)" } ?? "valuation/\(valuation ?? "")" }
    }

    public func application(_ number: Int) -> Application? {
        applications.indices.contains(number - 1) ? applications[number - 1] : nil
    }
}

/// What may be asked of a programme.
public enum SubsidyCommand: Sendable, Hashable {
    case establish(SubsidyProgrammeEstablished)
    /// The firm's interest of `year` on `loans` (each the firm's, each once).
    case applyForInterest(borrower: Uscc, year: Int, loans: [LoanKey], appliedOn: BusinessDate)
    case applyForAppraisalFee(
        borrower: Uscc, asset: AssetId, valuation: ValuationId, fee: Money, invoiceRef: String, appliedOn: BusinessDate)
    /// `amount` nil: the whole entitlement.
    case approve(applicationNo: Int, amount: Money?, approvedOn: BusinessDate)
    case reject(applicationNo: Int, rejectedOn: BusinessDate, reason: String)
    /// `amount` nil: what is approved and not paid yet.
    case pay(applicationNo: Int, amount: Money?, paidOn: BusinessDate, reference: String)
}

/// The subsidy programme's decider. `loans` and `assets` are the streams an application cites.
public enum SubsidyProgramme {
    public static func decide(
        _ command: SubsidyCommand, _ state: SubsidyState, loans: [LoanKey: LoanState] = [:], assets: [AssetId: AssetState] = [:]
    ) throws -> [LedgerEvent] {
        if case .establish(let terms) = command {
            guard !state.exists else {
                throw DomainError(.duplicate, field: "programme_id", "subsidy programme \(terms.programmeId) already exists")
            }
            try Rules.text(terms.name, field: "name")
            guard (1...10_000).contains(terms.rateBp.value) else {
                throw DomainError.invalid("rate_bp", "the subsidy rate must be 1–10000 bp (got \(terms.rateBp.value))")
            }
            try Rules.positive(terms.capFen, field: "cap_fen")
            try Rules.positive(terms.budgetFen, field: "budget_fen")
            guard terms.endsOn >= terms.startsOn else {
                throw DomainError(.dateOrder, field: "ends_on", "the programme ends (\(terms.endsOn)) before it starts (\(terms.startsOn))")
            }
            return [.subsidyProgrammeEstablished(terms)]
        }
        guard let terms = state.terms else {
            throw DomainError(.notFound, field: "programme_id", "no such subsidy programme; establish it first")
        }
        let number = state.applications.count + 1
        switch command {
        case .establish:
            preconditionFailure("handled above")

        case .applyForInterest(let borrower, let year, let keys, let on):
            guard terms.kind == .interest else {
                throw DomainError.invalid("programme_id", "programme \(terms.programmeId) subsidises appraisal fees, not interest")
            }
            guard (terms.startsOn.year...terms.endsOn.year).contains(year) else {
                throw DomainError.invalid(
                    "year", "programme \(terms.programmeId) runs \(terms.startsOn)–\(terms.endsOn); \(year) is outside it")
            }
            guard !keys.isEmpty, keys.count <= 1000 else { throw DomainError.invalid("loans", "cite 1–1000 of the firm's loans") }
            guard Set(keys).count == keys.count else { throw DomainError.invalid("loans", "a loan is cited twice") }
            try Rules.notBefore(on, terms.startsOn, field: "applied_on", what: "the programme starts")
            let key = "\(borrower)/\(year)"
            try noOpenApplication(state, key: key, for: "\(borrower) in \(year)")
            var interest = Money.zero
            for (index, loanKey) in keys.enumerated() {
                guard let loan = loans[loanKey], let origination = loan.origination else {
                    throw DomainError(.notFound, field: "loans[\(index)]", "no loan \(loanKey)")
                }
                guard origination.borrower == borrower else {
                    throw DomainError.invalid("loans[\(index)]", "loan \(loanKey) is not a loan of \(borrower)")
                }
                for (id, repayment) in loan.repayments where !loan.reversed.contains(id) {
                    guard repayment.paidOn.year == year, repayment.paidOn >= terms.startsOn, repayment.paidOn <= terms.endsOn else {
                        continue
                    }
                    interest = try interest.adding(
                        repayment.interestFen, toTotal: "the interest \(borrower) paid in \(year)", field: "loans")
                }
            }
            let entitlement = try Self.entitlement(basis: interest, terms: terms, approved: state.approvedByKey[key] ?? .zero)
            return [
                .interestSubsidyApplied(
                    InterestSubsidyApplied(
                        applicationNo: number, borrower: borrower, year: year, loans: keys, interestFen: interest,
                        entitlementFen: entitlement, appliedOn: on))
            ]

        case .applyForAppraisalFee(let borrower, let assetId, let valuationId, let fee, let invoice, let on):
            guard terms.kind == .appraisalFee else {
                throw DomainError.invalid("programme_id", "programme \(terms.programmeId) subsidises interest, not appraisal fees")
            }
            guard let asset = assets[assetId], let registration = asset.registration else {
                throw DomainError(.notFound, field: "asset_id", "asset \(assetId) is not registered")
            }
            guard registration.owner == borrower else {
                throw DomainError.invalid("asset_id", "asset \(assetId) belongs to \(registration.owner), not \(borrower)")
            }
            guard let valuation = asset.valuations[valuationId] else {
                throw DomainError(.notFound, field: "valuation_id", "asset \(assetId) has no valuation \(valuationId)")
            }
            guard valuation.valuedOn >= terms.startsOn, valuation.valuedOn <= terms.endsOn else {
                throw DomainError.invalid(
                    "valuation_id",
                    "valuation \(valuationId) of \(valuation.valuedOn) is outside the programme (\(terms.startsOn)–\(terms.endsOn))")
            }
            try Rules.positive(fee, field: "fee_fen")
            try Rules.text(invoice, field: "invoice_ref", maxLength: 120)
            try Rules.notBefore(on, valuation.valuedOn, field: "applied_on", what: "the valuation")
            let key = "valuation/\(assetId)/\(valuationId)"
            try noOpenApplication(state, key: key, for: "valuation \(valuationId) of \(assetId)")
            let entitlement = try Self.entitlement(basis: fee, terms: terms, approved: state.approvedByKey[key] ?? .zero)
            return [
                .appraisalFeeSubsidyApplied(
                    AppraisalFeeSubsidyApplied(
                        applicationNo: number, borrower: borrower, assetId: assetId, valuationId: valuationId, feeFen: fee,
                        invoiceRef: invoice, entitlementFen: entitlement, appliedOn: on))
            ]

        case .approve(let no, let amount, let on):
            let application = try open(state, no, status: .applied, to: "be approved")
            let approved = amount ?? application.entitlementFen
            try Rules.positive(approved, field: "amount_fen")
            guard approved <= application.entitlementFen else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "\(approved) is more than the \(application.entitlementFen) application \(no) is entitled to (\(terms.rateBp.percent) of \(application.basisFen), at most \(terms.capFen) \(terms.kind == .interest ? "per firm per year" : "per valuation"), less what was approved before)"
                )
            }
            let left = try terms.budgetFen - state.committedFen
            guard approved <= left else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "programme \(terms.programmeId) has \(max(left, .zero)) left of its budget \(terms.budgetFen); \(approved) asked")
            }
            try Rules.notBefore(on, application.appliedOn, field: "approved_on", what: "the application")
            return [.subsidyApproved(SubsidyApproved(applicationNo: no, amountFen: approved, approvedOn: on))]

        case .reject(let no, let on, let reason):
            let application = try open(state, no, status: .applied, to: "be rejected")
            try Rules.text(reason, field: "reason")
            try Rules.notBefore(on, application.appliedOn, field: "rejected_on", what: "the application")
            return [.subsidyRejected(SubsidyRejected(applicationNo: no, rejectedOn: on, reason: reason))]

        case .pay(let no, let amount, let on, let reference):
            let application = try open(state, no, status: .approved, to: "be paid")
            let unpaid = try application.approvedFen - application.paidFen
            guard unpaid.isPositive else {
                throw DomainError(.duplicate, field: "application_no", "application \(no) is paid in full")
            }
            let payment = amount ?? unpaid
            try Rules.positive(payment, field: "amount_fen")
            guard payment <= unpaid else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "\(payment) is more than the \(unpaid) approved and not yet paid on application \(no)")
            }
            try Rules.notBefore(
                on, application.paidOn ?? application.approvedOn!, field: "paid_on", what: "the approval and earlier payments")
            try Rules.text(reference, field: "reference")
            return [.subsidyPaid(SubsidyPaid(applicationNo: no, amountFen: payment, paidOn: on, reference: reference))]
        }
    }

    /// min(basis × rate rounded down, cap) − what was approved before for the same firm-year or valuation.
    static func entitlement(basis: Money, terms: SubsidyProgrammeEstablished, approved: Money) throws -> Money {
        let share = min(try basis.applying(terms.rateBp, rounding: .down), terms.capFen)
        return max(.zero, share.subtracting(saturating: approved))
    }

    static func noOpenApplication(_ state: SubsidyState, key: String, for what: String) throws {
        if let place = state.awaitingDecision[key]?.min() {
            throw DomainError(
                .duplicate, field: "application_no",
                "application \(state.applications[place - 1].number) for \(what) awaits a decision; approve or reject it first")
        }
    }

    static func open(_ state: SubsidyState, _ number: Int, status: SubsidyState.Application.Status, to action: String) throws
        -> SubsidyState.Application
    {
        guard let application = state.application(number) else {
            throw DomainError(.notFound, field: "application_no", "no application \(number)")
        }
        guard application.status == status else {
            throw DomainError(
                .invalidState, field: "application_no", "application \(number) is \(application.status.rawValue) and cannot \(action)")
        }
        return application
    }

    public static func evolve(_ state: SubsidyState, _ recorded: RecordedEvent) -> SubsidyState {
        var state = state
        evolve(&state, recorded)
        return state
    }

    /// Folds one event in place: no copy of the state's tables, which grow with every loan
    /// or application, so folding a long stream stays linear.
    public static func evolve(_ state: inout SubsidyState, _ recorded: RecordedEvent) {
        switch recorded.event {
        case .subsidyProgrammeEstablished(let e):
            state.terms = e
        case .interestSubsidyApplied(let e):
            applied(
                &state,
                .init(
                    number: e.applicationNo, borrower: e.borrower, year: e.year, valuation: nil, basisFen: e.interestFen,
                    entitlementFen: e.entitlementFen, appliedOn: e.appliedOn))
        case .appraisalFeeSubsidyApplied(let e):
            applied(
                &state,
                .init(
                    number: e.applicationNo, borrower: e.borrower, year: nil, valuation: "\(e.assetId)/\(e.valuationId)",
                    basisFen: e.feeFen,
                    entitlementFen: e.entitlementFen, appliedOn: e.appliedOn))
        case .subsidyApproved(let e):
            if let application = state.application(e.applicationNo) {
                state.committedFen = state.committedFen.subtracting(saturating: application.approvedFen).adding(saturating: e.amountFen)
                state.approvedByKey[application.capKey] = (state.approvedByKey[application.capKey] ?? .zero).adding(saturating: e.amountFen)
            }
            update(&state, e.applicationNo) {
                $0.status = .approved
                $0.approvedFen = e.amountFen
                $0.approvedOn = e.approvedOn
            }
        case .subsidyRejected(let e):
            update(&state, e.applicationNo) { $0.status = .rejected }
        case .subsidyPaid(let e):
            if state.application(e.applicationNo) != nil { state.paidFen = state.paidFen.adding(saturating: e.amountFen) }
            update(&state, e.applicationNo) {
                $0.paidFen = $0.paidFen.adding(saturating: e.amountFen)
                $0.paidOn = e.paidOn
            }
        default:
            break
        }
    }

    static func applied(_ state: inout SubsidyState, _ application: SubsidyState.Application) {
        state.applications.append(application)
        state.awaitingDecision[application.capKey, default: []].insert(state.applications.count)
    }

    /// Changes application `number` (if the stream has it), keeping `awaitingDecision` in step
    /// with its status.
    static func update(_ state: inout SubsidyState, _ number: Int, _ change: (inout SubsidyState.Application) -> Void) {
        guard state.applications.indices.contains(number - 1) else { return }
        change(&state.applications[number - 1])
        let application = state.applications[number - 1]
        let key = application.capKey
        if application.status == .applied {
            state.awaitingDecision[key, default: []].insert(number)
        } else if state.awaitingDecision[key]?.remove(number) != nil, state.awaitingDecision[key]!.isEmpty {
            state.awaitingDecision[key] = nil
        }
    }
}
