import Foundation

/// What a fund's stream says about it: policy over time, suspensions, member banks, and
/// every movement of its money, so that its balance on any date is exact.
public struct FundState: Sendable, Hashable, Codable {
    public var id: FundId?
    public var name = ""
    public var region: RegionCode?
    public var establishedOn: BusinessDate?
    /// Policies with the date each took effect, oldest first.
    public var policies: [PolicyPeriod] = []
    /// Suspension switches, oldest first.
    public var suspensions: [StatusChange] = []
    public var banks: [BankId: BusinessDate] = [:]
    public var contributions: [UUID: FundContributionReceived] = [:]
    public var reversed: Set<UUID> = []
    /// Approved compensation per borrower and per loan (the caps count these).
    public var committedByBorrower: [Uscc: Money] = [:]
    public var committedByLoan: [LoanKey: Money] = [:]
    /// Dated money movements: contributions (+), payouts (−), recovery shares (+), and the
    /// account's other movements (Fund+Account.swift).
    public var flows = MoneyFlows()
    /// The cover the fund granted, what defaulted, and per-bank suspensions (`Fund+Cover.swift`).
    public var cover = CoverBook()
    /// Every approved claim as the fund sees it, in the order approved in the log: what was
    /// approved, paid and released. The queue (`queue`) is the ones with money still owed.
    public var compensations: [Compensation] = []
    /// Money returned to each contributor (`FundContributionReturned`).
    public var returnedToContributors: [Contributor: Money] = [:]

    public init() {}

    public var exists: Bool { id != nil }

    public struct PolicyPeriod: Sendable, Hashable, Codable {
        public var effectiveOn: BusinessDate
        public var policy: FundPolicy
        /// The policy a fund is established with reaches every loan (there is none before it).
        public var appliesTo: PolicyScope = .allLoans
    }

    public struct StatusChange: Sendable, Hashable, Codable {
        public var on: BusinessDate
        public var suspended: Bool
    }

    public struct MoneyFlow: Sendable, Hashable, Codable {
        public var on: BusinessDate
        public var amount: Money
        public var source: UUID?
        public var kind: Kind
    }

    public var currentPolicy: FundPolicy? { policies.last?.policy }

    /// The policy in force on `date` (the first one if the date precedes all amendments):
    /// the fund's rules for enrolments that day (eligibility, leverage, NPL threshold). What
    /// a loan is covered on — coverage, caps, waiting period — is `terms(forLoanEnrolledOn:asOf:)`.
    public func policy(on date: BusinessDate) -> FundPolicy? {
        policies.last(where: { $0.effectiveOn <= date })?.policy ?? policies.first?.policy
    }

    public func isSuspended(on date: BusinessDate) -> Bool {
        suspensions.last(where: { $0.on <= date })?.suspended ?? false
    }

    public var isSuspendedNow: Bool { suspensions.last?.suspended ?? false }

    /// Balance at the end of `date`: every money flow (contributions − payouts + recovery
    /// shares, and the account's other movements) up to then.
    public func balance(on date: BusinessDate) -> Money { flows.sum(through: date) }

    public var balance: Money { flows.total }

    /// The fund's money by kind of movement, up to the end of `date` (all when nil):
    /// contributions in, compensation paid out, recovery shares returned. The account's
    /// other movements (interest, charges, returns, transfers) are in `account(through:)`.
    public func totals(through date: BusinessDate? = nil) -> (contributed: Money, paidOut: Money, returned: Money) {
        let totals = self.account(through: date)
        return (totals.contributedFen, totals.compensationPaidFen, totals.recoverySharesFen)
    }

    /// The lowest end-of-day balance on any date from `date` on — what a new outflow dated
    /// `date` may take without making the fund negative on some later day.
    public func lowestBalance(from date: BusinessDate) -> Money { flows.lowestSum(from: date) }
}

