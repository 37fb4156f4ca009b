import Foundation

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
            return try repay(state, loan, principal: principal, interest: interest, on: on)
        case .markDefaulted(let on, let missedDueOn, let days, let classification):
            return try markDefaulted(state, loan, on: on, missedDueOn: missedDueOn, days: days, classification: classification)
        case .claimCompensation(let amount, let on):
            return try claimCompensation(state, loan, amount: amount, on: on, context)
        case .approveClaim(let amount, let on):
            return try approveClaim(state, loan, amount: amount, on: on)
        case .rejectClaim(let on, let reason):
            return try rejectClaim(state, loan, on: on, reason: reason)
        case .payClaim(let on, let reference, let amount):
            return try payClaim(state, loan, paidOn: on, paymentRef: reference, amount: amount, context)
        case .withdrawClaim(let on, let reason):
            return try withdrawClaim(state, loan, withdrawnOn: on, reason: reason)
        case .receiveRecovery(let amount, let on, let source):
            return try receiveRecovery(state, loan, amount: amount, on: on, source: source)
        case .returnRecoveryShare(let number, let on, let reference):
            return try returnRecoveryShare(state, loan, number: number, on: on, reference: reference)
        case .writeOff(let on, let reason):
            return try writeOff(state, loan, on: on, reason: reason)
        case .close(let on):
            return try close(state, loan, on: on)
        case .cancel(let on, let reason):
            return try cancel(state, loan, on: on, reason: reason)
        case .reverse(let eventId, let on, let reason):
            return try reverse(state, loan, eventId: eventId, on: on, reason: reason)
        case .enrolInScheme, .shareLoss, .settleLossShare, .shareRecovery:
            return try decideScheme(command, state, loan, context)!
        case .insure(let terms):
            return [.loanInsured(try insure(state, loan, terms, context))]
        case .cancelPolicy(let insurer, let on, let reason):
            return [.loanPolicyCancelled(try cancelPolicy(state, loan, insurer, on: on, reason: reason))]
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
            state.updateClaim(e.claimNo) {
                $0.status = .approved
                $0.approved = e.amountFen
                $0.approvedOn = e.approvedOn
            }
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
            state.updateClaim(e.claimNo) {
                $0.status = .withdrawn
                $0.withdrawn = e.amountFen
                $0.withdrawnOn = e.withdrawnOn
            }
            touch(e.withdrawnOn)
        case .recoveryReceived(let e):
            state.recoveries.append(Recovery(number: e.recoveryNo, eventId: recorded.id, amount: e.amountFen, receivedOn: e.receivedOn))
            state.outstanding = max(.zero, state.outstanding.subtracting(saturating: e.amountFen))
            touch(e.receivedOn)
        case .recoveryReturnedToFund(let e):
            if let index = state.recoveries.firstIndex(where: { $0.number == e.recoveryNo }) {
                state.recoveries[index].returnedShare = e.amountFen
            }
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
        case .loanEnrolledInScheme, .lossShared, .lossShareSettled, .recoveryShared:
            state.evolveScheme(recorded.event)
            if let date = recorded.event.businessDate { touch(date) }
        // A policy is a record about the loan, not an entry of it: it does not move the date
        // the loan's own entries (a default, a closing) may not precede.
        case .loanInsured(let e):
            state.policies[e.insurerId] = e
        case .loanPolicyCancelled(let e):
            state.policies[e.insurerId] = nil
        default:
            break
        }
        return state
    }

    // MARK: Rules shared with reports

    /// The claim limit on the loan's own terms as of `asOf` (`FundState.terms`).
    public static func claimLimit(loan: LoanOriginated, defaulted: LoanDefaulted, fund: FundState, asOf: BusinessDate) throws -> (
        amount: Money, explanation: String
    ) {
        guard let terms = fund.terms(forLoanEnrolledOn: loan.originatedOn, asOf: asOf) else {
            throw DomainError(.notFound, field: "fund_id", "no such fund")
        }
        return try claimLimit(loan: loan, defaulted: defaulted, policy: terms, fund: fund)
    }

    /// The most a claim may ask: min(coverage × outstanding at default, per-loan cap,
    /// what is left of the borrower's cap across all its loans). Coverage rounds down.
    /// `policy` must be the loan's terms (`FundState.terms(forLoanEnrolledOn:asOf:)`).
    public static func claimLimit(loan: LoanOriginated, defaulted: LoanDefaulted, policy: FundPolicy, fund: FundState) throws -> (
        amount: Money, explanation: String
    ) {
        let covered = try defaulted.outstandingFen.applying(policy.coverageBp, rounding: .down)
        let borrowerLeft = max(.zero, try policy.perBorrowerCapFen - (fund.committedByBorrower[loan.borrower] ?? .zero))
        let amount = min(covered, policy.perLoanCapFen, borrowerLeft)
        let explanation =
            "min(coverage \(policy.coverageBp.percent) × outstanding at default \(defaulted.outstandingFen) = \(covered), per-loan cap \(policy.perLoanCapFen), borrower cap left \(borrowerLeft))"
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
                    throw DomainError(
                        .invalidState, field: "\(field).asset_id", "asset \(pledge.asset) has no valuation on or before \(o.originatedOn)")
                }
                valuation = latest
            }
            guard valuation.valuedOn <= o.originatedOn else {
                throw DomainError(
                    .dateOrder, field: "\(field).valuation_id",
                    "valuation \(valuation.valuationId) is dated \(valuation.valuedOn), after origination")
            }
            guard valuation.valuedOn.adding(months: maxAge) >= o.originatedOn else {
                throw DomainError(
                    .policyViolation, field: "\(field).valuation_id",
                    "valuation \(valuation.valuationId) of \(valuation.valuedOn) is older than \(maxAge) months at origination; revalue the asset"
                )
            }
            if let policy, !policy.eligibleKinds.contains(registration.kind) {
                throw DomainError(
                    .policyViolation, field: "\(field).asset_id",
                    "asset kind \(registration.kind.rawValue) is not eligible in fund \(o.fund!) (eligible: \(policy.eligibleKinds.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            try Rules.text(pledge.registrationNo, field: "\(field).registration_no", maxLength: 64)
            appraised = try appraised.adding(valuation.valueFen, toTotal: "the appraised value of the collateral", field: "collateral")
            collateral.append(
                Collateral(
                    assetId: pledge.asset, kind: registration.kind, valuationId: valuation.valuationId,
                    appraisedValueFen: valuation.valueFen, registrationNo: pledge.registrationNo))
        }
        guard appraised.isPositive else { throw DomainError.invalid("collateral", "the collateral has no appraised value") }
        // Pledge rate rounds up: the conservative reading of how much the loan leans on the collateral.
        guard let pledgeRate = Bp.ratio(o.principal, appraised, rounding: .up) else {
            throw DomainError(
                .limitExceeded, field: "principal_fen",
                "principal \(o.principal) against collateral appraised at \(appraised) is a pledge rate too large to record")
        }

        if let fundId = o.fund, let fund, let policy {
            guard fund.exists, let established = fund.establishedOn else {
                throw DomainError(.notFound, field: "fund_id", "fund \(fundId) does not exist")
            }
            guard o.originatedOn >= established else {
                throw DomainError(.dateOrder, field: "originated_on", "fund \(fundId) was established on \(established), after origination")
            }
            guard !fund.isSuspended(on: o.originatedOn) else {
                throw DomainError(
                    .policyViolation, field: "fund_id", "fund \(fundId) is suspended on \(o.originatedOn) and takes no new loans")
            }
            guard let joined = fund.banks[o.key.bank], joined <= o.originatedOn else {
                throw DomainError(
                    .policyViolation, field: "fund_id", "bank \(o.key.bank) has not joined fund \(fundId) by \(o.originatedOn)")
            }
            let term = o.originatedOn.wholeMonths(until: o.maturesOn)
            let exact = o.originatedOn.adding(months: term) == o.maturesOn
            guard term < policy.maxTermMonths || (term == policy.maxTermMonths && exact) else {
                throw DomainError(
                    .policyViolation, field: "matures_on", "the term exceeds the fund's maximum of \(policy.maxTermMonths) months")
            }
            guard pledgeRate <= policy.maxPledgeRateBp else {
                throw DomainError(
                    .policyViolation, field: "principal_fen",
                    "pledge rate \(pledgeRate.percent) (principal \(o.principal) ÷ appraised \(appraised)) exceeds the fund's maximum \(policy.maxPledgeRateBp.percent)"
                )
            }
            try checkEligibility(o, fundId: fundId, fund: fund, policy: policy, context: context)
        }
        return LoanOriginated(
            bankId: o.key.bank, contractNo: o.key.contract, borrower: o.borrower, principalFen: o.principal, rateBp: o.rate,
            originatedOn: o.originatedOn, maturesOn: o.maturesOn, collateral: collateral, pledgeRateBp: pledgeRate, fundId: o.fund)
    }

    static func enrolledFund(_ loan: LoanOriginated, _ context: LoanContext) throws -> FundState {
        guard let fundId = loan.fundId else {
            throw DomainError(
                .policyViolation, field: "contract_no", "loan \(loan.bankId)/\(loan.contractNo) is not enrolled in a compensation fund")
        }
        guard let fund = context.fund, fund.exists else {
            throw DomainError(.notFound, field: "fund_id", "fund \(fundId) does not exist")
        }
        return fund
    }

    static func expect(_ state: LoanState, in allowed: Set<LoanStatus>, to action: String) throws {
        guard allowed.contains(state.status) else {
            throw DomainError(
                .invalidState, field: "contract_no",
                "loan \(state.key.map(\.description) ?? "") is \(state.status.rawValue.replacingOccurrences(of: "_", with: " ")) and cannot \(action)"
            )
        }
    }
}
