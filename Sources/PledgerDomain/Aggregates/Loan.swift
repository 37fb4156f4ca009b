import Foundation

/// Where a loan stands in its life.
public enum LoanStatus: String, Sendable, Hashable, ClosedSet {
    case active, defaulted
    case writtenOff = "written_off"
    case closed, cancelled
}

/// A compensation claim on a defaulted loan and what became of it.
public struct Claim: Sendable, Hashable {
    /// An approved claim stays `approved` until paid in full (it is queued while money is
    /// owed on it); `withdrawn` ends a filed claim or the unpaid remainder of an approved one.
    public enum Status: String, Sendable, Hashable { case filed, approved, rejected, paid, withdrawn }
    public var number: Int
    public var amount: Money
    public var claimedOn: BusinessDate
    public var status: Status
    public var approved: Money = .zero
    public var approvedOn: BusinessDate?
    /// Paid so far (a fund pays up to its balance and queues the rest); `paidOn` is the last payment.
    public var paid: Money = .zero
    public var paidOn: BusinessDate?
    /// What a withdrawal took off the claim (`CompensationWithdrawn.amount_fen`).
    public var withdrawn: Money = .zero
    public var withdrawnOn: BusinessDate?
}

/// Money recovered from the borrower or the collateral after default.
public struct Recovery: Sendable, Hashable {
    public var number: Int
    public var eventId: UUID
    public var amount: Money
    public var receivedOn: BusinessDate
    public var reversed = false
    /// The fund's share, once returned to it.
    public var returnedShare: Money?
}

/// Everything the loan stream says about one loan.
public struct LoanState: Sendable, Hashable {
    public var origination: LoanOriginated?
    public var status: LoanStatus = .active
    /// Principal not yet repaid, recovered or written off.
    public var outstanding: Money = .zero
    public var repaidPrincipal: Money = .zero
    public var repaidInterest: Money = .zero
    public var repayments: [UUID: RepaymentReceived] = [:]
    public var reversed: Set<UUID> = []
    public var defaulted: LoanDefaulted?
    public var claims: [Claim] = []
    public var recoveries: [Recovery] = []
    public var writtenOff: Money = .zero
    /// The latest business date of any entry: closing cannot precede it.
    public var lastActivity: BusinessDate?

    public init() {}

    public var exists: Bool { origination != nil }
    public var key: LoanKey? { origination.map { LoanKey(bank: $0.bankId, contract: $0.contractNo) } }
    public var compensationPaid: Money { claims.reduce(.zero) { $0.adding(saturating: $1.paid) } }
    public var recoveredTotal: Money { recoveries.filter { !$0.reversed }.reduce(.zero) { $0.adding(saturating: $1.amount) } }
    public var returnedToFund: Money { recoveries.reduce(.zero) { $0.adding(saturating: $1.returnedShare ?? .zero) } }
    /// The claim being decided or awaiting payment, if any.
    public var openClaim: Claim? { claims.last.flatMap { [.filed, .approved].contains($0.status) ? $0 : nil } }
}

/// What banks and fund administrators may do with a loan.
public enum LoanCommand: Sendable, Hashable {
    case originate(Origination)
    case repay(principal: Money, interest: Money, paidOn: BusinessDate)
    /// `missedDueOn`: the instalment or maturity date the borrower missed; days overdue are
    /// derived from it, and `daysOverdue`, if a client gives it, must agree.
    case markDefaulted(on: BusinessDate, missedDueOn: BusinessDate, daysOverdue: Int? = nil, classification: LoanClassification)
    case claimCompensation(amount: Money, claimedOn: BusinessDate)
    case approveClaim(amount: Money, approvedOn: BusinessDate)
    case rejectClaim(rejectedOn: BusinessDate, reason: String)
    /// Pays an approved claim: `amount`, or when nil as much as the fund can — min(unpaid,
    /// the fund's available balance); the rest stays queued (Loan+Claims.swift).
    case payClaim(paidOn: BusinessDate, paymentRef: String, amount: Money? = nil)
    /// Withdraws the open claim (filed, or the unpaid remainder of an approved one).
    case withdrawClaim(withdrawnOn: BusinessDate, reason: String)
    case receiveRecovery(amount: Money, receivedOn: BusinessDate, source: String)
    case returnRecoveryShare(recoveryNo: Int, returnedOn: BusinessDate, reference: String)
    case writeOff(on: BusinessDate, reason: String)
    case close(on: BusinessDate)
    case cancel(on: BusinessDate, reason: String)
    case reverse(eventId: UUID, on: BusinessDate, reason: String)