extension FundState {
    /// A payout dated `on`: more than zero, and no more than the fund can pay without going
    /// negative on any later day.
    func checkPayable(_ amount: Money, on: BusinessDate, fundId: FundId) throws {
        try Rules.positive(amount, field: "amount_fen")
        let available = lowestBalance(from: on)
        guard amount <= available else {
            throw DomainError(
                .limitExceeded, field: "amount_fen",
                "fund \(fundId) can pay at most \(max(available, .zero)) on \(on) without going negative; \(amount) is due")
        }
    }

    /// A recovery share coming back keeps the fund's totals within what JSON carries exactly.
    func checkReturnable(_ amount: Money, fundId: FundId) throws {
        try totals().returned.adding(amount, toTotal: "recovery shares returned to fund \(fundId)", field: "amount_fen")
        try balance.adding(amount, toTotal: "the balance of fund \(fundId)", field: "amount_fen")
    }
}

/// What may be asked of a fund.
public enum FundCommand: Sendable, Hashable {
    case establish(id: FundId, name: String, region: RegionCode, policy: FundPolicy, establishedOn: BusinessDate)
    /// `appliesTo`: which loans the new terms reach (see `PolicyScope`).
    case amendPolicy(FundPolicy, effectiveOn: BusinessDate, reason: String, appliesTo: PolicyScope = .newEnrolments)
    case receiveContribution(amount: Money, contributor: Contributor, receivedOn: BusinessDate, reference: String)
    case joinBank(BankId, agreement: String, effectiveOn: BusinessDate)
    case suspend(on: BusinessDate, reason: String)
    case resume(on: BusinessDate, reason: String)
    case reverseContribution(eventId: UUID, on: BusinessDate, reason: String)
    /// The fund's side of claim decisions and payouts; issued by the loan workflows.
    /// `enrolledOn` picks the loan's terms (per-borrower cap); nil: as the fund's cover
    /// records it, else the policy in force on the approval date.
    case commitCompensation(
        loan: LoanKey, borrower: Uscc, claimNo: Int, amount: Money, approvedOn: BusinessDate, enrolledOn: BusinessDate? = nil)
    case disburse(loan: LoanKey, borrower: Uscc, claimNo: Int, amount: Money, paidOn: BusinessDate, paymentRef: String)
    case receiveRecoveryShare(loan: LoanKey, recoveryNo: Int, amount: Money, returnedOn: BusinessDate, reference: String)
    /// The fund's side of enrolment, default, closing and cancelling of a loan (issued by the
    /// loan workflows), and the administrator's per-bank switch (`Fund+Cover.swift`).
    case grantCover(loan: LoanKey, borrower: Uscc, principal: Money, enrolledOn: BusinessDate)
    case recordCoverDefault(loan: LoanKey, outstanding: Money, defaultedOn: BusinessDate)
    case releaseCover(loan: LoanKey, releasedOn: BusinessDate, cause: CoverReleaseCause)
    case suspendBank(BankId, on: BusinessDate, reason: String)
    case resumeBank(BankId, on: BusinessDate, reason: String)
    // The fund's account (Aggregates/Fund+Account.swift) and its claim queue (Aggregates/Fund+Queue.swift).
    case creditInterest(amount: Money, creditedOn: BusinessDate, reference: String)
    case chargeBank(amount: Money, chargedOn: BusinessDate, reference: String, description: String)
    case returnContribution(amount: Money, contributor: Contributor, returnedOn: BusinessDate, reference: String, reason: String)
    /// A transfer to another fund: the workflow writes both funds' streams atomically.
    case transferOut(to: FundId, amount: Money, transferredOn: BusinessDate, reference: String)
    /// The destination's side of `transferOut`; issued by the workflow only.
    case transferIn(from: FundId, amount: Money, transferredOn: BusinessDate, reference: String)
    /// Pays queued claims in approval order up to the available balance (and `limit`), each
    /// with payment reference "`reference`/n"; the workflow writes the loans' side.
    case payQueue(on: BusinessDate, reference: String, limit: Money?)
    /// The fund's side of a scheme party's settlement and of a recovery shared back under a
    /// scheme; issued by the loan workflow (Loan+Schemes.swift).
    case disburseSchemeShare(scheme: SchemeId, loan: LoanKey, amount: Money, paidOn: BusinessDate, reference: String)
    case receiveSchemeRecoveryShare(
        scheme: SchemeId, loan: LoanKey, recoveryNo: Int, amount: Money, returnedOn: BusinessDate, reference: String)
    /// A premium subsidy paid to an insured firm; issued by the insurer-book workflow, which
    /// records it on the policy too.
    case payPremiumSubsidy(PremiumSubsidyPaid)
    /// The fund's side of withdrawing an approved claim; issued by the loan workflow.
    case releaseCompensation(loan: LoanKey, borrower: Uscc, claimNo: Int, amount: Money, releasedOn: BusinessDate)
}

