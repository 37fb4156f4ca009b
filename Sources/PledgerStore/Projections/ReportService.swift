import Foundation
import PledgerDomain

/// Answers report questions. The current view (no `asOf`, no `knownAt`) reads the read
/// models; any past view folds the log directly, up to `knownAt` and as of `asOf`.
public struct ReportService: Sendable {
    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    /// Folds the log (pages of 5000) for a bitemporal question.
    public func fold(asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, toPosition: Int64? = nil,
                     progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> LedgerFold {
        var fold = LedgerFold(asOf: asOf, knownAt: knownAt)
        let head = try await store.head().position
        let last = min(toPosition ?? head, head)
        var cursor: Int64 = 0
        reading: while cursor < last {
            try Task.checkCancellation()
            let page = try await store.read(after: cursor, limit: Int(min(5000, last - cursor)))
            guard let tail = page.last else { break }
            for stored in page where !fold.apply(try RecordedEvent(stored.envelope)) { break reading }
            cursor = tail.position
            progress(cursor, last)
        }
        return fold
    }

    /// Snapshots of all loans (or one bank's) for the question asked.
    public func loanSnapshots(asOf: BusinessDate?, knownAt: RecordedTime?, bank: BankId? = nil) async throws -> [LoanSnapshot] {
        let snapshots: [LoanSnapshot]
        if asOf == nil && knownAt == nil {
            snapshots = try await ReadModelWriter.loadLoans(store, bank: bank).map(\.snapshot)
        } else {
            snapshots = try await fold(asOf: asOf, knownAt: knownAt).states.loanSnapshots
        }
        return bank.map { bank in snapshots.filter { $0.bankId == bank } } ?? snapshots
    }

    /// The growth report over `window` (calendar years or any run of months). The year or
    /// period containing `asOf` (default: today) is year-to-date, compared with the same
    /// span a year earlier.
    public func growth(window: MonthWindow, target: Bp = Bp(1500), by dimension: GrowthReport.Dimension? = nil,
                       regionLevel: RegionLevel = .district, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil,
                       bank: BankId? = nil) async throws -> GrowthReport {
        let cut = asOf ?? knownAt.map(BusinessDate.init(containing:)) ?? BusinessDate(containing: .now())
        return try GrowthReport.compute(try await loanSnapshots(asOf: asOf, knownAt: knownAt, bank: bank), window: window, asOf: cut,
                                        target: target, by: dimension, regionLevel: regionLevel)
    }

    public func growth(from: Int, to: Int, target: Bp = Bp(1500), by dimension: GrowthReport.Dimension? = nil,
                       asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, bank: BankId? = nil) async throws -> GrowthReport {
        try await growth(window: try MonthWindow.years(from, to), target: target, by: dimension, asOf: asOf, knownAt: knownAt, bank: bank)
    }

    /// Exposure of a fund on `asOf` (default: today in China time). With `bank`, only that
    /// bank's loans count (a bank's own slice); the fund's money is the fund's.
    public func exposure(fund id: FundId, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, topBorrowers: Int = 10, bank: BankId? = nil) async throws -> ExposureReport {
        let date = asOf ?? BusinessDate(containing: .now())
        let fund: FundState
        let loans: [LoanSnapshot]
        if asOf == nil && knownAt == nil {
            var states = AggregateStates()
            try await CommandHandler(store: store).load(.fund(id), into: &states)
            fund = states.funds[id] ?? FundState()
            loans = try await ReadModelWriter.loadLoans(store, fund: id).map(\.snapshot)
        } else {
            let folded = try await fold(asOf: date, knownAt: knownAt)
            fund = folded.states.funds[id] ?? FundState()
            loans = folded.states.loanSnapshots.filter { $0.fundId == id }
        }
        guard fund.exists else { throw DomainError(.notFound, field: "fund_id", "fund \(id) does not exist\(knownAt == nil ? "" : " at that time")") }
        var report = try ExposureReport.compute(fund: fund, loans: bank.map { bank in loans.filter { $0.bankId == bank } } ?? loans, asOf: date, topBorrowers: topBorrowers)
        // A bank's slice names no other bank.
        if let bank { report.suspendedBanks = report.suspendedBanks.filter { $0 == bank } }
        return report
    }
}

/// `reconcile projections`: the stored read models against a fresh replay of the log.
public struct ProjectionReconciliation: Sendable {
    public struct Difference: Sendable, Hashable {
        public var table: String
        public var key: String
        public var problem: String
    }

    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    public func run(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> (differences: [Difference], checked: Int, position: Int64) {
        let checkpoint = try await Projector.checkpoint(store)
        // Replay exactly as far as the read models claim to be.
        let fold = try await ReportService(store: store).fold(toPosition: checkpoint, progress: progress)
        let expected = try fold.states.rows()
        let storedLoans = Dictionary(uniqueKeysWithValues: try await ReadModelWriter.loadLoans(store).map { ($0.stream, $0) })
        let storedFunds = Dictionary(uniqueKeysWithValues: try await ReadModelWriter.loadFunds(store).map { ($0.fundId, $0) })
        var differences: [Difference] = []
        let head = try await store.head().position
        if checkpoint < head {
            differences.append(Difference(table: "projection_checkpoints", key: Projector.name, problem: "read models are at position \(checkpoint), the log at \(head) (projector behind)"))
        }
        var seen = Set<String>()
        for row in expected.loans {
            seen.insert(row.stream)
            guard let stored = storedLoans[row.stream] else {
                differences.append(Difference(table: "rm_loans", key: row.stream, problem: "missing from the read model"))
                continue
            }
            if stored.snapshotJSON != row.snapshotJSON {
                differences.append(Difference(table: "rm_loans", key: row.stream, problem: Self.describe(stored: stored.snapshotJSON, replayed: row.snapshotJSON)))
            }
        }
        for stream in storedLoans.keys.sorted() where !seen.contains(stream) {
            differences.append(Difference(table: "rm_loans", key: stream, problem: "in the read model but not in the log"))
        }
        var seenFunds = Set<String>()
        for row in expected.funds {
            seenFunds.insert(row.fundId)
            if let stored = storedFunds[row.fundId] {
                if stored != row { differences.append(Difference(table: "rm_funds", key: row.fundId, problem: "stored \(stored) ≠ replayed \(row)")) }
            } else {
                differences.append(Difference(table: "rm_funds", key: row.fundId, problem: "missing from the read model"))
            }
        }
        for id in storedFunds.keys.sorted() where !seenFunds.contains(id) {
            differences.append(Difference(table: "rm_funds", key: id, problem: "in the read model but not in the log"))
        }
        return (differences, expected.loans.count + expected.funds.count, checkpoint)
    }

    /// Names the fields that differ between two canonical JSON objects.
    static func describe(stored: String, replayed: String) -> String {
        guard case .object(let a) = try? JSONParser.parse(stored), case .object(let b) = try? JSONParser.parse(replayed) else {
            return "stored snapshot differs from the replay"
        }
        let keys = Set(a.members.map(\.key)).union(b.members.map(\.key)).sorted()
        let fields = keys.filter { a[$0] != b[$0] }.map { key in
            "\(key): stored \(a[key].map(CanonicalJSON.string) ?? "—"), replayed \(b[key].map(CanonicalJSON.string) ?? "—")"
        }
        return fields.joined(separator: "; ")
    }
}
