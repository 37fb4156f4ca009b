/// Turns a command and the states it reads into the events to append, per stream. Where
/// one business act touches several aggregates (a loan and its pledged assets; a claim
/// payout and the fund's account) each aggregate decides its own part, and the parts are
/// appended together, atomically, with the expected versions of every written stream.
public enum Workflow {
    public static func decide(_ command: LedgerCommand, _ states: AggregateStates) throws -> [StreamWrite] {
        switch command {
        case .fund(let id, let fundCommand):
            if let writes = try decideFundAct(id, fundCommand, states) { return writes }
            if case .joinBank(let bank, _, _) = fundCommand, states.banks[bank]?.exists != true {
                throw DomainError(.notFound, field: "bank_id", "bank \(bank) is not registered")
            }
            return [StreamWrite(stream: .fund(id), events: try Fund.decide(fundCommand, states.funds[id] ?? FundState()))]
        case .bank(let id, let bankCommand):
            return [StreamWrite(stream: .bank(id), events: try Bank.decide(bankCommand, states.banks[id] ?? BankState()))]
        case .borrower(let uscc, let borrowerCommand):
            return [
                StreamWrite(
                    stream: .borrower(uscc), events: try Borrower.decide(borrowerCommand, states.borrowers[uscc] ?? BorrowerState()))
            ]
        case .asset(let id, let assetCommand):
            return [StreamWrite(stream: .asset(id), events: try Asset.decide(assetCommand, states.assets[id] ?? AssetState()))]
        case .loan(let key, let loanCommand):
            return try decideLoan(key, loanCommand, states)
        case .lpr(let lprCommand):
            return [StreamWrite(stream: .lpr, events: try Lpr.decide(lprCommand, states.lpr))]
        case .subsidy(let id, let subsidyCommand):
            if case .establish(let terms) = subsidyCommand, terms.programmeId != id {
                throw DomainError.invalid("programme_id", "the programme id \(terms.programmeId) does not match the stream's \(id)")
            }
            return [
                StreamWrite(
                    stream: .subsidy(id),
                    events: try SubsidyProgramme.decide(
                        subsidyCommand, states.subsidies[id] ?? SubsidyState(), loans: states.loans, assets: states.assets))
            ]
        case .insurer(let id, let insurerCommand):
            return try decideInsurerAct(id, insurerCommand, states)
        case .scheme(let id, let schemeCommand):
            if case .recordEnrolment = schemeCommand {
                throw DomainError(.invalidState, field: "scheme_id", "a loan is enrolled under a scheme through the loan")
            }
            if case .agree(let agreed, _, _, _) = schemeCommand, agreed != id {
                throw DomainError.invalid("scheme_id", "the scheme id \(agreed) does not match the stream's \(id)")
            }
            return [
                StreamWrite(
                    stream: .scheme(id),
                    events: try RiskSharingScheme.decide(schemeCommand, states.schemes[id] ?? SchemeState(), funds: states.funds))
            ]
        }
    }

