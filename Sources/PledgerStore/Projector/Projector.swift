import Foundation
import Logging
import Metrics
import PledgerDomain
import PostgresNIO
import Synchronization

/// Keeps the read models (`rm_loans`, `rm_funds`, and the reports' sums `rm_growth`,
/// `rm_growth_months`, `rm_exposure`) in step with the log. Per page of events it loads the
/// state of the streams the page touches as it stood before the page, folds the page, and
/// writes the rows that changed and its checkpoint in one transaction. Rows hold absolute
/// values, never increments, so a replayed page rewrites the same rows: a crash can neither
/// skip nor double-count. (The sums are added to, but in the same transaction as the
/// checkpoint they follow.)
///
/// Its memory is one page and the funds' states (a handful of streams, kept between pages);
/// a loan's or a borrower's state is read from the log when a page touches it — a loan's
/// stream is a few dozen events. On start it loads the funds up to the stored checkpoint and
/// continues from there: a restart costs the funds' stored states (`StoredStates`, which it
/// writes as their streams grow), the events after them and the events since, never a fold of
/// the whole ledger. Each batch checks, under a row lock, that the checkpoint is
/// still where this projector left it; if another projector or a rebuild moved it, this one
/// stops (`OutOfStep`) and is restarted from the stored state.
public final class Projector: Sendable {
    public static let name = "reports"

    public let store: EventStore
    let pageSize: Int
    private let reached = Mutex<Int64>(-1)
    /// The funds as they stood when `run()` last stopped, if they matched the checkpoint
    /// then: a restart after a database fault resumes from them instead of reading them again.
    private let kept = Mutex<(funds: AggregateStates, checkpoint: Int64)?>(nil)
    private let readForState = Mutex<Int>(0)
    /// The version of each fund's stored state (`StoredStates`), as of the last transaction.
    private let stored = Mutex<[FundId: Int32]>([:])
    /// Where the funds' states are handed over (on start, and after a page for a fund it lacks),
    /// so the command handler and the reports start from them instead of folding the funds'
    /// streams themselves.
    let streams: StateCache?
    /// How many events of a fund's stream pass before its state is stored again (`StoredStates`).
    let storeFundsEvery: Int32

    public convenience init(store: EventStore, pageSize: Int = 5000) { self.init(store: store, pageSize: pageSize, streams: nil) }

    init(store: EventStore, pageSize: Int = 5000, streams: StateCache?, storeFundsEvery: Int32 = StoredStates.every) {
        self.store = store
        self.pageSize = pageSize
        self.streams = streams
        self.storeFundsEvery = storeFundsEvery
    }

    /// The position the read models are known to include (−1 before the projector started).
    public var position: Int64 { reached.withLock { $0 } }

