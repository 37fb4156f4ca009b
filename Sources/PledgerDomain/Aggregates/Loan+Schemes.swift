// A loan under a risk-sharing scheme (RiskSharingScheme.swift): enrolled under a version,
// its loss split among the parties when it defaults (LossSharing.swift), each party's
// settlement recorded, and each recovery shared back in proportion to what they paid.
//
// Such a loan does not also claim compensation from a single fund: a fund that shares in
// its loss is a party of the scheme and pays its share as a settlement (on its own terms:
// the share and cap the scheme gives it, and its own waiting period).

extension LoanState {
    /// Only what a risk-sharing report reads of the loan (`RiskSharingReport.compute`, the
    /// parties bearing its loss): a process answering current risk-sharing and exposure
    /// questions keeps this of each of a scheme's thousands of loans, a small part of the
    /// whole state (no origination, repayments, claims or recoveries). Not for deciding.
    public var riskSharingPart: LoanState {
        var part = LoanState()
        part.status = status
        part.outstanding = outstanding
        part.scheme = scheme
        part.lossShared = lossShared
        part.settled = settled
        part.recoveredByParty = recoveredByParty
        part.policies = policies
        return part
    }

    /// The events a kept `riskSharingPart` cannot be brought forward by: a reversal reads the
    /// repayment or recovery it reverses, which the part leaves out, and a loan is founded
    /// once. After any other event the part, evolved and trimmed again, is the whole state's
    /// part — so a server keeping the parts of a scheme's loans reads only what was appended
    /// to them since, not each changed loan from its first event.
    public static let eventsTheRiskSharingPartCannotTake: Set<String> = [EntryReversed.type, LoanOriginated.type]

    /// What a party still owes of its share of the loss (the bank bears its share by keeping it: nothing).
    public func unsettled(_ party: SchemePartyRef) -> Money {
        guard party.role != .bank, let share = lossShared?.shares.first(where: { $0.ref == party }) else { return .zero }
        return max(.zero, share.dueFen.subtracting(saturating: settled[party] ?? .zero))
    }

    /// Every party other than the bank has paid its share in full.
    public var lossFullySettled: Bool {
        lossShared?.shares.allSatisfy { $0.role == .bank || !unsettled($0.ref).isPositive } ?? false
    }

    /// What each party bore of the loss so far (the bank: the loss less the others' payments).
    public var paidByParty: [SchemePartyRef: Money] {
        guard let shared = lossShared else { return [:] }
        return LossSharing.paid(loss: shared.lossFen, settled: settled, shares: shared.shares)
    }

    mutating func evolveScheme(_ event: LedgerEvent) {
        switch event {
        case .loanEnrolledInScheme(let e):
            scheme = e
        case .lossShared(let e):
            lossShared = e
        case .lossShareSettled(let e):
            let ref = SchemePartyRef(role: e.role, partyId: e.partyId)
            settled[ref] = (settled[ref] ?? .zero).adding(saturating: e.amountFen)
            lastSettledOn = max(lastSettledOn ?? e.settledOn, e.settledOn)
        case .recoveryShared(let e):
            if let index = recoveries.firstIndex(where: { $0.number == e.recoveryNo }) { recoveries[index].sharedAmongParties = true }
            for part in e.shares { recoveredByParty[part.ref] = (recoveredByParty[part.ref] ?? .zero).adding(saturating: part.amountFen) }
        default:
            break
        }
    }
}

// MARK: Decisions

extension Loan {
    static func decideScheme(_ command: LoanCommand, _ state: LoanState, _ loan: LoanOriginated, _ context: LoanContext) throws
        -> [LedgerEvent]?
    {
        switch command {
        case .enrolInScheme(let id, let version, let on):
            return [.loanEnrolledInScheme(try enrolInScheme(state, loan, id, version: version, on: on, context))]
        case .shareLoss(let on):
            return [.lossShared(try shareLoss(state, loan, on: on, context))]
        case .settleLossShare(let party, let amount, let on, let reference):
            return [.lossShareSettled(try settleLossShare(state, loan, party, amount: amount, on: on, reference: reference, context))]
        case .shareRecovery(let number, let on, let reference):
            return [.recoveryShared(try shareRecovery(state, loan, number: number, on: on, reference: reference))]
        default:
            return nil
        }
    }

