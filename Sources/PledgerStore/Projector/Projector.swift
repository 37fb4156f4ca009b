import Foundation
import Logging
import Metrics
import PledgerDomain
import PostgresNIO
import Synchronization

/// Keeps the read models (`rm_loans`, `rm_funds`, and the reports' sums `rm_growth`,
/// `rm_growth_months`, `rm_exposure`) in step with the log. It folds every
/// event into in-memory state and, per page of events, writes the rows that changed and
/// its checkpoint in one transaction. Rows hold absolute values, never increments, so a
/// replayed page rewrites the same rows: a crash can neither skip nor double-count. (The
/// sums are added to, but in the same transaction as the checkpoint they follow.)
///
/// On start it folds the log up to the stored checkpoint without writing (rebuilding its
/// memory), then continues from there. Each batch checks, under a row lock, that the
/// checkpoint is still where this projector left it; if another projector or a rebuild
/// moved it, this one stops (`OutOfStep`) and is restarted from the stored state.
public final class Projector: Sendable {
    public static let name = "reports"

    public let store: EventStore
    let pageSize: Int
    private let reached = Mutex<Int64>(-1)
    /// The fold as it stood when `run()` last stopped, if it matched the checkpoint then: a
    /// restart after a database fault resumes from it instead of folding the log again.
    private let kept = Mutex<(fold: LedgerFold, checkpoint: Int64)?>(nil)

    public init(store: EventStore, pageSize: Int = 5000) {
        self.store = store
        self.pageSize = pageSize
    }

    /// The position the read models are known to include (−1 before the projector started).
    public var position: Int64 { reached.withLock { $0 } }

