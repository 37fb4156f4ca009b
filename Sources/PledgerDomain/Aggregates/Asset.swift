/// An IP asset: what it is, what appraisers said it is worth, and whether it is pledged.
public struct AssetState: Sendable, Hashable {
    public var registration: AssetRegistered?
    public var valuations: [ValuationId: AssetValued] = [:]
    public var latestValuation: ValuationId?
    /// The loan the asset is pledged to now, if any.
    public var activePledge: AssetPledged?

    public init() {}
    public var exists: Bool { registration != nil }

    /// The most recent valuation dated on or before `date`.
    public func valuation(before date: BusinessDate) -> AssetValued? {
        valuations.values.filter { $0.valuedOn <= date }.max { ($0.valuedOn, $0.valuationId) < ($1.valuedOn, $1.valuationId) }
    }
}

public enum AssetCommand: Sendable, Hashable {
    case register(id: AssetId, kind: AssetKind, registryNo: String, title: String, owner: Uscc)
    case value(id: ValuationId, appraiser: String, method: ValuationMethod, value: Money, valuedOn: BusinessDate, reportRef: String)
    case pledge(loan: LoanKey, registrationNo: String, valuation: ValuationId, pledgedOn: BusinessDate)
    case release(loan: LoanKey, releasedOn: BusinessDate, reason: String)
}

public enum Asset {
    public static func decide(_ command: AssetCommand, _ state: AssetState) throws -> [LedgerEvent] {
        if case .register(let id, let kind, let registryNo, let title, let owner) = command {
            guard !state.exists else { throw DomainError(.duplicate, field: "asset_id", "asset \(id) is already registered") }
            try Rules.text(registryNo, field: "registry_no", maxLength: 64)
            try Rules.text(title, field: "title")
            return [.assetRegistered(AssetRegistered(assetId: id, kind: kind, registryNo: registryNo, title: title, owner: owner))]
        }
        guard let asset = state.registration else { throw DomainError(.notFound, field: "asset_id", "no such asset; register it first") }
        switch command {
        case .register:
            preconditionFailure("handled above")

        case .value(let id, let appraiser, let method, let value, let on, let reportRef):
            guard state.valuations[id] == nil else {
                throw DomainError(.duplicate, field: "valuation_id", "asset \(asset.assetId) already has valuation \(id)")
            }
            try Rules.positive(value, field: "value_fen")
            try Rules.text(appraiser, field: "appraiser")
            try Rules.text(reportRef, field: "report_ref")
            return [
                .assetValued(
                    AssetValued(valuationId: id, appraiser: appraiser, method: method, valueFen: value, valuedOn: on, reportRef: reportRef))
            ]

        case .pledge(let loan, let registrationNo, let valuation, let on):
            if let pledge = state.activePledge {
                throw DomainError(.invalidState, field: "collateral", alreadyPledged(asset.assetId, since: pledge.pledgedOn))
            }
            guard state.valuations[valuation] != nil else {
                throw DomainError(.notFound, field: "valuation_id", "asset \(asset.assetId) has no valuation \(valuation)")
            }
            try Rules.text(registrationNo, field: "registration_no", maxLength: 64)
            return [
                .assetPledged(
                    AssetPledged(
                        bankId: loan.bank, contractNo: loan.contract, registrationNo: registrationNo, valuationId: valuation, pledgedOn: on)
                )
            ]

        case .release(let loan, let on, let reason):
            guard let pledge = state.activePledge else {
                throw DomainError(.invalidState, field: "asset_id", "asset \(asset.assetId) is not pledged")
            }
            guard pledge.bankId == loan.bank, pledge.contractNo == loan.contract else {
                throw DomainError(
                    .invalidState, field: "asset_id", "asset \(asset.assetId) is pledged to another loan; only that loan can release it")
            }
            try Rules.notBefore(on, pledge.pledgedOn, field: "released_on", what: "the pledge")
            // The workflow's reason quotes a cancellation reason of up to 500 characters.
            try Rules.text(reason, field: "reason", maxLength: 600)
            return [.assetPledgeReleased(AssetPledgeReleased(bankId: loan.bank, contractNo: loan.contract, releasedOn: on, reason: reason))]
        }
    }

    /// The refusal for an asset pledged elsewhere. The holding loan may be another bank's, and
    /// its bank and contract are that bank's business, so the message names neither.
    static func alreadyPledged(_ asset: AssetId, since date: BusinessDate) -> String {
        "asset \(asset) is already pledged (since \(date)); the loan that holds it must release it first"
    }

    public static func evolve(_ state: AssetState, _ recorded: RecordedEvent) -> AssetState {
        var state = state
        switch recorded.event {
        case .assetRegistered(let e): state.registration = e
        case .assetValued(let e):
            state.valuations[e.valuationId] = e
            state.latestValuation = e.valuationId
        case .assetPledged(let e): state.activePledge = e
        case .assetPledgeReleased: state.activePledge = nil
        default: break
        }
        return state
    }
}