    public struct Origination: Sendable, Hashable {
        public var key: LoanKey
        public var borrower: Uscc
        public var principal: Money
        public var rate: Bp
        public var originatedOn: BusinessDate
        public var maturesOn: BusinessDate
        public var collateral: [Pledge]
        public var fund: FundId?

        public init(key: LoanKey, borrower: Uscc, principal: Money, rate: Bp, originatedOn: BusinessDate, maturesOn: BusinessDate, collateral: [Pledge], fund: FundId?) {
            self.key = key
            self.borrower = borrower
            self.principal = principal
            self.rate = rate
            self.originatedOn = originatedOn
            self.maturesOn = maturesOn
            self.collateral = collateral
            self.fund = fund
        }
    }

    /// One asset offered as collateral: which valuation to rely on (default: the latest
    /// on or before origination) and the pledge registration number.
    public struct Pledge: Sendable, Hashable {
        public var asset: AssetId
        public var valuation: ValuationId?
        public var registrationNo: String

        public init(asset: AssetId, valuation: ValuationId? = nil, registrationNo: String) {
            self.asset = asset
            self.valuation = valuation
            self.registrationNo = registrationNo
        }
    }
}

/// The other aggregates a loan decision reads. The workflow fills in what a command needs.
public struct LoanContext: Sendable {
    public var bank: BankState?
    public var borrower: BorrowerState?
    public var assets: [AssetId: AssetState] = [:]
    public var fund: FundState?
    /// The LPR fixings, read when the fund caps rates over the LPR.
    public var lpr: LprState?

    public init(bank: BankState? = nil, borrower: BorrowerState? = nil, assets: [AssetId: AssetState] = [:], fund: FundState? = nil, lpr: LprState? = nil) {
        self.bank = bank
        self.borrower = borrower
        self.assets = assets
        self.fund = fund
        self.lpr = lpr
    }
}

