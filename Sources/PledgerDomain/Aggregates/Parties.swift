/// A partner bank, as registered with the ledger.
public struct BankState: Sendable, Hashable {
    public var id: BankId?
    public var name = ""
    public var licence = ""
    public init() {}
    public var exists: Bool { id != nil }
}

public enum BankCommand: Sendable, Hashable {
    case register(id: BankId, name: String, licence: String)
}

public enum Bank {
    public static func decide(_ command: BankCommand, _ state: BankState) throws -> [LedgerEvent] {
        switch command {
        case .register(let id, let name, let licence):
            guard !state.exists else { throw DomainError(.duplicate, field: "bank_id", "bank \(id) is already registered") }
            try Rules.text(name, field: "name")
            try Rules.text(licence, field: "licence", maxLength: 64)
            return [.bankRegistered(BankRegistered(bankId: id, name: name, licence: licence))]
        }
    }

    public static func evolve(_ state: BankState, _ recorded: RecordedEvent) -> BankState {
        guard case .bankRegistered(let e) = recorded.event else { return state }
        var state = state
        state.id = e.bankId
        state.name = e.name
        state.licence = e.licence
        return state
    }
}

/// A borrowing enterprise, identified by its USCC.
public struct BorrowerState: Sendable, Hashable {
    public var registration: BorrowerRegistered?
    public init() {}
    public var exists: Bool { registration != nil }
}

public enum BorrowerCommand: Sendable, Hashable {
    case register(uscc: Uscc, name: String, industry: IndustryCode, region: RegionCode, techSme: Bool)
}

public enum Borrower {
    public static func decide(_ command: BorrowerCommand, _ state: BorrowerState) throws -> [LedgerEvent] {
        switch command {
        case .register(let uscc, let name, let industry, let region, let techSme):
            guard !state.exists else { throw DomainError(.duplicate, field: "uscc", "borrower \(uscc) is already registered") }
            try Rules.text(name, field: "name")
            return [.borrowerRegistered(BorrowerRegistered(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme))]
        }
    }

    public static func evolve(_ state: BorrowerState, _ recorded: RecordedEvent) -> BorrowerState {
        guard case .borrowerRegistered(let e) = recorded.event else { return state }
        var state = state
        state.registration = e
        return state
    }
}