    /// How many events this projector has read back from the log to recover states (the
    /// funds at start, and the earlier events of the streams each page touches) — what a
    /// restart costs beyond the new events themselves.
    public var eventsReadForState: Int { readForState.withLock { $0 } }

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
        var (checkpoint, funds) = try await restore()
        // A page folded but not written leaves the funds ahead of the checkpoint: not kept.
        var consistent = true
        defer { if consistent { kept.withLock { $0 = (funds, checkpoint) } } }
        try await store.follow(after: checkpoint, pageSize: pageSize) { page in
            consistent = false
            checkpoint = try await self.project(page, after: checkpoint, funds: &funds)
            consistent = true
        }
    }

    /// Projects everything up to the current head, then returns the position reached.
    /// Cancelled, it stops at the latest before the next page: a page is written whole with its
    /// checkpoint, or not at all.
    @discardableResult
    public func catchUp(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Int64 {
        var (cursor, funds) = try await restore()
        let head = try await store.head().position
        while true {
            try Task.checkCancellation()
            let page = try await store.read(after: cursor, limit: pageSize)
            guard !page.isEmpty else { return cursor }
            cursor = try await project(page, after: cursor, funds: &funds)
            progress(cursor, head)
        }
    }

    /// How many loans a rebuild folds and writes at a time, by default.
    public static let loansPerGroup = 20_000

    /// Recomputes the read models from position 1 and replaces every row and the checkpoint
    /// in one transaction (`ReadModelWriter.replaceAll`, `pageSize` loans per statement).
    /// It folds only the streams the read models are made of: the funds', then the loans'
    /// and borrowers' a group of borrowers at a time (`BorrowerGroups`, about `loansPerGroup`
    /// loans each, read once into files by borrower: `SpilledGroups`), each group's rows
    /// written before the next is held — so it holds the funds' states and two groups', not
    /// every loan's. A log that does not name those streams plainly, or a machine without
    /// libpq, is folded whole, in memory
    /// (`progress`: the events folded then; a rebuild by groups reports its steps instead).
    /// Readers see the old tables until it commits, never a half-built one; a projector running
    /// meanwhile finds the checkpoint moved and restarts from it.
    @discardableResult
    public func rebuild(
        loansPerGroup: Int = Projector.loansPerGroup, progress: (Int64, Int64) -> Void = { _, _ in },
        stage: @Sendable (RebuildStage) -> Void = { _ in }
    ) async throws -> Int64 {
        let last = try await store.head().position
        stage(.funds)
        do {
            // The files are written from binary `COPY` (libpq); without it, the whole fold reads
            // through the pool.
            if LogCopy.isAvailable, let spilled = try await SpilledGroups.write(store, through: last, loansPerGroup: loansPerGroup) {
                defer { spilled.remove() }
                return try await rebuild(spilled, through: last, stage: stage)
            }
        } catch {
            // Thrown while the log was read into files, or inside the transaction, which rolled back.
            guard let misplaced = StoreError.wrap(error) as? BorrowerGroups.Misplaced else { throw error }
            store.logger.notice("rebuilding from the whole log in memory: \(misplaced)")
        }
        // Only the rows and the funds outlive the fold (its loans' states are most of its memory),
        // and it is freed before the rows are written: freed beside the writing (on another
        // thread) it raised the rebuild's peak by 20-30 MiB at --scale 1400.
        let (rows, states, versions) = try await { [store] in
            let fold = try await store.replay(toPosition: last, reading: .copy, progress: progress)
            stage(.rows)
            return (try await fold.states.allRows(), fold.states.funds, Self.fundVersions(fold.states))
        }()
        return try await replaceAll(
            { write in
                stage(.newRows)
                try await write(rows.loans)
            }, funds: states, rows: rows.funds, versions: versions, through: last, stage: stage)
    }

    /// The rebuild a group at a time: the loans' and borrowers' events read once into a file
    /// per bucket and the funds' folded in the same read (`SpilledGroups`), then each group
    /// folded from its buckets' files. The next group is folded while one is written: the two
    /// hold the client's cores and PostgreSQL's in turn.
    private func rebuild(
        _ spilled: SpilledGroups, through last: Int64, stage: @Sendable (RebuildStage) -> Void
    ) async throws -> Int64 {
        let groups = spilled.groups
        @Sendable func rows(of group: Int) async throws -> [LoanRow] {
            let states = try await spilled.fold(group: group).states
            let rows = try await states.allRows().loans
            try groups.check(rows, borrowers: states.borrowers.keys, group: group)
            return rows
        }
        let first = Task { try await rows(of: 0) }
        defer { first.cancel() }
        let funds = spilled.funds
        return try await replaceAll(
            { write in
                var next: Task<[LoanRow], any Error>? = first
                for group in 0..<groups.count {
                    stage(.group(group + 1, of: groups.count))
                    let current = try await next!.value
                    next = group + 1 < groups.count ? Task { try await rows(of: group + 1) } : nil
                    do { try await write(current) } catch {
                        next?.cancel()
                        throw error
                    }
                }
            }, funds: funds.funds, rows: try funds.rows(loans: []).funds, versions: Self.fundVersions(funds), through: last, stage: stage)
    }

    /// What a rebuild is doing, for an operator watching a national ledger's rebuild.
    /// Each `text` reads after "rebuilding: " on one terminal line.
    public enum RebuildStage: Sendable, Equatable {
        case funds
        case group(Int, of: Int)
        case rows
        case newRows
        case replacing
        case storingFunds
        case committing

        public var text: String {
            switch self {
            case .funds: "reading the funds' streams, and the loans' and borrowers' into files by borrower"
            case .group(let group, let count): "folding and writing the borrowers of group \(group) of \(count)"
            case .rows: "making each loan's row"
            case .newRows: "writing the new rows beside the tables"
            case .replacing: "making the tables equal to the new rows"
            case .storingFunds: "writing the funds' stored states"
            case .committing: "committing"
            }
        }
    }

    /// A rebuild from states the caller holds as the fold of the whole log through `position`,
    /// without reading the log back: `pledger demo`, which decided every event of an empty
    /// ledger in memory. States that are not that fold make read models that `reconcile
    /// projections` finds wrong, so a caller that cannot be sure calls `rebuild()`.
    @discardableResult
    public func rebuild(
        from states: consuming AggregateStates, through position: Int64, stage: @Sendable (RebuildStage) -> Void = { _ in }
    ) async throws -> Int64 {
        stage(.rows)
        let (rows, funds, versions) = (try await states.allRows(), states.funds, Self.fundVersions(states))
        _ = consume states
        return try await replaceAll(
            { write in
                stage(.newRows)
                try await write(rows.loans)
            }, funds: funds, rows: rows.funds, versions: versions, through: position, stage: stage)
    }

    private static func fundVersions(_ states: AggregateStates) -> [FundId: Int32] {
        states.funds.keys.reduce(into: [:]) { versions, id in versions[id] = states.versions[.fund(id)] }
    }

    /// Every row, and every fund's stored state (`StoredStates`) at its version — the states
    /// written only when they differ from those stored (`StoredStates.storedAlready`).
    private func replaceAll(
        _ loans: @Sendable (_ each: ([LoanRow]) async throws -> Void) async throws -> Void, funds: [FundId: FundState], rows: [FundRow],
        versions: [FundId: Int32], through position: Int64, stage: @Sendable (RebuildStage) -> Void
    ) async throws -> Int64 {
        let states = funds.compactMap { id, state in versions[id].map { (id, state, $0) } }
        let storing = try await store.client.withTransaction(logger: store.logger) { connection in
            // The funds' states are encoded while PostgreSQL replaces the tables: a national
            // fund's state alone kept one core busy for two seconds at --scale 1400, the other
            // idle, when it was encoded first.
            let storing = try await ReadModelWriter.replaceAll(
                loans: loans, funds: rows, funds: funds, position: position, chunk: self.pageSize, on: connection, of: self.store,
                logger: self.store.logger,
                stage: stage
            ) { try await StoredStates.Parts(states) }
            stage(.storingFunds)
            if try await !StoredStates.storedAlready(storing, on: connection, logger: self.store.logger) {
                try await connection.query("DELETE FROM stream_states", logger: self.store.logger)
                try await StoredStates.write(storing, on: connection, logger: self.store.logger)
            }
            stage(.committing)
            return storing
        }
        stored.withLock { $0 = storing.versions }
        reached.withLock { $0 = position }
        return position
    }

    /// The stored checkpoint, and the funds' states up to it: those kept from the last run
    /// if they match it, else read from their streams (the funds `rm_funds` lists, read in the
    /// same statement as the checkpoint, so the two agree).
    private func restore() async throws -> (checkpoint: Int64, funds: AggregateStates) {
        let (checkpoint, ids) = try await store.withConnection("projector checkpoint") { connection in
            let rows = try await connection.query(
                """
                SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = \(Self.name)), 0),
                       array(SELECT fund_id FROM rm_funds ORDER BY fund_id)
                """, logger: self.store.logger)
            for try await row in rows.decode((Int64, [String]).self) { return row }
            return (0, [])
        }
        reached.withLock { $0 = checkpoint }
        let storedVersions = try await store.withConnection("stored states") {
            try await StoredStates.versions(on: $0, logger: self.store.logger)
        }
        stored.withLock { $0 = storedVersions }
        if let memory = kept.withLock({ state in
            defer { state = nil }
            return state
        }), memory.checkpoint == checkpoint {
            return (checkpoint, memory.funds)
        }
        var funds = AggregateStates()
        let refs = try ids.map { StreamRef.fund(try FundId($0)) }
        if let streams {
            // Through the process's cache, all at once: a report or a command asking for a fund
            // meanwhile waits for these reads rather than making its own. (A fund the cache
            // holds already may be past the checkpoint: read again.)
            let read = try await withThrowingTaskGroup(of: (StreamRef, AggregateStates.Entry?).self) { group in
                for ref in refs {
                    group.addTask { [store] in
                        (ref, streams.get(ref) == nil ? try await streams.firstRead(ref, through: checkpoint, from: store) : nil)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for ref in refs {
                if let entry = read[ref] ?? nil {
                    funds.restore(ref, entry)
                } else {
                    try await store.load(ref, through: checkpoint, into: &funds)
                }
            }
        } else {
            for ref in refs { try await store.load(ref, through: checkpoint, into: &funds) }
        }
        readForState.withLock { $0 += funds.versions.values.reduce(0) { $0 + Int($1) } }
        handOver(funds)
        Heap.returnFreePages()
        return (checkpoint, funds)
    }

    /// Offers the funds' states, as written, to the process's other readers of streams — with
    /// `missingOnly`, only those the cache does not hold. A state handed over is shared until
    /// one side changes it, and then copied whole (a national fund's: tens of MiB): after each
    /// page only a fund the cache lacks (a new one, or one it dropped) is worth that.
    private func handOver(_ funds: AggregateStates, missingOnly: Bool = false) {
        guard let streams else { return }
        for id in funds.funds.keys where !missingOnly || streams.get(.fund(id)) == nil {
            streams.offer(.fund(id), funds.entry(.fund(id)))
        }
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

    /// What a page changes, folded: the states of its loans and their borrowers (read from the
    /// log as they stood before the page, then the page applied), and the funds brought
    /// forward in place.
    struct PageFold {
        var states = AggregateStates()
        var loans = Set<LoanKey>()
        var funds = Set<FundId>()
        /// What the exposure parts read of a fund, as it stood before the page.
        var fundsBefore: [FundId: (committed: [Uscc: Money], policies: Int)] = [:]
        var eventsRead = 0
    }

    private func fold(_ page: [StoredEvent], after previous: Int64, funds: inout AggregateStates) async throws -> PageFold {
        var fold = PageFold()
        var byStream: [String: [RecordedEvent]] = [:]
        for stored in page { byStream[stored.envelope.stream, default: []].append(try RecordedEvent(stored.envelope)) }
        var refs: [String: StreamRef] = [:]
        // The streams this page did not found: their earlier events, up to the page.
        func load(_ names: [String]) async throws {
            let earlier = names.filter { name in byStream[name]?.first.map { $0.version > 1 } ?? true }
            guard !earlier.isEmpty else { return }
            let loaded = try await store.load(streams: earlier, through: previous, into: &fold.states)
            fold.eventsRead += loaded.values.reduce(0) { $0 + Int(fold.states.versions[$1] ?? 0) }
            refs.merge(loaded) { $1 }
        }
        func applyPage(_ name: String, to states: inout AggregateStates) {
            for recorded in byStream[name] ?? [] {
                guard let ref = refs[name] ?? StreamRef(founding: recorded.event) else { continue }
                refs[name] = ref
                states.apply(recorded, to: ref)
            }
        }

        let loanNames = byStream.keys.filter(Streams.isLoan)
        try await load(loanNames)
        for name in loanNames {
            applyPage(name, to: &fold.states)
            if case .loan(let key) = refs[name] { fold.loans.insert(key) }
        }
        let borrowers = Set(fold.loans.compactMap { fold.states.loans[$0]?.origination?.borrower }).map(Streams.borrower)
        try await load(borrowers)
        for name in borrowers { applyPage(name, to: &fold.states) }

        for id in funds.funds.keys { refs[Streams.fund(id)] = .fund(id) }
        for name in byStream.keys where Streams.isFund(name) {
            if case .fund(let id) = refs[name], let state = funds.funds[id] {
                fold.fundsBefore[id] = (state.committedByBorrower, state.policies.count)
            }
            applyPage(name, to: &funds)
            if case .fund(let id) = refs[name] { fold.funds.insert(id) }
        }
        fold.states.funds = funds.funds
        return fold
    }

    /// Folds a page and writes what changed; returns the new checkpoint.
    private func project(_ page: [StoredEvent], after previous: Int64, funds: inout AggregateStates) async throws -> Int64 {
        let started = ContinuousClock.now
        let fold = try await self.fold(page, after: previous, funds: &funds)
        readForState.withLock { $0 += fold.eventsRead }
        let rows = try fold.states.rows(loans: fold.loans, funds: fold.funds)
        let exposure = Self.exposureChanges(rows.loans, funds: fold.funds, before: fold.fundsBefore, states: fold.states)
        let last = page.last!.position
        // Funds whose stream went `storeFundsEvery` events past its stored state: stored again.
        let storedVersions = stored.withLock { $0 }
        let storing = try await StoredStates.Parts(
            fold.funds.sorted { $0.value < $1.value }.compactMap { id in
                guard let state = funds.funds[id], let version = funds.versions[.fund(id)],
                    version - (storedVersions[id] ?? 0) >= storeFundsEvery
                else { return nil }
                return (id, state, version)
            })
        try await store.withTransaction("read-model batch") { connection in
            try await ReadModelWriter.upsert(
                rows.loans, rows.funds, exposure: exposure, from: previous, to: last, on: connection, logger: self.store.logger)
            try await StoredStates.write(storing, on: connection, logger: self.store.logger)
        }
        if !storing.isEmpty { stored.withLock { $0.merge(storing.versions) { $1 } } }
        reached.withLock { $0 = last }
        if !fold.funds.isEmpty { handOver(funds, missingOnly: true) }
        // Per committed batch: how many events it took in and how long folding and writing took.
        Recorder(label: "pledger_projector_batch_events").record(page.count)
        Metrics.Timer(label: "pledger_projector_batch_duration_seconds").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return last
    }
}