/// The loan aggregate's decider: every rule that concerns one loan.
public enum Loan {
    public static func decide(_ command: LoanCommand, _ state: LoanState, _ context: LoanContext = LoanContext()) throws -> [LedgerEvent] {
        if case .originate(let origination) = command {
            guard !state.exists else {
                throw DomainError(.duplicate, field: "contract_no", "loan \(origination.key) already exists")
            }
            return [.loanOriginated(try originate(origination, context))]
        }
        guard let loan = state.origination else {
            throw DomainError(.notFound, field: "contract_no", "no such loan")
        }
        switch command {
        case .originate:
            preconditionFailure("handled above")

        case .repay(let principal, let interest, let on):
            try expect(state, in: [.active], to: "take a repayment (after default, record recoveries)")
            try Rules.nonNegative(principal, field: "principal_fen")
            try Rules.nonNegative(interest, field: "interest_fen")
            guard principal.isPositive || interest.isPositive else {
                throw DomainError.invalid("principal_fen", "a repayment needs principal or interest above 0.00")
            }
            guard principal <= state.outstanding else {
                throw DomainError(.limitExceeded, field: "principal_fen", "repayment of \(principal) exceeds the outstanding principal \(state.outstanding)")
            }
            try Rules.notBefore(on, loan.originatedOn, field: "paid_on", what: "origination")
            try state.repaidPrincipal.adding(principal, toTotal: "repaid principal of loan \(loan.key)", field: "principal_fen")
            try state.repaidInterest.adding(interest, toTotal: "repaid interest of loan \(loan.key)", field: "interest_fen")
            return [.repaymentReceived(RepaymentReceived(principalFen: principal, interestFen: interest, paidOn: on))]

        case .markDefaulted(let on, let missedDueOn, let days, let classification):
            try expect(state, in: [.active], to: "default")
            guard state.outstanding.isPositive else {
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has nothing outstanding; close it instead")
            }
            if let days, days < 1 || days > 36_500 { throw DomainError.invalid("days_overdue", "must be 1–36500 (got \(days))") }
            guard classification.isNonPerforming else {
                throw DomainError.invalid("classification", "a defaulted loan is substandard, doubtful or loss (got \(classification.rawValue))")
            }
            try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "defaulted_on", what: "the loan's last entry")
            let overdue = try daysOverdue(loan, defaultedOn: on, missedDueOn: missedDueOn, given: days)
            return [.loanDefaulted(LoanDefaulted(defaultedOn: on, missedDueOn: missedDueOn, daysOverdue: overdue, outstandingFen: state.outstanding, classification: classification))]

        case .claimCompensation(let amount, let on):
            let fund = try enrolledFund(loan, context)
            try expect(state, in: [.defaulted, .writtenOff], to: "claim compensation (mark it defaulted first)")
            let defaulted = state.defaulted!
            if let open = state.openClaim {
                throw DomainError(.invalidState, field: "contract_no", "claim \(open.number) of loan \(loan.key) is still \(open.status.rawValue)")
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
                throw DomainError(.limitExceeded, field: "amount_fen", "claim of \(amount) exceeds the limit \(limit.amount): \(limit.explanation)")
            }
            return [.compensationClaimed(CompensationClaimed(claimNo: state.claims.count + 1, amountFen: amount, claimedOn: on, limitFen: limit.amount))]

        case .approveClaim(let amount, let on):
            guard let claim = state.openClaim, claim.status == .filed else {
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no claim awaiting a decision")
            }
            try Rules.positive(amount, field: "amount_fen")
            guard amount <= claim.amount else {
                throw DomainError(.limitExceeded, field: "amount_fen", "approval of \(amount) exceeds the claimed \(claim.amount)")
            }
            try Rules.notBefore(on, claim.claimedOn, field: "approved_on", what: "the claim")
            return [.compensationApproved(CompensationApproved(claimNo: claim.number, amountFen: amount, approvedOn: on))]

        case .rejectClaim(let on, let reason):
            if let claim = state.openClaim, claim.status == .approved {
                throw DomainError(.invalidState, field: "contract_no",
                    "claim \(claim.number) of loan \(loan.key) was approved (\(claim.unpaid) unpaid); withdraw the unpaid remainder instead of rejecting it")
            }
            guard let claim = state.openClaim, claim.status == .filed else {
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has no claim awaiting a decision")
            }
            try Rules.text(reason, field: "reason")
            try Rules.notBefore(on, claim.claimedOn, field: "rejected_on", what: "the claim")
            return [.compensationRejected(CompensationRejected(claimNo: claim.number, rejectedOn: on, reason: reason))]

        case .payClaim(let on, let reference, let amount):
            return try payClaim(state, loan, paidOn: on, paymentRef: reference, amount: amount, context)

        case .withdrawClaim(let on, let reason):
            return try withdrawClaim(state, loan, withdrawnOn: on, reason: reason)

        case .receiveRecovery(let amount, let on, let source):
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
            return [.recoveryReceived(RecoveryReceived(recoveryNo: state.recoveries.count + 1, amountFen: amount, receivedOn: on, source: source))]

        case .returnRecoveryShare(let number, let on, let reference):
            guard let recovery = state.recoveries.first(where: { $0.number == number }) else {
                throw DomainError(.notFound, field: "recovery_no", "loan \(loan.key) has no recovery \(number)")
            }
            guard !recovery.reversed else { throw DomainError(.invalidState, field: "recovery_no", "recovery \(number) was reversed") }
            guard recovery.returnedShare == nil else {
                throw DomainError(.duplicate, field: "recovery_no", "the fund's share of recovery \(number) was already returned")
            }
            let paid = state.compensationPaid
            guard paid.isPositive, let paidOn = state.claims.compactMap(\.paidOn).max() else {
                throw DomainError(.invalidState, field: "recovery_no", "the fund has paid no compensation on loan \(loan.key); nothing is due to it")
            }
            let share = try fundShare(of: recovery.amount, paid: paid, loss: state.defaulted!.outstandingFen, alreadyReturned: state.returnedToFund)
            guard share.isPositive else {
                throw DomainError(.invalidState, field: "recovery_no", "the fund has already received back everything it paid")
            }
            try Rules.notBefore(on, max(recovery.receivedOn, paidOn), field: "returned_on", what: "the recovery and the payout")
            try Rules.text(reference, field: "reference")
            try state.returnedToFund.adding(share, toTotal: "returned to the fund from loan \(loan.key)", field: "recovery_no")
            return [.recoveryReturnedToFund(RecoveryReturnedToFund(recoveryNo: number, amountFen: share, returnedOn: on, reference: reference))]

        case .writeOff(let on, let reason):
            try expect(state, in: [.defaulted], to: "be written off")
            if let open = state.openClaim {
                throw DomainError(.invalidState, field: "contract_no", "claim \(open.number) is still \(open.status.rawValue); decide and pay it, or withdraw it, first")
            }
            try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "written_off_on", what: "the loan's last entry")
            try Rules.text(reason, field: "reason")
            return [.loanWrittenOff(LoanWrittenOff(writtenOffOn: on, amountFen: state.outstanding, reason: reason))]