    static func enrolInScheme(
        _ state: LoanState, _ loan: LoanOriginated, _ id: SchemeId, version: Int?, on: BusinessDate, _ context: LoanContext
    ) throws -> LoanEnrolledInScheme {
        guard let scheme = context.scheme, scheme.exists else {
            throw DomainError(.notFound, field: "scheme_id", "scheme \(id) does not exist")
        }
        if let enrolled = state.scheme {
            throw DomainError(.duplicate, field: "scheme_id", "loan \(loan.key) is already enrolled under scheme \(enrolled.schemeId)")
        }
        try expect(state, in: [.active], to: "be enrolled under a scheme")
        if let fund = loan.fundId {
            throw DomainError(
                .invalidState, field: "scheme_id",
                "loan \(loan.key) is covered by fund \(fund); a loan is covered either by one fund or by a scheme (whose parties may include that fund)"
            )
        }
        try Rules.notBefore(on, state.lastActivity ?? loan.originatedOn, field: "enrolled_on", what: "the loan's last entry")
        guard let chosen = scheme.version(on: on) else {
            throw DomainError(
                .dateOrder, field: "enrolled_on", "scheme \(id) takes effect on \(scheme.versions[0].effectiveOn), after \(on)")
        }
        if let version, version != chosen.number {
            throw DomainError(
                .invalidState, field: "version",
                "version \(chosen.number) of scheme \(id) is in force on \(on); a loan is enrolled under the version in force")
        }
        // Each fund that shares in the loss must take the bank's loans on that day.
        for (index, party) in chosen.parties.enumerated() {
            guard let fundId = party.ref.fundId else { continue }
            guard let fund = context.schemeFunds[fundId], fund.exists else {
                throw DomainError(.notFound, field: "scheme_id", "fund \(fundId), party \(index + 1) of scheme \(id), does not exist")
            }
            guard !fund.isSuspended(on: on) else {
                throw DomainError(.policyViolation, field: "scheme_id", "fund \(fundId) is suspended on \(on) and takes no new loans")
            }
            guard let joined = fund.banks[loan.bankId], joined <= on else {
                throw DomainError(.policyViolation, field: "scheme_id", "bank \(loan.bankId) has not joined fund \(fundId) by \(on)")
            }
            guard !fund.isBankSuspended(loan.bankId, on: on) else {
                throw DomainError(
                    .policyViolation, field: "scheme_id", "fund \(fundId) takes no new loans from bank \(loan.bankId) on \(on)")
            }
        }
        return LoanEnrolledInScheme(schemeId: id, version: chosen.number, enrolledOn: on)
    }

    /// Splits the loss — the outstanding principal at default — by the loan's version of the
    /// scheme, insurers held to their policies on the loan (Loan+Insurance.swift).
    static func shareLoss(_ state: LoanState, _ loan: LoanOriginated, on: BusinessDate, _ context: LoanContext) throws -> LossShared {
        let (enrolment, version) = try schemeVersion(state, loan, context)
        try expect(state, in: [.defaulted, .writtenOff], to: "share its loss (mark it defaulted first)")
        guard state.lossShared == nil else {
            throw DomainError(.duplicate, field: "contract_no", "the loss of loan \(loan.key) was already shared")
        }
        let defaulted = state.defaulted!
        try Rules.notBefore(on, defaulted.defaultedOn, field: "shared_on", what: "the default")
        let parties = partiesBearing(version.parties, state, defaultedOn: defaulted.defaultedOn)
        let shares = try LossSharing.split(loss: defaulted.outstandingFen, parties: parties)
        return LossShared(
            schemeId: enrolment.schemeId, version: version.number, lossFen: defaulted.outstandingFen, shares: shares, sharedOn: on)
    }

    static func settleLossShare(
        _ state: LoanState, _ loan: LoanOriginated, _ party: SchemePartyRef, amount: Money?, on: BusinessDate, reference: String,
        _ context: LoanContext
    ) throws -> LossShareSettled {
        guard let shared = state.lossShared else {
            throw DomainError(.invalidState, field: "contract_no", "the loss of loan \(loan.key) has not been shared yet")
        }
        guard party.role != .bank, let partyId = party.partyId else {
            throw DomainError.invalid("role", "the bank bears its share by keeping it: only the other parties settle")
        }
        guard shared.shares.contains(where: { $0.ref == party }) else {
            throw DomainError(.notFound, field: "party_id", "\(party) is not a party to the loss of loan \(loan.key)")
        }
        try Rules.notBefore(on, shared.sharedOn, field: "settled_on", what: "the loss was shared")
        try Rules.text(reference, field: "reference")
        let owed = state.unsettled(party)
        guard owed.isPositive else {
            throw DomainError(.duplicate, field: "party_id", "\(party) has already paid its share of the loss of loan \(loan.key)")
        }
        let payment = amount ?? owed
        try Rules.positive(payment, field: "amount_fen")
        guard payment <= owed else {
            throw DomainError(.limitExceeded, field: "amount_fen", "\(payment) is more than the \(owed) \(party) still owes of its share")
        }
        if let fundId = party.fundId {
            guard let fund = context.schemeFunds[fundId], fund.exists else {
                throw DomainError(.notFound, field: "party_id", "fund \(fundId) does not exist")
            }
            if let terms = fund.terms(forLoanEnrolledOn: state.scheme!.enrolledOn, asOf: on) {
                try waitingPeriodOver(state.defaulted!, claimedOn: on, terms: terms, field: "settled_on")
            }
            try fund.checkPayable(payment, on: on, fundId: fundId)
        }
        return LossShareSettled(role: party.role, partyId: partyId, amountFen: payment, settledOn: on, reference: reference)
    }

