import PledgerDomain

/// The figures behind a report page, folded from the log in one pass as it stood at
/// `knownAt` and no further than the head read first. The page names the last event that
/// pass saw (position and hash), so a printed page can be checked against the ledger and
/// reproduced later with the same `as_of` and `known_at`: a page is always a past view,
/// never the read models, which may be a moment behind the log.
extension ReportService {
    /// The last event a pass saw: its position and the hash sealing the log up to it
    /// (position 0 and the zero hash for an empty ledger).
    public struct Seen: Sendable, Hashable {
        public var position: Int64
        public var hash: LedgerHash
    }

    /// Folds the log once into every fold given (each keeps its own `asOf`); all share `knownAt`.
    func fold(_ folds: [LedgerFold], knownAt: RecordedTime) async throws -> (folds: [LedgerFold], seen: Seen) {
        var folds = folds
        var seen = Seen(position: 0, hash: .zero)
        let last = try await store.head().position
        var cursor: Int64 = 0
        reading: while cursor < last {
            try Task.checkCancellation()
            let page = try await store.read(after: cursor, limit: Int(min(5000, last - cursor)))
            guard let tail = page.last else { break }
            for stored in page {
                guard stored.envelope.recordedAt <= knownAt else { break reading }
                let event = try RecordedEvent(stored.envelope)
                for index in folds.indices { folds[index].apply(event) }
                seen = Seen(position: stored.position, hash: stored.hash)
            }
            cursor = tail.position
        }
        return (folds, seen)
    }

    /// The growth report and one sliced report per dimension, from the same loans.
    public func growthFigures(
        window: MonthWindow, target: Bp = Bp(1500), dimensions: [GrowthReport.Dimension], regionLevel: RegionLevel = .district,
        asOf: BusinessDate, knownAt: RecordedTime, bank: BankId? = nil
    ) async throws -> (total: GrowthReport, slices: [GrowthReport], seen: Seen) {
        let (folds, seen) = try await fold([LedgerFold(asOf: asOf, knownAt: knownAt)], knownAt: knownAt)
        var loans = folds[0].states.loanSnapshots
        if let bank { loans = loans.filter { $0.bankId == bank } }
        let total = try GrowthReport.compute(loans, window: window, asOf: asOf, target: target)
        let slices = try dimensions.map { dimension in
            try GrowthReport.compute(
                loans, window: window, asOf: asOf, target: target, by: dimension,
                regionLevel: dimension == .region ? regionLevel : .district)
        }
        return (total, slices, seen)
    }

    /// The fund's exposure at each of `ExposureHistory.dates` through `asOf`, from the
    /// month it was established; the last report is the one as of `asOf` itself. With
    /// `bank`, each is that bank's slice, as `exposure(fund:…bank:)` gives it.
    public func exposureFigures(
        fund id: FundId, asOf: BusinessDate, knownAt: RecordedTime, topBorrowers: Int = 10,
        bank: BankId? = nil
    ) async throws -> (history: [ExposureReport], seen: Seen) {
        let dates = ExposureHistory.dates(establishedOn: nil, through: asOf)
        let (folds, seen) = try await fold(dates.map { LedgerFold(asOf: $0, knownAt: knownAt) }, knownAt: knownAt)
        guard let fund = folds.last?.states.funds[id], fund.exists else {
            throw DomainError(.notFound, field: "fund_id", "fund \(id) does not exist at that time")
        }
        let kept = Set(ExposureHistory.dates(establishedOn: fund.establishedOn, through: asOf))
        var history: [ExposureReport] = []
        for (date, fold) in zip(dates, folds) where kept.contains(date) {
            guard let state = fold.states.funds[id], state.exists else { continue }
            let loans = fold.states.loanSnapshots.filter { $0.fundId == id && (bank == nil || $0.bankId == bank) }
            var report = try ExposureReport.compute(fund: state, loans: loans, asOf: date, topBorrowers: date == asOf ? topBorrowers : 0)
            if let bank { report.suspendedBanks = report.suspendedBanks.filter { $0 == bank } }
            try report.addSchemeShares(schemes: Array(fold.states.schemes.values), loans: fold.states.loans, bank: bank)
            history.append(report)
        }
        return (history, seen)
    }
}