        case .close(let on):
            switch state.status {
            case .active where state.outstanding == .zero, .writtenOff:
                break
            case .active:
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) still has \(state.outstanding) outstanding")
            default:
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) is \(state.status.rawValue) and cannot be closed")
            }
            if let open = state.openClaim {
                throw DomainError(.invalidState, field: "contract_no", "claim \(open.number) is still \(open.status.rawValue); decide and pay it, or withdraw it, first")
            }
            try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "closed_on", what: "the loan's last entry")
            return [.loanClosed(LoanClosed(closedOn: on))]

        case .cancel(let on, let reason):
            try expect(state, in: [.active], to: "be cancelled")
            guard state.repayments.keys.allSatisfy(state.reversed.contains) else {
                throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) has repayments; reverse them before cancelling")
            }
            try Rules.text(reason, field: "reason")
            try Rules.notBefore(on, loan.originatedOn, field: "cancelled_on", what: "origination")
            return [.loanCancelled(LoanCancelled(cancelledOn: on, reason: reason))]

        case .reverse(let eventId, let on, let reason):
            try Rules.text(reason, field: "reason")
            if state.reversed.contains(eventId) {
                throw DomainError(.duplicate, field: "reversed_event_id", "entry \(eventId) is already reversed")
            }
            if let repayment = state.repayments[eventId] {
                try expect(state, in: [.active], to: "have a repayment reversed")
                try Rules.notBefore(on, repayment.paidOn, field: "reversed_on", what: "the repayment")
                return [.entryReversed(EntryReversed(reversedEventId: eventId, reversedType: RepaymentReceived.type, reversedOn: on, reason: reason))]
            }
            if let recovery = state.recoveries.first(where: { $0.eventId == eventId }) {
                guard recovery.returnedShare == nil else {
                    throw DomainError(.invalidState, field: "reversed_event_id", "the fund's share of recovery \(recovery.number) was already returned; it cannot be reversed")
                }
                try Rules.notBefore(on, recovery.receivedOn, field: "reversed_on", what: "the recovery")
                return [.entryReversed(EntryReversed(reversedEventId: eventId, reversedType: RecoveryReceived.type, reversedOn: on, reason: reason))]
            }
            throw DomainError(.notFound, field: "reversed_event_id", "event \(eventId) is not a reversible entry (repayment or recovery) of loan \(loan.key)")
        }
    }

    public static func evolve(_ state: LoanState, _ recorded: RecordedEvent) -> LoanState {
        var state = state
        func touch(_ date: BusinessDate) { state.lastActivity = max(state.lastActivity ?? date, date) }
        switch recorded.event {
        case .loanOriginated(let e):
            state.origination = e
            state.outstanding = e.principalFen
            touch(e.originatedOn)
        case .repaymentReceived(let e):
            state.repayments[recorded.id] = e
            state.outstanding = state.outstanding.subtracting(saturating: e.principalFen)
            state.repaidPrincipal = state.repaidPrincipal.adding(saturating: e.principalFen)
            state.repaidInterest = state.repaidInterest.adding(saturating: e.interestFen)
            touch(e.paidOn)
        case .loanDefaulted(let e):
            state.status = .defaulted
            state.defaulted = e
            touch(e.defaultedOn)
        case .compensationClaimed(let e):
            state.claims.append(Claim(number: e.claimNo, amount: e.amountFen, claimedOn: e.claimedOn, status: .filed))
            touch(e.claimedOn)
        case .compensationApproved(let e):
            state.updateClaim(e.claimNo) { $0.status = .approved; $0.approved = e.amountFen; $0.approvedOn = e.approvedOn }
            touch(e.approvedOn)
        case .compensationRejected(let e):
            state.updateClaim(e.claimNo) { $0.status = .rejected }
            touch(e.rejectedOn)
        case .compensationPaid(let e):
            // A payment adds to what was paid; the claim is paid once nothing remains (every
            // schema-1 payment, upcast with remaining_fen 0, paid the claim in full).
            state.updateClaim(e.claimNo) {
                $0.paid = $0.paid.adding(saturating: e.amountFen)
                $0.paidOn = e.paidOn
                if !e.remainingFen.isPositive { $0.status = .paid }
            }
            touch(e.paidOn)
        case .compensationWithdrawn(let e):
            state.updateClaim(e.claimNo) { $0.status = .withdrawn; $0.withdrawn = e.amountFen; $0.withdrawnOn = e.withdrawnOn }
            touch(e.withdrawnOn)
        case .recoveryReceived(let e):
            state.recoveries.append(Recovery(number: e.recoveryNo, eventId: recorded.id, amount: e.amountFen, receivedOn: e.receivedOn))
            state.outstanding = max(.zero, state.outstanding.subtracting(saturating: e.amountFen))
            touch(e.receivedOn)
        case .recoveryReturnedToFund(let e):
            if let index = state.recoveries.firstIndex(where: { $0.number == e.recoveryNo }) { state.recoveries[index].returnedShare = e.amountFen }
            touch(e.returnedOn)
        case .loanWrittenOff(let e):
            state.status = .writtenOff
            state.writtenOff = e.amountFen
            state.outstanding = .zero
            touch(e.writtenOffOn)
        case .loanClosed(let e):
            state.status = .closed
            touch(e.closedOn)
        case .loanCancelled(let e):
            state.status = .cancelled
            state.outstanding = .zero
            touch(e.cancelledOn)
        case .entryReversed(let e):
            state.reversed.insert(e.reversedEventId)
            if let repayment = state.repayments[e.reversedEventId] {
                state.outstanding = state.outstanding.adding(saturating: repayment.principalFen)
                state.repaidPrincipal = state.repaidPrincipal.subtracting(saturating: repayment.principalFen)
                state.repaidInterest = state.repaidInterest.subtracting(saturating: repayment.interestFen)
            }
            if let index = state.recoveries.firstIndex(where: { $0.eventId == e.reversedEventId }) {
                state.recoveries[index].reversed = true
                if state.status == .defaulted {
                    state.outstanding = state.outstanding.adding(saturating: state.recoveries[index].amount)
                }
            }
            touch(e.reversedOn)
        default:
            break
        }
        return state
    }

    // MARK: Rules shared with reports

    /// The claim limit on the loan's own terms as of `asOf` (`FundState.terms`).
    public static func claimLimit(loan: LoanOriginated, defaulted: LoanDefaulted, fund: FundState, asOf: BusinessDate) throws -> (amount: Money, explanation: String) {
        guard let terms = fund.terms(forLoanEnrolledOn: loan.originatedOn, asOf: asOf) else {
            throw DomainError(.notFound, field: "fund_id", "no such fund")
        }
        return try claimLimit(loan: loan, defaulted: defaulted, policy: terms, fund: fund)
    }

    /// The most a claim may ask: min(coverage × outstanding at default, per-loan cap,
    /// what is left of the borrower's cap across all its loans). Coverage rounds down.
    /// `policy` must be the loan's terms (`FundState.terms(forLoanEnrolledOn:asOf:)`).
    public static func claimLimit(loan: LoanOriginated, defaulted: LoanDefaulted, policy: FundPolicy, fund: FundState) throws -> (amount: Money, explanation: String) {
        let covered = try defaulted.outstandingFen.applying(policy.coverageBp, rounding: .down)
        let borrowerLeft = max(.zero, try policy.perBorrowerCapFen - (fund.committedByBorrower[loan.borrower] ?? .zero))
        let amount = min(covered, policy.perLoanCapFen, borrowerLeft)
        let explanation = "min(coverage \(policy.coverageBp.percent) × outstanding at default \(defaulted.outstandingFen) = \(covered), per-loan cap \(policy.perLoanCapFen), borrower cap left \(borrowerLeft))"
        return (amount, explanation)
    }

    /// The fund's share of a recovery: recovery × paid ÷ loss, rounded up (in the fund's
    /// favour), and never more than the fund has still to get back.
    public static func fundShare(of recovery: Money, paid: Money, loss: Money, alreadyReturned: Money) throws -> Money {
        guard loss.isPositive else { return .zero }
        let share = try recovery.scaled(by: paid.fen, over: loss.fen, rounding: .up)
        return min(share, max(.zero, try paid - alreadyReturned))
    }

    // MARK: Origination

    static func originate(_ o: LoanCommand.Origination, _ context: LoanContext) throws -> LoanOriginated {
        guard context.bank?.exists == true else {
            throw DomainError(.notFound, field: "bank_id", "bank \(o.key.bank) is not registered")
        }
        guard context.borrower?.exists == true else {
            throw DomainError(.notFound, field: "borrower", "borrower \(o.borrower) is not registered")
        }
        try Rules.positive(o.principal, field: "principal_fen")
        guard (0...10_000).contains(o.rate.value) else { throw DomainError.invalid("rate_bp", "an annual rate must be 0–10000 bp") }
        guard o.maturesOn > o.originatedOn else {
            throw DomainError(.dateOrder, field: "matures_on", "maturity \(o.maturesOn) must be after origination \(o.originatedOn)")
        }
        guard !o.collateral.isEmpty else { throw DomainError.invalid("collateral", "an IP pledge loan needs at least one pledged asset") }
        guard Set(o.collateral.map(\.asset)).count == o.collateral.count else {
            throw DomainError.invalid("collateral", "an asset is listed twice")
        }
        let fund = o.fund.map { _ in context.fund ?? FundState() }
        let policy = fund?.policy(on: o.originatedOn)
        let maxAge = policy?.maxValuationAgeMonths ?? 12

        var collateral: [Collateral] = []
        var appraised = Money.zero
        for (index, pledge) in o.collateral.enumerated() {
            let field = "collateral[\(index)]"
            guard let asset = context.assets[pledge.asset], let registration = asset.registration else {
                throw DomainError(.notFound, field: "\(field).asset_id", "asset \(pledge.asset) is not registered")
            }
            if let active = asset.activePledge {
                throw DomainError(.invalidState, field: "\(field).asset_id", Asset.alreadyPledged(pledge.asset, since: active.pledgedOn))
            }
            let valuation: AssetValued
            if let id = pledge.valuation {
                guard let chosen = asset.valuations[id] else {
                    throw DomainError(.notFound, field: "\(field).valuation_id", "asset \(pledge.asset) has no valuation \(id)")
                }
                valuation = chosen
            } else {
                guard let latest = asset.valuation(before: o.originatedOn) else {
                    throw DomainError(.invalidState, field: "\(field).asset_id", "asset \(pledge.asset) has no valuation on or before \(o.originatedOn)")
                }
                valuation = latest
            }
            guard valuation.valuedOn <= o.originatedOn else {
                throw DomainError(.dateOrder, field: "\(field).valuation_id", "valuation \(valuation.valuationId) is dated \(valuation.valuedOn), after origination")
            }
            guard valuation.valuedOn.adding(months: maxAge) >= o.originatedOn else {
                throw DomainError(.policyViolation, field: "\(field).valuation_id",
                    "valuation \(valuation.valuationId) of \(valuation.valuedOn) is older than \(maxAge) months at origination; revalue the asset")
            }
            if let policy, !policy.eligibleKinds.contains(registration.kind) {
                throw DomainError(.policyViolation, field: "\(field).asset_id",
                    "asset kind \(registration.kind.rawValue) is not eligible in fund \(o.fund!) (eligible: \(policy.eligibleKinds.map(\.rawValue).joined(separator: ", ")))")
            }
            try Rules.text(pledge.registrationNo, field: "\(field).registration_no", maxLength: 64)
            appraised = try appraised.adding(valuation.valueFen, toTotal: "the appraised value of the collateral", field: "collateral")
            collateral.append(Collateral(
                assetId: pledge.asset, kind: registration.kind, valuationId: valuation.valuationId,
                appraisedValueFen: valuation.valueFen, registrationNo: pledge.registrationNo))
        }
        guard appraised.isPositive else { throw DomainError.invalid("collateral", "the collateral has no appraised value") }
        // Pledge rate rounds up: the conservative reading of how much the loan leans on the collateral.
        guard let pledgeRate = Bp.ratio(o.principal, appraised, rounding: .up) else {
            throw DomainError(.limitExceeded, field: "principal_fen", "principal \(o.principal) against collateral appraised at \(appraised) is a pledge rate too large to record")
        }

        if let fundId = o.fund, let fund, let policy {
            guard fund.exists, let established = fund.establishedOn else {
                throw DomainError(.notFound, field: "fund_id", "fund \(fundId) does not exist")
            }
            guard o.originatedOn >= established else {
                throw DomainError(.dateOrder, field: "originated_on", "fund \(fundId) was established on \(established), after origination")
            }
            guard !fund.isSuspended(on: o.originatedOn) else {
                throw DomainError(.policyViolation, field: "fund_id", "fund \(fundId) is suspended on \(o.originatedOn) and takes no new loans")
            }
            guard let joined = fund.banks[o.key.bank], joined <= o.originatedOn else {
                throw DomainError(.policyViolation, field: "fund_id", "bank \(o.key.bank) has not joined fund \(fundId) by \(o.originatedOn)")
            }
            let term = o.originatedOn.wholeMonths(until: o.maturesOn)
            let exact = o.originatedOn.adding(months: term) == o.maturesOn
            guard term < policy.maxTermMonths || (term == policy.maxTermMonths && exact) else {
                throw DomainError(.policyViolation, field: "matures_on", "the term exceeds the fund's maximum of \(policy.maxTermMonths) months")
            }
            guard pledgeRate <= policy.maxPledgeRateBp else {
                throw DomainError(.policyViolation, field: "principal_fen",
                    "pledge rate \(pledgeRate.percent) (principal \(o.principal) ÷ appraised \(appraised)) exceeds the fund's maximum \(policy.maxPledgeRateBp.percent)")
            }
            try checkEligibility(o, fundId: fundId, fund: fund, policy: policy, context: context)
        }
        return LoanOriginated(
            bankId: o.key.bank, contractNo: o.key.contract, borrower: o.borrower, principalFen: o.principal, rateBp: o.rate,
            originatedOn: o.originatedOn, maturesOn: o.maturesOn, collateral: collateral, pledgeRateBp: pledgeRate, fundId: o.fund)
    }

    static func enrolledFund(_ loan: LoanOriginated, _ context: LoanContext) throws -> FundState {
        guard let fundId = loan.fundId else {
            throw DomainError(.policyViolation, field: "contract_no", "loan \(loan.bankId)/\(loan.contractNo) is not enrolled in a compensation fund")
        }
        guard let fund = context.fund, fund.exists else {
            throw DomainError(.notFound, field: "fund_id", "fund \(fundId) does not exist")
        }
        return fund
    }

    static func expect(_ state: LoanState, in allowed: Set<LoanStatus>, to action: String) throws {
        guard allowed.contains(state.status) else {
            throw DomainError(.invalidState, field: "contract_no",
                "loan \(state.key.map(\.description) ?? "") is \(state.status.rawValue.replacingOccurrences(of: "_", with: " ")) and cannot \(action)")
        }
    }
}

extension LoanState {
    mutating func updateClaim(_ number: Int, _ change: (inout Claim) -> Void) {
        if let index = claims.firstIndex(where: { $0.number == number }) { change(&claims[index]) }
    }
}
