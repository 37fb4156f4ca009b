/// Any command the ledger accepts, addressed to its aggregate. HTTP routes, CLI commands,
/// bulk imports and the demo generator all produce these.
public enum LedgerCommand: Sendable, Hashable {
    case fund(FundId, FundCommand)
    case bank(BankId, BankCommand)
    case borrower(Uscc, BorrowerCommand)
    case asset(AssetId, AssetCommand)
    case loan(LoanKey, LoanCommand)
    /// Reference rates (the LPR), one stream for the ledger.
    case lpr(LprCommand)
    case scheme(SchemeId, SchemeCommand)
    case subsidy(SubsidyProgrammeId, SubsidyCommand)
    /// An insurer's book of pledge-insurance policies.
    case insurer(InsurerId, InsurerCommand)

    /// The stream the command is addressed to.
    public var target: StreamRef {
        switch self {
        case .fund(let id, _): .fund(id)
        case .bank(let id, _): .bank(id)
        case .borrower(let uscc, _): .borrower(uscc)
        case .asset(let id, _): .asset(id)
        case .loan(let key, _): .loan(key)
        case .lpr: .lpr
        case .scheme(let id, _): .scheme(id)
        case .subsidy(let id, _): .subsidy(id)
        case .insurer(let id, _): .insurer(id)
        }
    }

    /// Streams whose state the decision reads, given what is loaded so far (a claim first
    /// needs its loan, to learn which fund to read). Loading repeats until nothing new is asked.
    public func reads(_ loaded: AggregateStates) -> [StreamRef] {
        var refs: [StreamRef] = [target]
        switch self {
        case .fund(_, .joinBank(let bank, _, _)):
            refs.append(.bank(bank))
        case .fund(_, .transferOut(let destination, _, _, _)):
            refs.append(.fund(destination))
        case .fund(let id, .payQueue):
            refs += (loaded.funds[id]?.queue ?? []).map { .loan($0.loan) }
        case .scheme(_, .agree(_, _, let parties, _)), .scheme(_, .revise(let parties, _, _)):
            refs += parties.compactMap { $0.ref.fundId.map(StreamRef.fund) }
        case .loan(let key, .enrolInScheme(let scheme, _, _)):
            refs.append(.scheme(scheme))
            refs += (loaded.schemes[scheme]?.funds ?? []).map(StreamRef.fund)
            if let fund = loaded.loans[key]?.origination?.fundId { refs.append(.fund(fund)) }
        case .subsidy(_, .applyForInterest(_, _, let loans, _)):
            refs += loans.map(StreamRef.loan)
        case .subsidy(_, .applyForAppraisalFee(_, let asset, _, _, _, _)):
            refs.append(.asset(asset))
        case .insurer(_, .subsidisePremium(_, let fund, _, _, _)):
            refs.append(.fund(fund))
        case .loan(let key, let command):
            switch command {
            case .originate(let o):
                refs += [.bank(key.bank), .borrower(o.borrower)] + o.collateral.map { .asset($0.asset) }
                if let fund = o.fund { refs.append(.fund(fund)) }
                // A fund that caps rates over the LPR needs the fixings (known once the fund is loaded).
                if let fund = o.fund, loaded.funds[fund]?.policy(on: o.originatedOn)?.maxRateOverLprBp != nil { refs.append(.lpr) }
            default:
                if let loan = loaded.loans[key]?.origination {
                    if let fund = loan.fundId { refs.append(.fund(fund)) }
                    refs += loan.collateral.map { .asset($0.assetId) }
                }
                // Only the acts that write an insurer's book read it (a repayment on an insured
                // loan does not): a policy recorded or cancelled, an insurer's settlement, and the
                // loan cancelled (every policy's book).
                switch command {
                case .insure(let terms): refs.append(.insurer(terms.insurer))
                case .cancelPolicy(let insurer, _, _): refs.append(.insurer(insurer))
                case .cancel: refs += (loaded.loans[key]?.policies.keys.sorted() ?? []).map(StreamRef.insurer)
                case .settleLossShare(let party, _, _, _):
                    if let policy = loaded.loans[key]?.policy(of: party) { refs.append(.insurer(policy.insurerId)) }
                default: break
                }
                // A loan under a scheme reads the scheme, then the funds that are its parties.
                if let scheme = loaded.loans[key]?.scheme?.schemeId {
                    refs.append(.scheme(scheme))
                    refs += (loaded.schemes[scheme]?.funds ?? []).map(StreamRef.fund)
                }
            }
        default:
            break
        }
        return refs
    }
}

/// A stream, by what it holds.
public enum StreamRef: Sendable, Hashable, CustomStringConvertible {
    case fund(FundId)
    case bank(BankId)
    case borrower(Uscc)
    case asset(AssetId)
    case loan(LoanKey)
    /// `reference-lpr`: the LPR fixings.
    case lpr
    case scheme(SchemeId)
    case subsidy(SubsidyProgrammeId)
    case insurer(InsurerId)

    public var name: String {
        switch self {
        case .fund(let id): Streams.fund(id)
        case .bank(let id): Streams.bank(id)
        case .borrower(let uscc): Streams.borrower(uscc)
        case .asset(let id): Streams.asset(id)
        case .loan(let key): Streams.loan(key)
        case .lpr: "reference-lpr"
        case .scheme(let id): Streams.scheme(id)
        case .subsidy(let id): Streams.subsidy(id)
        case .insurer(let id): Streams.insurer(id)
        }
    }

    public var description: String { name }

    /// The stream an event founds, if it is a creation event (every stream's first event is).
    public init?(founding event: LedgerEvent) {
        switch event {
        case .fundEstablished(let e): self = .fund(e.fundId)
        case .bankRegistered(let e): self = .bank(e.bankId)
        case .borrowerRegistered(let e): self = .borrower(e.uscc)
        case .assetRegistered(let e): self = .asset(e.assetId)
        case .loanOriginated(let e): self = .loan(e.key)
        case .lprPublished: self = .lpr
        case .schemeAgreed(let e): self = .scheme(e.schemeId)
        case .subsidyProgrammeEstablished(let e): self = .subsidy(e.programmeId)
        case .policyIssued(let e): self = .insurer(e.insurerId)
        default: return nil
        }
    }
}

/// The events a decision appends to one stream.
public struct StreamWrite: Sendable, Hashable {
    public let stream: StreamRef
    public let events: [LedgerEvent]
}
