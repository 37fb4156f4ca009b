/// The states of the aggregates a decision reads, with the version each was loaded at
/// (the expected version when the decision is appended).
public struct AggregateStates: Sendable {
    public var funds: [FundId: FundState] = [:]
    public var banks: [BankId: BankState] = [:]
    public var borrowers: [Uscc: BorrowerState] = [:]
    public var assets: [AssetId: AssetState] = [:]
    public var loans: [LoanKey: LoanState] = [:]
    public var lpr = LprState()
    public var schemes: [SchemeId: SchemeState] = [:]
    public var subsidies: [SubsidyProgrammeId: SubsidyState] = [:]
    public var insurers: [InsurerId: InsurerBookState] = [:]
    public var versions: [StreamRef: Int32] = [:]

    public init() {}

    public func isLoaded(_ ref: StreamRef) -> Bool { versions[ref] != nil }

    /// Marks a stream as loaded (at version 0 if it has no events yet), its state created empty
    /// if absent — as `apply` does for a stream's first event: a state already there is not read
    /// or written again (a fund's is large).
    public mutating func markLoaded(_ ref: StreamRef) {
        if versions.index(forKey: ref) == nil { versions[ref] = 0 }
        switch ref {
        case .fund(let id): Self.ensure(&funds, id, FundState())
        case .bank(let id): Self.ensure(&banks, id, BankState())
        case .borrower(let uscc): Self.ensure(&borrowers, uscc, BorrowerState())
        case .asset(let id): Self.ensure(&assets, id, AssetState())
        case .loan(let key): Self.ensure(&loans, key, LoanState())
        case .lpr: break
        case .scheme(let id): Self.ensure(&schemes, id, SchemeState())
        case .subsidy(let id): Self.ensure(&subsidies, id, SubsidyState())
        case .insurer(let id): Self.ensure(&insurers, id, InsurerBookState())
        }
    }

    private static func ensure<Key: Hashable, State>(_ states: inout [Key: State], _ key: Key, _ empty: @autoclosure () -> State) {
        if states.index(forKey: key) == nil { states[key] = empty() }
    }

    /// One stream's state and version, saved so that it can be put back.
    public struct Entry: Sendable {
        enum State: Sendable {
            case fund(FundState?)
            case bank(BankState?)
            case borrower(BorrowerState?)
            case asset(AssetState?)
            case loan(LoanState?)
            case lpr(LprState)
            case scheme(SchemeState?)
            case subsidy(SubsidyState?)
            case insurer(InsurerBookState?)
        }
        let state: State
        public let version: Int32?
    }

    public func entry(_ ref: StreamRef) -> Entry {
        let state: Entry.State =
            switch ref {
            case .fund(let id): .fund(funds[id])
            case .bank(let id): .bank(banks[id])
            case .borrower(let uscc): .borrower(borrowers[uscc])
            case .asset(let id): .asset(assets[id])
            case .loan(let key): .loan(loans[key])
            case .lpr: .lpr(lpr)
            case .scheme(let id): .scheme(schemes[id])
            case .subsidy(let id): .subsidy(subsidies[id])
            case .insurer(let id): .insurer(insurers[id])
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
        case (.scheme(let id), .scheme(let state)): schemes[id] = state
        case (.subsidy(let id), .subsidy(let state)): subsidies[id] = state
        case (.insurer(let id), .insurer(let state)): insurers[id] = state
        default: break
        }
    }

    /// Folds one recorded event of stream `ref` into its state — as `markLoaded` and then the
    /// aggregate's `evolve`, with each dictionary looked up once: every event of a rebuild or
    /// a past view goes through here, and hashing its stream's key five times was a tenth of
    /// a rebuild's fold.
    public mutating func apply(_ recorded: RecordedEvent, to ref: StreamRef) {
        versions[ref] = recorded.version
        switch ref {
        case .fund(let id): Fund.evolve(&funds[id, default: FundState()], recorded)
        case .bank(let id): Self.evolve(&banks[id, default: BankState()]) { Bank.evolve($0, recorded) }
        case .borrower(let uscc): Self.evolve(&borrowers[uscc, default: BorrowerState()]) { Borrower.evolve($0, recorded) }
        case .asset(let id): Self.evolve(&assets[id, default: AssetState()]) { Asset.evolve($0, recorded) }
        case .loan(let key): Self.evolve(&loans[key, default: LoanState()]) { Loan.evolve($0, recorded) }
        case .lpr: lpr = Lpr.evolve(lpr, recorded)
        case .scheme(let id): RiskSharingScheme.evolve(&schemes[id, default: SchemeState()], recorded)
        case .subsidy(let id): SubsidyProgramme.evolve(&subsidies[id, default: SubsidyState()], recorded)
        case .insurer(let id): InsurerBook.evolve(&insurers[id, default: InsurerBookState()], recorded)
        }
    }

    private static func evolve<State>(_ state: inout State, _ next: (State) -> State) { state = next(state) }
}