/// The fund aggregate's decider.
public enum Fund {
    public static func decide(_ command: FundCommand, _ state: FundState) throws -> [LedgerEvent] {
        if case .establish(let id, let name, let region, let policy, let on) = command {
            guard !state.exists else { throw DomainError(.duplicate, field: "fund_id", "fund \(id) is already established") }
            try Rules.text(name, field: "name")
            return [
                .fundEstablished(FundEstablished(fundId: id, name: name, region: region, policy: try policy.validated(), establishedOn: on))
            ]
        }
        guard let fundId = state.id, let established = state.establishedOn else {
            throw DomainError(.notFound, field: "fund_id", "no such fund; establish it first")
        }
        if let events = try decideCover(command, state, fundId: fundId, established: established) { return events }
        switch command {
        case .establish:
            preconditionFailure("handled above")
        case .grantCover, .recordCoverDefault, .releaseCover, .suspendBank, .resumeBank:
            preconditionFailure("decided by decideCover")

        case .amendPolicy(let policy, let on, let reason, let scope):
            try Rules.notBefore(on, established, field: "effective_on", what: "the fund was established")
            try Rules.text(reason, field: "reason")
            return [
                .fundPolicyAmended(FundPolicyAmended(policy: try policy.validated(), effectiveOn: on, reason: reason, appliesTo: scope))
            ]

        case .receiveContribution(let amount, let contributor, let on, let reference):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.notBefore(on, established, field: "received_on", what: "the fund was established")
            try Rules.text(reference, field: "reference")
            // Each contributor's total is part of the fund's, and no balance exceeds what was contributed.
            let (contributed, _, _) = state.totals()
            try contributed.adding(amount, toTotal: "contributions to fund \(fundId)", field: "amount_fen")
            try state.balance.adding(amount, toTotal: "the balance of fund \(fundId)", field: "amount_fen")
            return [
                .fundContributionReceived(
                    FundContributionReceived(amountFen: amount, contributor: contributor, receivedOn: on, reference: reference))
            ]

        case .joinBank(let bank, let agreement, let on):
            guard state.banks[bank] == nil else {
                throw DomainError(.duplicate, field: "bank_id", "bank \(bank) already joined fund \(fundId)")
            }
            try Rules.notBefore(on, established, field: "effective_on", what: "the fund was established")
            try Rules.text(agreement, field: "agreement")
            return [.bankJoined(BankJoined(bankId: bank, agreement: agreement, effectiveOn: on))]

        case .suspend(let on, let reason):
            guard !state.isSuspendedNow else { throw DomainError(.invalidState, field: "fund_id", "fund \(fundId) is already suspended") }
            try Rules.notBefore(on, state.suspensions.last?.on ?? established, field: "effective_on", what: "the fund's last status change")
            try Rules.text(reason, field: "reason")
            return [.fundSuspended(FundSuspended(suspendedOn: on, reason: reason))]

        case .resume(let on, let reason):
            guard state.isSuspendedNow else { throw DomainError(.invalidState, field: "fund_id", "fund \(fundId) is not suspended") }
            try Rules.notBefore(on, state.suspensions.last?.on ?? established, field: "effective_on", what: "the suspension")
            try Rules.text(reason, field: "reason")
            return [.fundResumed(FundResumed(resumedOn: on, reason: reason))]

        case .reverseContribution(let eventId, let on, let reason):
            guard let contribution = state.contributions[eventId] else {
                throw DomainError(.notFound, field: "reversed_event_id", "event \(eventId) is not a contribution to fund \(fundId)")
            }
            guard !state.reversed.contains(eventId) else {
                throw DomainError(.duplicate, field: "reversed_event_id", "contribution \(eventId) is already reversed")
            }
            try Rules.text(reason, field: "reason")
            try Rules.notBefore(on, contribution.receivedOn, field: "reversed_on", what: "the contribution")
            try state.checkReturnsCovered(reversing: eventId)
            let lowest = state.lowestBalance(from: contribution.receivedOn)
            guard lowest >= contribution.amountFen else {
                throw DomainError(
                    .limitExceeded, field: "reversed_event_id",
                    "reversing \(contribution.amountFen) would leave the fund with a negative balance (lowest balance from \(contribution.receivedOn) is \(lowest))"
                )
            }
            return [
                .entryReversed(
                    EntryReversed(reversedEventId: eventId, reversedType: FundContributionReceived.type, reversedOn: on, reason: reason))
            ]

        case .commitCompensation(let loan, let borrower, let claimNo, let amount, let on, let enrolledOn):
            try Rules.positive(amount, field: "amount_fen")
            let policy = state.terms(forLoanEnrolledOn: enrolledOn ?? state.cover.loans[loan]?.enrolledOn ?? on, asOf: on)!
            let committed = state.committedByBorrower[borrower] ?? .zero
            let left = try policy.perBorrowerCapFen - committed
            guard amount <= left else {
                throw DomainError(
                    .limitExceeded, field: "amount_fen",
                    "borrower \(borrower) has \(max(left, .zero)) left under the fund's per-borrower cap of \(policy.perBorrowerCapFen); \(amount) asked"
                )
            }
            try committed.adding(amount, toTotal: "compensation committed by fund \(fundId) to borrower \(borrower)", field: "amount_fen")
            try (state.committedByLoan[loan] ?? .zero).adding(
                amount, toTotal: "compensation committed by fund \(fundId) to loan \(loan)", field: "amount_fen")
            return [
                .compensationCommitted(
                    CompensationCommitted(
                        bankId: loan.bank, contractNo: loan.contract, borrower: borrower, claimNo: claimNo, amountFen: amount,
                        approvedOn: on))
            ]

        case .disburse(let loan, let borrower, let claimNo, let amount, let on, let reference):
            try state.checkPayable(amount, on: on, fundId: fundId)
            try Rules.text(reference, field: "payment_ref")
            try state.checkDisbursement(loan: loan, claimNo: claimNo, amount: amount)
            try state.totals().paidOut.adding(amount, toTotal: "compensation paid out by fund \(fundId)", field: "amount_fen")
            return [
                .compensationDisbursed(
                    CompensationDisbursed(
                        bankId: loan.bank, contractNo: loan.contract, borrower: borrower, claimNo: claimNo, amountFen: amount, paidOn: on,
                        paymentRef: reference))
            ]

        case .receiveRecoveryShare(let loan, let recoveryNo, let amount, let on, let reference):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.text(reference, field: "reference")
            try state.checkReturnable(amount, fundId: fundId)
            return [
                .recoveryShareReceived(
                    RecoveryShareReceived(
                        bankId: loan.bank, contractNo: loan.contract, recoveryNo: recoveryNo, amountFen: amount, returnedOn: on,
                        reference: reference))
            ]

        case .disburseSchemeShare(let scheme, let loan, let amount, let on, let reference):
            try state.checkPayable(amount, on: on, fundId: fundId)
            try Rules.text(reference, field: "reference")
            try state.totals().paidOut.adding(amount, toTotal: "compensation paid out by fund \(fundId)", field: "amount_fen")
            return [
                .schemeShareDisbursed(
                    SchemeShareDisbursed(
                        schemeId: scheme, bankId: loan.bank, contractNo: loan.contract, amountFen: amount, paidOn: on, reference: reference)
                )
            ]

        case .receiveSchemeRecoveryShare(let scheme, let loan, let recoveryNo, let amount, let on, let reference):
            try Rules.positive(amount, field: "amount_fen")
            try Rules.text(reference, field: "reference")
            try state.checkReturnable(amount, fundId: fundId)
            return [
                .schemeRecoveryShareReceived(
                    SchemeRecoveryShareReceived(
                        schemeId: scheme, bankId: loan.bank, contractNo: loan.contract, recoveryNo: recoveryNo, amountFen: amount,
                        returnedOn: on, reference: reference))
            ]

        case .payPremiumSubsidy(let subsidy):
            try state.checkPayable(subsidy.amountFen, on: subsidy.paidOn, fundId: fundId)
            try Rules.text(subsidy.reference, field: "reference")
            try state.account().premiumSubsidiesFen.adding(
                subsidy.amountFen, toTotal: "premium subsidies paid by fund \(fundId)", field: "amount_fen")
            return [.premiumSubsidyPaid(subsidy)]

        case .payQueue, .releaseCompensation:
            return try decideQueue(command, state, fundId: fundId)
        case .creditInterest, .chargeBank, .returnContribution, .transferOut, .transferIn:
            return try decideAccount(command, state, fundId: fundId, established: established)
        }
    }

