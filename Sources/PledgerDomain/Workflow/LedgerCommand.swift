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

    /// The stream the command is addressed to.
    public var target: StreamRef {
        switch self {
        case .fund(let id, _): .fund(id)
        case .bank(let id, _): .bank(id)
        case .borrower(let uscc, _): .borrower(uscc)
        case .asset(let id, _): .asset(id)
        case .loan(let key, _): .loan(key)
        case .lpr: .lpr
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

    public var name: String {
        switch self {
        case .fund(let id): Streams.fund(id)
        case .bank(let id): Streams.bank(id)
        case .borrower(let uscc): Streams.borrower(uscc)
        case .asset(let id): Streams.asset(id)
        case .loan(let key): Streams.loan(key)
        case .lpr: "reference-lpr"
        }
    }

    public var description: String { name }
}

/// The events a decision appends to one stream.
public struct StreamWrite: Sendable, Hashable {
    public let stream: StreamRef
    public let events: [LedgerEvent]
}

/// The states of the aggregates a decision reads, with the version each was loaded at
/// (the expected version when the decision is appended).
public struct AggregateStates: Sendable {
    public var funds: [FundId: FundState] = [:]
    public var banks: [BankId: BankState] = [:]
    public var borrowers: [Uscc: BorrowerState] = [:]
    public var assets: [AssetId: AssetState] = [:]
    public var loans: [LoanKey: LoanState] = [:]
    public var lpr = LprState()
    public var versions: [StreamRef: Int32] = [:]

    public init() {}

    public func isLoaded(_ ref: StreamRef) -> Bool { versions[ref] != nil }

    /// Marks a stream as loaded (at version 0 if it has no events yet).
    public mutating func markLoaded(_ ref: StreamRef) {
        if versions[ref] == nil { versions[ref] = 0 }
        switch ref {
        case .fund(let id): funds[id] = funds[id] ?? FundState()
        case .bank(let id): banks[id] = banks[id] ?? BankState()
        case .borrower(let uscc): borrowers[uscc] = borrowers[uscc] ?? BorrowerState()
        case .asset(let id): assets[id] = assets[id] ?? AssetState()
        case .loan(let key): loans[key] = loans[key] ?? LoanState()
        case .lpr: break
        }
    }

    /// One stream's state and version, saved so that it can be put back.
    public struct Entry: Sendable {
        enum State: Sendable {
            case fund(FundState?), bank(BankState?), borrower(BorrowerState?), asset(AssetState?), loan(LoanState?), lpr(LprState)
        }
        let state: State
        public let version: Int32?
    }

    public func entry(_ ref: StreamRef) -> Entry {
        let state: Entry.State = switch ref {
        case .fund(let id): .fund(funds[id])
        case .bank(let id): .bank(banks[id])
        case .borrower(let uscc): .borrower(borrowers[uscc])
        case .asset(let id): .asset(assets[id])
        case .loan(let key): .loan(loans[key])
        case .lpr: .lpr(lpr)
        }
        return Entry(state: state, version: versions[ref])
    }

    public mutating func restore(_ ref: StreamRef, _ saved: Entry) {
        versions[ref] = saved.version
        switch (ref, saved.state) {
        case (.fund(let id), .fund(let state)): funds[id] = state
        case (.bank(let id), .bank(let state)): banks[id] = state
        case (.borrower(let uscc), .borrower(let state)): borrowers[uscc] = state
        case (.asset(let id), .asset(let state)): assets[id] = state
        case (.loan(let key), .loan(let state)): loans[key] = state
        case (.lpr, .lpr(let state)): lpr = state
        default: break
        }
    }

    /// Folds one recorded event of stream `ref` into its state.
    public mutating func apply(_ recorded: RecordedEvent, to ref: StreamRef) {
        markLoaded(ref)
        versions[ref] = recorded.version
        switch ref {
        case .fund(let id): Fund.evolve(&funds[id]!, recorded)
        case .bank(let id): banks[id] = Bank.evolve(banks[id]!, recorded)
        case .borrower(let uscc): borrowers[uscc] = Borrower.evolve(borrowers[uscc]!, recorded)
        case .asset(let id): assets[id] = Asset.evolve(assets[id]!, recorded)
        case .loan(let key): loans[key] = Loan.evolve(loans[key]!, recorded)
        case .lpr: lpr = Lpr.evolve(lpr, recorded)
        }
    }
}
