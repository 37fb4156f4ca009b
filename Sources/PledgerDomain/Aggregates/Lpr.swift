/// The Loan Prime Rate as the ledger recorded it: every fixing of each tenor, by the date
/// it took effect. One stream, `reference-lpr`, for the whole ledger.
public struct LprState: Sendable, Hashable {
    /// Fixings per tenor, oldest effective date first.
    public var fixings: [LprTenor: [LprPublished]] = [:]

    public init() {}

    /// The fixing of `tenor` in force on `date`: the latest effective on or before it.
    public func rate(_ tenor: LprTenor, on date: BusinessDate) -> LprPublished? {
        fixings[tenor]?.last { $0.effectiveOn <= date }
    }
}

/// What may be recorded about the LPR.
public enum LprCommand: Sendable, Hashable {
    /// Records a fixing (the PBoC publishes one per tenor on the 20th of each month).
    case publish(tenor: LprTenor, rate: Bp, effectiveOn: BusinessDate)
}

/// The LPR reference stream's decider.
public enum Lpr {
    public static func decide(_ command: LprCommand, _ state: LprState) throws -> [LedgerEvent] {
        switch command {
        case .publish(let tenor, let rate, let on):
            guard (1...10_000).contains(rate.value) else {
                throw DomainError.invalid("rate_bp", "an annual rate must be 1–10000 bp (got \(rate.value))")
            }
            if let same = state.fixings[tenor]?.first(where: { $0.effectiveOn == on }) {
                throw DomainError(
                    .duplicate, field: "effective_on",
                    "the \(tenor.rawValue) LPR effective on \(on) is already recorded (\(same.rateBp.value) bp)")
            }
            return [.lprPublished(LprPublished(tenor: tenor, rateBp: rate, effectiveOn: on))]
        }
    }

    public static func evolve(_ state: LprState, _ recorded: RecordedEvent) -> LprState {
        guard case .lprPublished(let e) = recorded.event else { return state }
        var state = state
        var list = state.fixings[e.tenor] ?? []
        // Kept in effective-date order (fixings may be recorded late); equal dates keep log order.
        let index = list.lastIndex { $0.effectiveOn <= e.effectiveOn }.map { $0 + 1 } ?? 0
        list.insert(e, at: index)
        state.fixings[e.tenor] = list
        return state
    }
}
