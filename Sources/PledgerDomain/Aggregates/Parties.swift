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
    /// Firm sizes recorded after registration, by `recorded_on` (equal dates in log order).
    public var firmSizeRecords: [BorrowerFirmSizeRecorded] = []
    public init() {}
    public var exists: Bool { registration != nil }

    /// The firm size in force on `date`: the latest recorded on or before it, else the one
    /// given at registration (if any).
    public func firmSize(on date: BusinessDate) -> FirmSize? {
        firmSizeRecords.last { $0.recordedOn <= date }?.firmSize ?? registration?.firmSize
    }

    /// The firm size as last recorded.
    public var firmSize: FirmSize? { firmSizeRecords.last?.firmSize ?? registration?.firmSize }
}

public enum BorrowerCommand: Sendable, Hashable {
    case register(uscc: Uscc, name: String, industry: IndustryCode, region: RegionCode, techSme: Bool, firmSize: FirmSize? = nil)
    /// Records (or changes) the firm size, in force from `recordedOn`.
    case recordFirmSize(FirmSize, recordedOn: BusinessDate)
}

public enum Borrower {
    public static func decide(_ command: BorrowerCommand, _ state: BorrowerState) throws -> [LedgerEvent] {
        switch command {
        case .register(let uscc, let name, let industry, let region, let techSme, let firmSize):
            guard !state.exists else { throw DomainError(.duplicate, field: "uscc", "borrower \(uscc) is already registered") }
            try Rules.text(name, field: "name")
            return [
                .borrowerRegistered(
                    BorrowerRegistered(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme, firmSize: firmSize))
            ]

        case .recordFirmSize(let size, let on):
            guard let registration = state.registration else {
                throw DomainError(.notFound, field: "uscc", "no such borrower; register it first")
            }
            // A record that changes nothing (the size in force that day is already this one) is a repeat.
            guard state.firmSize(on: on) != size else {
                throw DomainError(
                    .duplicate, field: "firm_size", "borrower \(registration.uscc) is already recorded as \(size.rawValue) on \(on)")
            }
            return [.borrowerFirmSizeRecorded(BorrowerFirmSizeRecorded(firmSize: size, recordedOn: on))]
        }
    }

    public static func evolve(_ state: BorrowerState, _ recorded: RecordedEvent) -> BorrowerState {
        var state = state
        switch recorded.event {
        case .borrowerRegistered(let e):
            state.registration = e
        case .borrowerFirmSizeRecorded(let e):
            let index = state.firmSizeRecords.lastIndex { $0.recordedOn <= e.recordedOn }.map { $0 + 1 } ?? 0
            state.firmSizeRecords.insert(e, at: index)
        default:
            break
        }
        return state
    }
}