    /// Shares a recovery back once every party has paid its share of the loss.
    static func shareRecovery(_ state: LoanState, _ loan: LoanOriginated, number: Int, on: BusinessDate, reference: String) throws
        -> RecoveryShared
    {
        guard let shared = state.lossShared else {
            throw DomainError(.invalidState, field: "contract_no", "the loss of loan \(loan.key) has not been shared yet")
        }
        guard state.lossFullySettled else {
            let owing = shared.shares.filter { $0.role != .bank && state.unsettled($0.ref).isPositive }.map {
                "\($0.ref) \(state.unsettled($0.ref))"
            }
            throw DomainError(
                .invalidState, field: "recovery_no",
                "a recovery is shared back once every party has paid its share; still owed: \(owing.joined(separator: ", "))")
        }
        guard let recovery = state.recoveries.first(where: { $0.number == number }) else {
            throw DomainError(.notFound, field: "recovery_no", "loan \(loan.key) has no recovery \(number)")
        }
        guard !recovery.reversed else { throw DomainError(.invalidState, field: "recovery_no", "recovery \(number) was reversed") }
        guard !recovery.sharedAmongParties else {
            throw DomainError(.duplicate, field: "recovery_no", "recovery \(number) was already shared among the parties")
        }
        try Rules.notBefore(
            on, max(recovery.receivedOn, state.lastSettledOn ?? shared.sharedOn), field: "shared_on",
            what: "the recovery and the parties' settlements")
        try Rules.text(reference, field: "reference")
        let parts = try LossSharing.shareRecovery(
            recovery.amount, loss: shared.lossFen, shares: shared.shares, paid: state.paidByParty, recovered: state.recoveredByParty)
        return RecoveryShared(recoveryNo: number, shares: parts, sharedOn: on, reference: reference)
    }

    /// A defaulted loan under a scheme leaves the books only once its loss is shared, every
    /// party has paid its share and every recovery is shared back: closing earlier would leave
    /// the bank carrying what the others owe, and the loss out of the scheme's table.
    static func schemeSettled(_ state: LoanState, _ loan: LoanOriginated) throws {
        guard let enrolment = state.scheme, state.defaulted != nil else { return }
        guard state.lossShared != nil else {
            throw DomainError(
                .invalidState, field: "contract_no",
                "loan \(loan.key) is under scheme \(enrolment.schemeId): share its loss among the parties before closing it")
        }
        guard state.lossFullySettled else {
            throw DomainError(
                .invalidState, field: "contract_no", "loan \(loan.key): not every party has paid its share of the loss yet")
        }
        if let recovery = state.recoveries.first(where: { !$0.reversed && !$0.sharedAmongParties }) {
            throw DomainError(
                .invalidState, field: "contract_no",
                "recovery \(recovery.number) of loan \(loan.key) is not shared among the scheme's parties yet")
        }
    }

    /// The loan's enrolment and the version of the scheme it is enrolled under.
    static func schemeVersion(_ state: LoanState, _ loan: LoanOriginated, _ context: LoanContext) throws -> (
        LoanEnrolledInScheme, SchemeState.Version
    ) {
        guard let enrolment = state.scheme else {
            throw DomainError(.invalidState, field: "contract_no", "loan \(loan.key) is not enrolled under a risk-sharing scheme")
        }
        guard let version = context.scheme?.version(enrolment.version) else {
            throw DomainError(.notFound, field: "scheme_id", "scheme \(enrolment.schemeId) version \(enrolment.version) is not loaded")
        }
        return (enrolment, version)
    }
}