    public static func evolve(_ state: FundState, _ recorded: RecordedEvent) -> FundState {
        var state = state
        evolve(&state, recorded)
        return state
    }

    /// Folds one event in place: no copy of the fund's tables, so that a session enrolling
    /// thousands of loans (each writing to the fund stream) stays linear.
    public static func evolve(_ state: inout FundState, _ recorded: RecordedEvent) {
        state.applyQueue(recorded)
        state.applyAccount(recorded)
        switch recorded.event {
        case .fundEstablished(let e):
            state.id = e.fundId
            state.name = e.name
            state.region = e.region
            state.establishedOn = e.establishedOn
            state.policies = [.init(effectiveOn: e.establishedOn, policy: e.policy)]
        case .fundPolicyAmended(let e):
            state.policies.append(.init(effectiveOn: e.effectiveOn, policy: e.policy, appliesTo: e.appliesTo))
            state.policies.sort { $0.effectiveOn < $1.effectiveOn }
        case .fundContributionReceived(let e):
            state.contributions[recorded.id] = e
            state.flows.append(.init(on: e.receivedOn, amount: e.amountFen, source: recorded.id, kind: .contribution))
        case .bankJoined(let e):
            state.banks[e.bankId] = e.effectiveOn
        case .fundSuspended(let e):
            state.suspensions.append(.init(on: e.suspendedOn, suspended: true))
        case .fundResumed(let e):
            state.suspensions.append(.init(on: e.resumedOn, suspended: false))
        case .compensationCommitted(let e):
            let loan = LoanKey(bank: e.bankId, contract: e.contractNo)
            state.committedByBorrower[e.borrower] = (state.committedByBorrower[e.borrower] ?? .zero).adding(saturating: e.amountFen)
            state.committedByLoan[loan] = (state.committedByLoan[loan] ?? .zero).adding(saturating: e.amountFen)
        case .compensationDisbursed(let e):
            state.flows.append(
                .init(on: e.paidOn, amount: Money.zero.subtracting(saturating: e.amountFen), source: recorded.id, kind: .compensation))
        case .recoveryShareReceived(let e):
            state.flows.append(.init(on: e.returnedOn, amount: e.amountFen, source: recorded.id, kind: .recoveryShare))
        case .schemeShareDisbursed(let e):
            state.flows.append(
                .init(on: e.paidOn, amount: Money.zero.subtracting(saturating: e.amountFen), source: recorded.id, kind: .compensation))
        case .schemeRecoveryShareReceived(let e):
            state.flows.append(.init(on: e.returnedOn, amount: e.amountFen, source: recorded.id, kind: .recoveryShare))
        case .premiumSubsidyPaid(let e):
            state.flows.append(
                .init(on: e.paidOn, amount: Money.zero.subtracting(saturating: e.amountFen), source: recorded.id, kind: .premiumSubsidy))
        case .entryReversed(let e):
            state.reversed.insert(e.reversedEventId)
            state.flows.removeAll { $0.source == e.reversedEventId }
        default:
            state.cover.apply(recorded.event)
        }
    }
}