    private static func decideLoan(_ key: LoanKey, _ command: LoanCommand, _ states: AggregateStates) throws -> [StreamWrite] {
        let loan = states.loans[key] ?? LoanState()
        let fundId: FundId? = if case .originate(let o) = command { o.fund } else { loan.origination?.fundId }
        let schemeId: SchemeId? = if case .enrolInScheme(let id, _, _) = command { id } else { loan.scheme?.schemeId }
        let scheme = schemeId.flatMap { states.schemes[$0] }
        let context = LoanContext(
            bank: states.banks[key.bank],
            borrower: (loan.origination?.borrower ?? originationBorrower(command)).flatMap { states.borrowers[$0] },
            assets: states.assets, fund: fundId.flatMap { states.funds[$0] }, lpr: states.lpr, scheme: scheme,
            schemeFunds: states.funds.filter { scheme?.funds.contains($0.key) == true })
        let loanEvents = try Loan.decide(command, loan, context)
        var writes = [StreamWrite(stream: .loan(key), events: loanEvents)]

        for event in loanEvents {
            switch event {
            case .loanOriginated(let originated):
                for item in originated.collateral {
                    let pledge = AssetCommand.pledge(
                        loan: key, registrationNo: item.registrationNo, valuation: item.valuationId, pledgedOn: originated.originatedOn)
                    writes.append(
                        StreamWrite(
                            stream: .asset(item.assetId), events: try Asset.decide(pledge, states.assets[item.assetId] ?? AssetState())))
                }
                if let fund = originated.fundId {
                    let grant = FundCommand.grantCover(
                        loan: key, borrower: originated.borrower, principal: originated.principalFen, enrolledOn: originated.originatedOn)
                    writes.append(StreamWrite(stream: .fund(fund), events: try Fund.decide(grant, states.funds[fund] ?? FundState())))
                }
            case .loanDefaulted(let defaulted):
                if hasOpenCover(loan, key, states) {
                    writes.append(
                        try fundPart(
                            loan, states,
                            .recordCoverDefault(loan: key, outstanding: defaulted.outstandingFen, defaultedOn: defaulted.defaultedOn)))
                }
            case .loanClosed(let closed):
                writes += try releases(loan, key, on: closed.closedOn, reason: "loan closed", states)
                if hasOpenCover(loan, key, states) {
                    writes.append(try fundPart(loan, states, .releaseCover(loan: key, releasedOn: closed.closedOn, cause: .closed)))
                }
            case .loanCancelled(let cancelled):
                writes += try releases(loan, key, on: cancelled.cancelledOn, reason: "loan cancelled: \(cancelled.reason)", states)
                for policy in loan.policies.values.sorted(by: { $0.insurerId < $1.insurerId }) {
                    writes.append(
                        try bookPart(
                            policy.insurerId,
                            .recordCancellation(
                                policyNo: policy.policyNo, loan: key, cancelledOn: cancelled.cancelledOn,
                                reason: "loan cancelled: \(cancelled.reason)"), states))
                }
                if hasOpenCover(loan, key, states) {
                    writes.append(
                        try fundPart(loan, states, .releaseCover(loan: key, releasedOn: cancelled.cancelledOn, cause: .cancelled)))
                }
            case .compensationApproved(let approved):
                writes.append(
                    try fundPart(
                        loan, states,
                        .commitCompensation(
                            loan: key, borrower: loan.origination!.borrower, claimNo: approved.claimNo, amount: approved.amountFen,
                            approvedOn: approved.approvedOn,
                            enrolledOn: loan.origination!.originatedOn)))
            case .compensationPaid(let paid):
                writes.append(
                    try fundPart(
                        loan, states,
                        .disburse(
                            loan: key, borrower: loan.origination!.borrower, claimNo: paid.claimNo, amount: paid.amountFen,
                            paidOn: paid.paidOn, paymentRef: paid.paymentRef)))
            case .compensationWithdrawn(let withdrawn)
            where loan.claims.first(where: { $0.number == withdrawn.claimNo })?.status == .approved:
                writes.append(
                    try fundPart(
                        loan, states,
                        .releaseCompensation(
                            loan: key, borrower: loan.origination!.borrower, claimNo: withdrawn.claimNo, amount: withdrawn.amountFen,
                            releasedOn: withdrawn.withdrawnOn)))
            case .loanEnrolledInScheme(let enrolled):
                let record = SchemeCommand.recordEnrolment(loan: key, version: enrolled.version, enrolledOn: enrolled.enrolledOn)
                writes.append(
                    StreamWrite(
                        stream: .scheme(enrolled.schemeId),
                        events: try RiskSharingScheme.decide(record, states.schemes[enrolled.schemeId] ?? SchemeState())))
            case .loanInsured(let insured):
                let issued = PolicyIssued(
                    insurerId: insured.insurerId, policyNo: insured.policyNo, bankId: key.bank, contractNo: key.contract,
                    insured: loan.origination!.borrower, schemeId: loan.scheme!.schemeId, sumInsuredFen: insured.sumInsuredFen,
                    premiumFen: insured.premiumFen, coverShareBp: insured.coverShareBp, startsOn: insured.startsOn, endsOn: insured.endsOn,
                    issuedOn: insured.issuedOn)
                writes.append(try bookPart(insured.insurerId, .recordPolicy(issued), states))
            case .loanPolicyCancelled(let cancelled):
                writes.append(
                    try bookPart(
                        cancelled.insurerId,
                        .recordCancellation(
                            policyNo: cancelled.policyNo, loan: key, cancelledOn: cancelled.cancelledOn, reason: cancelled.reason), states))
            case .lossShareSettled(let settled):
                let party = SchemePartyRef(role: settled.role, partyId: settled.partyId)
                if let policy = loan.policy(of: party) {
                    let claim = InsurerCommand.recordClaim(
                        policyNo: policy.policyNo, loan: key, amount: settled.amountFen, settledOn: settled.settledOn,
                        reference: settled.reference)
                    writes.append(try bookPart(policy.insurerId, claim, states))
                }
                if let fund = party.fundId {
                    let disburse = FundCommand.disburseSchemeShare(
                        scheme: loan.scheme!.schemeId, loan: key, amount: settled.amountFen, paidOn: settled.settledOn,
                        reference: settled.reference)
                    writes.append(StreamWrite(stream: .fund(fund), events: try Fund.decide(disburse, states.funds[fund] ?? FundState())))
                }
            case .recoveryShared(let shared):
                for part in shared.shares where part.amountFen.isPositive {
                    guard let fund = part.ref.fundId else { continue }
                    let receive = FundCommand.receiveSchemeRecoveryShare(
                        scheme: loan.scheme!.schemeId, loan: key, recoveryNo: shared.recoveryNo, amount: part.amountFen,
                        returnedOn: shared.sharedOn, reference: shared.reference)
                    writes.append(StreamWrite(stream: .fund(fund), events: try Fund.decide(receive, states.funds[fund] ?? FundState())))
                }
            case .recoveryReturnedToFund(let returned):
                writes.append(
                    try fundPart(
                        loan, states,
                        .receiveRecoveryShare(
                            loan: key, recoveryNo: returned.recoveryNo, amount: returned.amountFen, returnedOn: returned.returnedOn,
                            reference: returned.reference)))
            default:
                break
            }
        }
        return writes
    }