    /// Follows the log until cancelled, starting again a second after a failure (the database
    /// restarting, a lost connection, another projector moving the checkpoint); `onFailure`
    /// hears of each. What was folded is kept across restarts when the checkpoint allows.
    public func runRestarting(onFailure: @Sendable (any Error) -> Void) async throws {
        while true {
            do {
                try await run()
                return
            } catch {
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                onFailure(StoreError.wrap(error))
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Follows the log until cancelled.
    public func run() async throws {
        var fold = LedgerFold()
        var checkpoint: Int64
        let stored = try await Self.checkpoint(store)
        if let memory = kept.withLock({ state in
            defer { state = nil }
            return state
        }), memory.checkpoint == stored {
            (fold, checkpoint) = (memory.fold, stored)
            reached.withLock { $0 = stored }
        } else {
            checkpoint = try await restore(into: &fold)
        }
        // A page folded but not written leaves the fold ahead of the checkpoint: not kept.
        var consistent = true
        defer { if consistent { kept.withLock { $0 = (fold, checkpoint) } } }
        try await store.follow(after: checkpoint, pageSize: pageSize) { page in
            consistent = false
            checkpoint = try await self.project(page, after: checkpoint, into: &fold)
            consistent = true
        }
    }

    /// Projects everything up to the current head, then returns the position reached.
    @discardableResult
    public func catchUp(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Int64 {
        var fold = LedgerFold()
        var cursor = try await restore(into: &fold)
        let head = try await store.head().position
        while true {
            let page = try await store.read(after: cursor, limit: pageSize)
            guard !page.isEmpty else { return cursor }
            cursor = try await project(page, after: cursor, into: &fold)
            progress(cursor, head)
        }
    }

    /// Recomputes the read models from position 1: folds the whole log in memory, then
    /// replaces every row and the checkpoint in one transaction. Readers see the old tables
    /// until it commits, never a half-built one; a projector running meanwhile finds the
    /// checkpoint moved and restarts from it.
    @discardableResult
    public func rebuild(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Int64 {
        let fold = try await store.replay(progress: progress)
        let rows = try fold.states.rows()
        let position = fold.lastPosition
        try await store.client.withTransaction(logger: store.logger) { connection in
            try await ReadModelWriter.lockCheckpoint(expecting: nil, on: connection, logger: self.store.logger)
            try await connection.query("DELETE FROM rm_loans", logger: self.store.logger)
            try await connection.query("DELETE FROM rm_funds", logger: self.store.logger)
            try await connection.query("DELETE FROM rm_growth", logger: self.store.logger)
            try await connection.query("DELETE FROM rm_growth_months", logger: self.store.logger)
            try await connection.query("DELETE FROM rm_exposure", logger: self.store.logger)
            let exposure = ExposureTable.Changes(everyBorrower: Set(fold.states.funds.keys), funds: fold.states.funds)
            try await ReadModelWriter.upsert(
                rows.loans, rows.funds, exposure: exposure, from: nil, to: position, on: connection, logger: self.store.logger)
        }
        reached.withLock { $0 = position }
        return position
    }

    /// The stored checkpoint, and the in-memory state folded up to it.
    private func restore(into fold: inout LedgerFold) async throws -> Int64 {
        let checkpoint = try await Self.checkpoint(store)
        fold = try await store.replay(toPosition: checkpoint)
        reached.withLock { $0 = checkpoint }
        return checkpoint
    }

    public static func checkpoint(_ store: EventStore) async throws -> Int64 {
        try await store.withConnection(#function) { connection in
            let rows = try await connection.query("SELECT position FROM projection_checkpoints WHERE name = \(name)", logger: store.logger)
            for try await position in rows.decode(Int64.self) { return position }
            return 0
        }
    }

    /// The borrowers whose exposure parts a page changes: those of its loans enrolled in a
    /// fund, those whose committed compensation moved, and every borrower of a fund whose
    /// policies changed (or that the page established).
    static func exposureChanges(
        _ loans: [LoanRow], funds: Set<FundId>, before: [FundId: (committed: [Uscc: Money], policies: Int)], states: AggregateStates
    ) -> ExposureTable.Changes {
        var changes = ExposureTable.Changes()
        for loan in loans {
            if let fund = loan.snapshot.fundId { changes.borrowers[fund, default: []].insert(loan.snapshot.borrower) }
        }
        for id in funds {
            guard let after = states.funds[id] else { continue }
            guard let earlier = before[id], earlier.policies == after.policies.count else {
                changes.everyBorrower.insert(id)
                continue
            }
            for borrower in Set(earlier.committed.keys).union(after.committedByBorrower.keys)
            where earlier.committed[borrower] != after.committedByBorrower[borrower] {
                changes.borrowers[id, default: []].insert(borrower)
            }
        }
        for id in Set(changes.borrowers.keys).union(changes.everyBorrower) { changes.funds[id] = states.funds[id] }
        return changes
    }

    /// Folds a page and writes what changed; returns the new checkpoint.
    private func project(_ page: [StoredEvent], after previous: Int64, into fold: inout LedgerFold) async throws -> Int64 {
        let started = ContinuousClock.now
        var loans = Set<LoanKey>()
        var funds = Set<FundId>()
        // What the exposure parts read of a fund, as it stood before the page.
        var fundsBefore: [FundId: (committed: [Uscc: Money], policies: Int)] = [:]
        for stored in page {
            let recorded = try RecordedEvent(stored.envelope)
            if case .fund(let id) = fold.ref(of: recorded.stream), fundsBefore[id] == nil, let state = fold.states.funds[id] {
                fundsBefore[id] = (state.committedByBorrower, state.policies.count)
            }
            fold.apply(recorded)
            switch fold.ref(of: recorded.stream) {
            case .loan(let key): loans.insert(key)
            case .fund(let id): funds.insert(id)
            default: break
            }
        }
        let rows = try fold.states.rows(loans: loans, funds: funds)
        let exposure = Self.exposureChanges(rows.loans, funds: funds, before: fundsBefore, states: fold.states)
        let last = page.last!.position
        try await store.withTransaction("read-model batch") { connection in
            try await ReadModelWriter.upsert(
                rows.loans, rows.funds, exposure: exposure, from: previous, to: last, on: connection, logger: self.store.logger)
        }
        reached.withLock { $0 = last }
        // Per committed batch: how many events it took in and how long folding and writing took.
        Recorder(label: "pledger_projector_batch_events").record(page.count)
        Metrics.Timer(label: "pledger_projector_batch_duration_seconds").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return last
    }
}
