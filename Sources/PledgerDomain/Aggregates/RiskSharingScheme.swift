/// A risk-sharing scheme (风险分担): who bears what part of a defaulted loan's loss — public
/// funds at several levels (a province fund at 40% and a city fund at 20%), an insurer, a
/// guarantor, an appraiser, and the lending bank. Each version is a dated agreement; a loan
/// is enrolled under the version in force on its enrolment date and keeps it.
public struct SchemeState: Sendable, Hashable {
    public var id: SchemeId?
    public var name = ""
    /// Versions in order: version n is `versions[n - 1]`.
    public var versions: [Version] = []
    /// Loans enrolled under the scheme, in enrolment order, with their version.
    public var loans: [LoanKey: Int] = [:]
    public var loanOrder: [LoanKey] = []
    /// The latest enrolment date: a revision may not take effect before it.
    public var lastEnrolledOn: BusinessDate?

    public init() {}

    public var exists: Bool { id != nil }

    public struct Version: Sendable, Hashable {
        public var number: Int
        public var parties: [SchemeParty]
        public var effectiveOn: BusinessDate
    }

    /// The version in force on `date`: the latest effective on or before it.
    public func version(on date: BusinessDate) -> Version? { versions.last { $0.effectiveOn <= date } }

    public func version(_ number: Int) -> Version? { versions.indices.contains(number - 1) ? versions[number - 1] : nil }

    /// The funds any version names, for loading their streams.
    public var funds: [FundId] {
        var seen: [FundId] = []
        for party in versions.flatMap(\.parties) { if let id = party.ref.fundId, !seen.contains(id) { seen.append(id) } }
        return seen
    }
}

/// What may be asked of a scheme.
public enum SchemeCommand: Sendable, Hashable {
    case agree(id: SchemeId, name: String, parties: [SchemeParty], effectiveOn: BusinessDate)
    case revise(parties: [SchemeParty], effectiveOn: BusinessDate, reason: String)
    /// The scheme's side of a loan's enrolment; issued by the loan workflow.
    case recordEnrolment(loan: LoanKey, version: Int, enrolledOn: BusinessDate)
}

/// The scheme aggregate's decider.
public enum RiskSharingScheme {
    public static func decide(_ command: SchemeCommand, _ state: SchemeState, funds: [FundId: FundState] = [:]) throws -> [LedgerEvent] {
        switch command {
        case .agree(let id, let name, let parties, let on):
            guard !state.exists else { throw DomainError(.duplicate, field: "scheme_id", "scheme \(id) is already agreed") }
            try Rules.text(name, field: "name")
            try validate(parties, funds: funds)
            return [.schemeAgreed(SchemeAgreed(schemeId: id, name: name, parties: parties, effectiveOn: on))]

        case .revise(let parties, let on, let reason):
            guard let id = state.id, let last = state.versions.last else {
                throw DomainError(.notFound, field: "scheme_id", "no such scheme; agree it first")
            }
            try Rules.notBefore(on, last.effectiveOn, field: "effective_on", what: "version \(last.number) of scheme \(id)")
            if let enrolled = state.lastEnrolledOn {
                try Rules.notBefore(on, enrolled, field: "effective_on", what: "the latest enrolment under scheme \(id)")
            }
            try Rules.text(reason, field: "reason")
            try validate(parties, funds: funds)
            return [.schemeRevised(SchemeRevised(version: last.number + 1, parties: parties, effectiveOn: on, reason: reason))]

        case .recordEnrolment(let loan, let version, let on):
            guard let id = state.id else { throw DomainError(.notFound, field: "scheme_id", "no such scheme") }
            guard state.loans[loan] == nil else {
                throw DomainError(.duplicate, field: "scheme_id", "loan \(loan) is already enrolled under scheme \(id)")
            }
            guard let chosen = state.version(version) else {
                throw DomainError(.notFound, field: "version", "scheme \(id) has no version \(version)")
            }
            try Rules.notBefore(on, chosen.effectiveOn, field: "enrolled_on", what: "version \(version) of scheme \(id) took effect")
            return [.schemeLoanEnrolled(SchemeLoanEnrolled(bankId: loan.bank, contractNo: loan.contract, version: version, enrolledOn: on))]
        }
    }

    public static func evolve(_ state: SchemeState, _ recorded: RecordedEvent) -> SchemeState {
        var state = state
        evolve(&state, recorded)
        return state
    }

    /// Folds one event in place: no copy of the state's tables, which grow with every loan
    /// or application, so folding a long stream stays linear.
    public static func evolve(_ state: inout SchemeState, _ recorded: RecordedEvent) {
        switch recorded.event {
        case .schemeAgreed(let e):
            state.id = e.schemeId
            state.name = e.name
            state.versions = [.init(number: 1, parties: e.parties, effectiveOn: e.effectiveOn)]
        case .schemeRevised(let e):
            state.versions.append(.init(number: e.version, parties: e.parties, effectiveOn: e.effectiveOn))
        case .schemeLoanEnrolled(let e):
            let key = LoanKey(bank: e.bankId, contract: e.contractNo)
            if state.loans[key] == nil { state.loanOrder.append(key) }
            state.loans[key] = e.version
            state.lastEnrolledOn = max(state.lastEnrolledOn ?? e.enrolledOn, e.enrolledOn)
        default:
            break
        }
    }

    /// Shares add up to 100%; one lending bank, without a cap; every other party named once,
    /// with a share above zero and a positive cap if any; a fund party must exist.
    static func validate(_ parties: [SchemeParty], funds: [FundId: FundState]) throws {
        guard !parties.isEmpty else { throw DomainError.invalid("parties", "name the parties and their shares") }
        guard parties.count <= 20 else { throw DomainError.invalid("parties", "a scheme has at most 20 parties") }
        var total: Int64 = 0
        var seen: Set<SchemePartyRef> = []
        for (index, party) in parties.enumerated() {
            let field = "parties[\(index)]"
            guard (0...10_000).contains(party.shareBp.value) else {
                throw DomainError.invalid("\(field).share_bp", "a share must be 0–10000 bp (got \(party.shareBp.value))")
            }
            total += party.shareBp.value
            guard seen.insert(party.ref).inserted else {
                throw DomainError.invalid(field, "\(party.ref) is named twice")
            }
            if party.role == .bank {
                guard party.partyId == nil else {
                    throw DomainError.invalid("\(field).party_id", "the bank party is the lending bank of each loan: leave party_id out")
                }
                guard party.capFen == nil else {
                    throw DomainError.invalid("\(field).cap_fen", "the bank takes what the other parties do not: it has no cap")
                }
                continue
            }
            guard let id = party.partyId else {
                throw DomainError.invalid("\(field).party_id", "name the \(party.role.rawValue) (party_id)")
            }
            guard party.shareBp.value > 0 else {
                throw DomainError.invalid("\(field).share_bp", "a party other than the bank must bear a share above 0 bp")
            }
            if let cap = party.capFen { try Rules.positive(cap, field: "\(field).cap_fen") }
            if party.role == .fund {
                guard let fund = party.ref.fundId, funds[fund]?.exists == true else {
                    throw DomainError(.notFound, field: "\(field).party_id", "fund \(id) does not exist")
                }
            }
        }
        guard parties.filter({ $0.role == .bank }).count == 1 else {
            throw DomainError.invalid("parties", "name the lending bank once (role bank), with its share")
        }
        guard total == 10_000 else {
            throw DomainError.invalid("parties", "the shares add up to \(total) bp; they must add up to 10000 bp (100%)")
        }
    }
}