    private static func originationBorrower(_ command: LoanCommand) -> Uscc? {
        if case .originate(let o) = command { return o.borrower }
        return nil
    }

    /// Whether the loan's fund records cover for it that is not released. Loans enrolled
    /// before the fund stream recorded cover have none: their defaults and closings write
    /// nothing there (see `CoverBook`).
    private static func hasOpenCover(_ loan: LoanState, _ key: LoanKey, _ states: AggregateStates) -> Bool {
        guard let fund = loan.origination?.fundId else { return false }
        return states.funds[fund]?.cover.loans[key]?.isOpen == true
    }

    private static func bookPart(_ insurer: InsurerId, _ command: InsurerCommand, _ states: AggregateStates) throws -> StreamWrite {
        StreamWrite(stream: .insurer(insurer), events: try InsurerBook.decide(command, states.insurers[insurer] ?? InsurerBookState()))
    }

    private static func fundPart(_ loan: LoanState, _ states: AggregateStates, _ command: FundCommand) throws -> StreamWrite {
        let id = loan.origination!.fundId!
        return StreamWrite(stream: .fund(id), events: try Fund.decide(command, states.funds[id] ?? FundState()))
    }

    /// Releases the loan's pledges that are still active (an asset released earlier is skipped).
    private static func releases(_ loan: LoanState, _ key: LoanKey, on date: BusinessDate, reason: String, _ states: AggregateStates) throws
        -> [StreamWrite]
    {
        try (loan.origination?.collateral ?? []).compactMap { item in
            guard let asset = states.assets[item.assetId], let pledge = asset.activePledge,
                pledge.bankId == key.bank, pledge.contractNo == key.contract
            else { return nil }
            return StreamWrite(
                stream: .asset(item.assetId), events: try Asset.decide(.release(loan: key, releasedOn: date, reason: reason), asset))
        }
    }
}
