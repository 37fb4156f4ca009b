import Foundation
import PledgerDomain
import PostgresNIO

/// Answers report questions. The current view (no `asOf`, no `knownAt`) reads the read
/// models, and so does growth as of a past date; a bank's past view reads the bank's streams,
/// and a fund's exposure the fund's (`PastView`); any other past view folds the log, up to
/// `knownAt` and as of `asOf`.
/// Each kind waits at its gate (`ReportGates`).
public struct ReportService: Sendable {
    public let store: EventStore
    public let gates: ReportGates
    /// Funds' states as last read, so the current view reads only what a fund's stream
    /// gained since (a fund's stream grows with every enrolment and claim): the process's
    /// cache on the primary, shared with the command handler and the projector.
    let funds: StateCache
    /// Schemes and their loans, for the current views of risk sharing and exposure.
    let schemeStreams = FollowedStreams()
    /// Reports read from the read models and the log, kept with the positions they were
    /// computed at: a dashboard asking the same question again before anything was written or
    /// projected gets the same answer without the queries.
    let answers = Memo<Positions>()
    /// The positions the reports asked at the same time are stamped with, read once for them.
    let positions: SharedRead<Bool, Positions>

    /// What a current view is computed from: the head of the log (position and hash: a
    /// promoted standby may reach the same position with other events) and the read models'
    /// checkpoint (position and time written: a rebuild rewrites it at the same position).
    struct Positions: Hashable, Sendable {
        let head: Int64, headHash: [UInt8], checkpoint: Int64, checkpointWritten: Int64

        /// All four, read in one prepared statement (asked on every report: parsed and planned
        /// once per connection).
        static func now(_ store: EventStore) async throws -> Positions {
            try await store.withConnection("report positions") { connection in
                for try await positions in try await connection.execute(Query(), logger: store.logger) { return positions }
                throw StoreError.notMigrated
            }
        }

        struct Query: PostgresPreparedStatement {
            static let sql = """
                SELECT h.position, h.hash, coalesce(c.position, 0), coalesce((extract(epoch FROM c.updated_at) * 1000000)::int8, 0)
                FROM ledger_head h LEFT JOIN projection_checkpoints c ON c.name = $1
                """
            func makeBindings() throws -> PostgresBindings {
                var bindings = PostgresBindings(capacity: 1)
                bindings.append(Projector.name)
                return bindings
            }
            func decodeRow(_ row: PostgresRow) throws -> Positions {
                let (head, hash, checkpoint, written) = try row.decode((Int64, ByteBuffer, Int64, Int64).self)
                return Positions(head: head, headHash: Array(hash.readableBytesView), checkpoint: checkpoint, checkpointWritten: written)
            }
        }
    }

    /// A read of the stamp begun as a request arrived, before its caller's token was looked
    /// up: a current view then waits for the later of two round trips, not for both in a row.
    /// It is read after the request arrived, like any stamp; it counts only for the service
    /// whose positions it read (a read sent to the replica asks the replica's).
    struct EarlyStamp: Sendable {
        let positions: SharedRead<Bool, Positions>
        let read: Task<Positions, any Error>
    }
    @TaskLocal static var earlyStamp: EarlyStamp?

    /// Runs `body` (a request's handling, authentication included) with this service's stamp
    /// being read meanwhile; a current view asked in it takes that stamp.
    public func readingStamp<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        let read = Task { [positions] in try await positions.value() }
        defer { read.cancel() }
        return try await Self.$earlyStamp.withValue(EarlyStamp(positions: positions, read: read), operation: body)
    }

    /// The positions a current view asked now is stamped with.
    func stamp() async throws -> Positions {
        if let early = Self.earlyStamp, early.positions === positions {
            // Its own task: the request's cancellation is passed on, as to a read asked here.
            return try await withTaskCancellationHandler {
                try await early.read.value
            } onCancel: {
                early.read.cancel()
            }
        }
        return try await positions.value()
    }

    /// `gates`: one set per process, shared by every service in it (the primary's and the
    /// replica's), since the reports' memory and the pool are the process's.
    public init(store: EventStore, gates: ReportGates = ReportGates()) {
        self.init(store: store, gates: gates, streams: StateCache(capacity: 64))
    }

    init(store: EventStore, gates: ReportGates, streams: StateCache) {
        self.store = store
        self.gates = gates
        funds = streams
        positions = SharedRead { try await Positions.now(store) }
    }

    private func fold(asOf: BusinessDate?, knownAt: RecordedTime?) async throws -> LedgerFold {
        try await gates.pastViews.run {
            defer { Heap.returnFreePages() }
            return try await store.replay(asOf: asOf, knownAt: knownAt)
        }
    }

    /// Snapshots of all loans (or one bank's) for the question asked.
    public func loanSnapshots(asOf: BusinessDate?, knownAt: RecordedTime?, bank: BankId? = nil) async throws -> [LoanSnapshot] {
        let snapshots: [LoanSnapshot]
        if asOf == nil && knownAt == nil {
            snapshots = try await gates.currentViews.run { try await ReadModelWriter.loadLoans(store, bank: bank).map(\.snapshot) }
        } else if let bank {
            snapshots = try await pastView(of: .bank(bank), asOf: asOf, knownAt: knownAt).states.loanSnapshots
        } else {
            snapshots = try await fold(asOf: asOf, knownAt: knownAt).states.loanSnapshots
        }
        return bank.map { bank in snapshots.filter { $0.bankId == bank } } ?? snapshots
    }

    /// A report and, when it is a current view kept in `answers`, the question and stamp it is
    /// kept under, so its renderings can be kept beside it (`rendered`).
    struct Answer<Report: Sendable>: Sendable {
        let report: Report
        var kept: (question: String, stamp: Positions)? = nil
    }

    /// `answer.report` rendered by `render` (a response body: JSON, CSV). A kept answer's
    /// rendering is kept beside it under `form`, so a dashboard asking the same question again
    /// is given the same bytes without encoding them again.
    private func rendered<Report: Sendable, Rendering: Sendable>(
        _ answer: Answer<Report>, as form: String, _ render: @escaping @Sendable (Report) throws -> Rendering
    ) async throws -> Rendering {
        guard let kept = answer.kept else { return try render(answer.report) }
        return try await answers.value("\(kept.question) as \(form)", at: kept.stamp) { try render(answer.report) }
    }

    /// The growth report over `window` (calendar years or any run of months). The year or
    /// period containing `asOf` (default: today) is year-to-date, compared with the same
    /// span a year earlier.
    public func growth(
        window: MonthWindow, target: Bp = Bp(1500), by dimension: GrowthReport.Dimension? = nil,
        regionLevel: RegionLevel = .district, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil,
        bank: BankId? = nil
    ) async throws -> GrowthReport {
        try await growthAnswer(
            window: window, target: target, by: dimension, regionLevel: regionLevel, asOf: asOf, knownAt: knownAt, bank: bank
        ).report
    }

    /// The growth report as `render` makes it (`form` names the rendering), kept beside the
    /// report when the report is kept (see `rendered`).
    public func growth<Rendering: Sendable>(
        window: MonthWindow, target: Bp = Bp(1500), by dimension: GrowthReport.Dimension? = nil,
        regionLevel: RegionLevel = .district, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil,
        bank: BankId? = nil, as form: String, _ render: @escaping @Sendable (GrowthReport) throws -> Rendering
    ) async throws -> Rendering {
        try await rendered(
            try await growthAnswer(
                window: window, target: target, by: dimension, regionLevel: regionLevel, asOf: asOf, knownAt: knownAt, bank: bank),
            as: form, render)
    }

    private func growthAnswer(
        window: MonthWindow, target: Bp, by dimension: GrowthReport.Dimension?, regionLevel: RegionLevel, asOf: BusinessDate?,
        knownAt: RecordedTime?, bank: BankId?
    ) async throws -> Answer<GrowthReport> {
        let cut = asOf ?? knownAt.map(BusinessDate.init(containing:)) ?? BusinessDate(containing: .now())
        let summed = knownAt == nil && dimension != .scheme
        if summed, asOf == nil ? true : try await sumsReachHead(within: .seconds(1)) {
            // The projector's sums, a few rows per month and slice value. They answer a past
            // `as_of` too: what growth counts of a loan (made when, how much, which bank,
            // borrower and kinds, whether enrolled or cancelled) is known from its origination
            // on, and a cancellation corrects every date. Only the scheme a loan was enrolled
            // under has a date of its own, so by scheme a past view folds the log. A past view
            // counts everything known when it is asked: it waits (a second at most) for the
            // projector to reach the head, else folds the log.
            let series = [GrowthReport.Series.total] + (dimension.map { [GrowthReport.Series($0, regionLevel: regionLevel)] } ?? [])
            let question =
                "growth \(bank?.value ?? "*") \(series.map(\.description).joined(separator: ",")) \(window) \(cut) \(target.value) \(regionLevel)"
            let stamp = try await stamp()
            let report = try await answers.value(question, at: stamp) {
                let cells = try await store.withConnection("growth sums") { connection in
                    try await GrowthTable.cells(
                        scope: bank?.value ?? GrowthEntry.allBanks, series: series, window: window, asOf: cut, on: connection,
                        logger: store.logger)
                }
                return try GrowthReport.compute(
                    cells: cells, window: window, asOf: cut, target: target, by: dimension, regionLevel: regionLevel)
            }
            return Answer(report: report, kept: (question, stamp))
        }
        return Answer(
            report: try GrowthReport.compute(
                try await loanSnapshots(asOf: asOf, knownAt: knownAt, bank: bank), window: window, asOf: cut,
                target: target, by: dimension, regionLevel: regionLevel))
    }

    public func growth(
        from: Int, to: Int, target: Bp = Bp(1500), by dimension: GrowthReport.Dimension? = nil,
        asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, bank: BankId? = nil
    ) async throws -> GrowthReport {
        try await growth(window: try MonthWindow.years(from, to), target: target, by: dimension, asOf: asOf, knownAt: knownAt, bank: bank)
    }

    /// Whether the read models reach the head of the log as it is now, waiting up to `limit`
    /// for the projector (no projector runs in a CLI process: then false after the wait).
    func sumsReachHead(within limit: Duration) async throws -> Bool {
        let head = try await store.head().position
        let deadline = ContinuousClock.now + limit
        while true {
            if try await Projector.checkpoint(store) >= head { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The risk-sharing table of one scheme, now: computed once from its stream and its loans'
    /// streams (waiting at the current views' gate), then kept and brought forward by the loans
    /// changed since (`FollowedStreams.derived`).
    public func riskSharing(scheme id: SchemeId) async throws -> RiskSharingReport {
        let date = BusinessDate(containing: .now())
        try await schemeStreams.forward(from: store)
        let tables = try await schemeStreams.derived("risk-sharing \(id) \(date)") {
            try await gates.currentViews.run {
                let scheme = try await schemeStreams.states(of: [.scheme(id)], from: store).schemes[id] ?? SchemeState()
                guard scheme.exists else { throw DomainError(.notFound, field: "scheme_id", "scheme \(id) does not exist") }
                let states = try await schemeStreams.states(of: scheme.loanOrder.map(StreamRef.loan), from: store)
                return [
                    try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.lazy.compactMap { states.loans[$0] }, asOf: date)
                ]
            }
        } update: { tables, changed, schemes in
            try Self.bringForward(tables, by: changed, schemes: schemes, bank: nil, asOf: date)
        }
        return tables[0]
    }

    /// An insurer's policies as they stood on `asOf` (default: today), each with its claims
    /// and where it stands: the insurer's book, then its policies' loans a thousand to a query,
    /// so the cost is the insurer's policies. Nil when the ledger has no policy of the insurer at
    /// all; empty when it has none yet on `asOf`.
    public func policies(of insurer: InsurerId, asOf: BusinessDate? = nil) async throws -> [PolicyPosition]? {
        let date = asOf ?? BusinessDate(containing: .now())
        return try await gates.currentViews.run {
            guard try await store.versions(of: [StreamRef.insurer(insurer).name])[StreamRef.insurer(insurer).name] ?? 0 > 0 else {
                return nil
            }
            // The book and its loans up to one position, as one fold of the log would see them.
            let position = try await store.head().position
            var states = AggregateStates()
            try await store.load(.insurer(insurer), through: position, asOf: date, into: &states)
            let book = states.insurers[insurer] ?? InsurerBookState()
            _ = try await store.load(
                streams: Set(book.inOrder.map { StreamRef.loan($0.loan).name }), through: position, asOf: date, into: &states)
            return PolicyPosition.positions(book, loans: states.loans, asOf: date)
        }
    }

    /// The shares of recoveries the banks owe the funds on `asOf` (one fund's, or every
    /// fund's): the loans with a recovery received (found through an index, sql/014) and their
    /// funds, each folded as of the date — what a fold of the whole log gives them, at the cost
    /// of the loans in recovery, however long the log.
    public func recoveriesDue(asOf: BusinessDate, fund: FundId? = nil) async throws -> RecoveriesDue {
        try await gates.pastViews.run {
            let head = try await store.head().position
            var states = AggregateStates()
            let recovered = try await store.streams(withEventOf: RecoveryReceived.type, through: head)
            _ = try await store.load(streams: recovered, through: head, asOf: asOf, into: &states)
            let funds = Set(states.loans.values.compactMap { $0.origination?.fundId }).filter { fund == nil || $0 == fund }
            for id in funds.sorted() { try await store.load(.fund(id), through: head, asOf: asOf, into: &states) }
            return try RecoveriesDue.compute(states, asOf: asOf, fund: fund)
        }
    }

    /// A subsidy programme's budget, committed and paid, by firm and year: its own stream.
    public func subsidies(programme id: SubsidyProgrammeId) async throws -> SubsidyReport {
        let state = try await store.state(of: .subsidy(id)).subsidies[id] ?? SubsidyState()
        guard state.exists else { throw DomainError(.notFound, field: "programme_id", "subsidy programme \(id) does not exist") }
        return try SubsidyReport.compute(state)
    }

    /// Exposure of a fund on `asOf` (default: today in China time). With `bank`, only that
    /// bank's loans count (a bank's own slice); the fund's money is the fund's.
    public func exposure(
        fund id: FundId, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, topBorrowers: Int = 10, bank: BankId? = nil
    ) async throws -> ExposureReport {
        try await exposureAnswer(fund: id, asOf: asOf, knownAt: knownAt, topBorrowers: topBorrowers, bank: bank).report
    }

    /// The exposure report as `render` makes it (`form` names the rendering), kept beside the
    /// report when the report is kept (see `rendered`).
    public func exposure<Rendering: Sendable>(
        fund id: FundId, asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, topBorrowers: Int = 10, bank: BankId? = nil,
        as form: String, _ render: @escaping @Sendable (ExposureReport) throws -> Rendering
    ) async throws -> Rendering {
        try await rendered(
            try await exposureAnswer(fund: id, asOf: asOf, knownAt: knownAt, topBorrowers: topBorrowers, bank: bank), as: form, render)
    }

    private func exposureAnswer(
        fund id: FundId, asOf: BusinessDate?, knownAt: RecordedTime?, topBorrowers: Int, bank: BankId?
    ) async throws -> Answer<ExposureReport> {
        let date = asOf ?? BusinessDate(containing: .now())
        if asOf == nil && knownAt == nil {
            let question = "exposure \(id) \(bank?.value ?? "*") \(date) \(topBorrowers)"
            let stamp = try await stamp()
            let report = try await answers.value(question, at: stamp) {
                Self.slice(try await currentExposure(fund: id, on: date, topBorrowers: topBorrowers, bank: bank), for: bank)
            }
            return Answer(report: report, kept: (question, stamp))
        } else {
            // A bank's slice reads the bank's streams; the whole fund, the fund's.
            let past = try await pastView(of: bank.map(PastView.Scope.bank) ?? .fund(id), asOf: date, knownAt: knownAt, fund: id).states
            let fund = try Self.existing(past.funds[id], id, atThatTime: knownAt != nil)
            let loans = past.loanSnapshots.filter { $0.fundId == id && (bank == nil || $0.bankId == bank) }
            var report = try ExposureReport.compute(fund: fund, loans: loans, asOf: date, topBorrowers: topBorrowers)
            try report.addSchemeShares(schemes: Array(past.schemes.values), loans: past.loans, bank: bank)
            return Answer(report: Self.slice(report, for: bank))
        }
    }

    /// A bank's slice names no other bank.
    private static func slice(_ report: ExposureReport, for bank: BankId?) -> ExposureReport {
        guard let bank else { return report }
        var report = report
        report.suspendedBanks = report.suspendedBanks.filter { $0 == bank }
        return report
    }

    private static func existing(_ fund: FundState?, _ id: FundId, atThatTime: Bool) throws -> FundState {
        guard let fund, fund.exists else {
            throw DomainError(.notFound, field: "fund_id", "fund \(id) does not exist\(atThatTime ? " at that time" : "")")
        }
        return fund
    }

    /// The current view of a fund's exposure: its stream read on from the last version seen,
    /// the projector's sums, and the schemes' part.
    private func currentExposure(fund id: FundId, on date: BusinessDate, topBorrowers: Int, bank: BankId?) async throws -> ExposureReport {
        var states = AggregateStates()
        try await funds.load([.fund(id)], from: store, into: &states)
        let fund = try Self.existing(states.funds[id], id, atThatTime: false)
        var report: ExposureReport
        // The projector's sums: a handful of rows and the largest borrowers — unless a
        // policy version is not in force yet or a borrower could not be summed.
        if let settled = fund.termsSettledOn, settled <= date,
            let figures = try await store.withConnection(
                "exposure sums",
                { connection in
                    try await ExposureTable.figures(
                        fund: id, scope: bank?.value ?? GrowthEntry.allBanks, top: topBorrowers, on: connection, logger: store.logger)
                })
        {
            report = try ExposureReport.compute(fund: fund, loans: figures, asOf: date)
        } else {
            let loans = try await gates.currentViews.run { try await ReadModelWriter.loadLoans(store, fund: id).map(\.snapshot) }
            let slice = loans.filter { bank == nil || $0.bankId == bank }
            report = try ExposureReport.compute(fund: fund, loans: slice, asOf: date, topBorrowers: topBorrowers)
        }
        // The schemes' part: their tables kept, brought forward by the loans changed since.
        let agreed = try await ReadModelQueries(store: store).count(type: SchemeAgreed.type)
        try await schemeStreams.forward(from: store)
        let tables = try await schemeStreams.derived("\(id) \(bank?.value ?? "*") \(date) \(agreed)") {
            let (schemes, loans) = try await schemesNaming(id, bank: bank)
            return try ExposureReport.schemeTables(fund: id, schemes: schemes, loans: loans, bank: bank, asOf: date)
        } update: { tables, changed, schemes in
            try Self.bringForward(tables, by: changed, schemes: schemes, bank: bank, asOf: date)
        }
        try report.addSchemeShares(from: tables)
        return report
    }

    /// Schemes' tables kept since, brought forward by the loans changed since (with `bank`,
    /// that bank's): each counted out as it was and in as it is. Nil when a table's scheme is
    /// not kept.
    private static func bringForward(
        _ tables: [RiskSharingReport], by changed: [LoanKey: (was: LoanState, now: LoanState)], schemes: [SchemeId: SchemeState],
        bank: BankId?, asOf date: BusinessDate
    ) throws -> [RiskSharingReport]? {
        var tables = tables
        for index in tables.indices {
            guard let scheme = schemes[tables[index].schemeId] else { return nil }
            for (key, loan) in changed where bank == nil || key.bank == bank {
                try tables[index].count(loan.was, of: scheme, asOf: date, sign: -1)
                try tables[index].count(loan.now, of: scheme, asOf: date)
            }
        }
        return tables
    }
}

extension ReportService {
    /// The schemes that name `fund`, now, and the kept loans' states, among them all of their
    /// loans (with `bank`, that bank's): the schemes found by their agreements (an indexed
    /// handful of rows), then each one's stream and its loans' streams as last read, brought
    /// forward by what changed since (`FollowedStreams`).
    func schemesNaming(_ fund: FundId, bank: BankId?) async throws -> (schemes: [SchemeState], loans: [LoanKey: LoanState]) {
        try await gates.currentViews.run {
            var schemes: [SchemeState] = []
            for id in try await ReadModelQueries(store: store).schemesAgreed() {
                let scheme = try await schemeStreams.states(of: [.scheme(id)], from: store).schemes[id] ?? SchemeState()
                if scheme.funds.contains(fund) { schemes.append(scheme) }
            }
            let keys = schemes.flatMap { $0.loanOrder.filter { bank == nil || $0.bank == bank } }
            // The kept loans' table itself, not a copy of its part: each scheme counts its own.
            return (schemes, try await schemeStreams.states(of: keys.map(StreamRef.loan), from: store).loans)
        }
    }
}

/// The gates reports wait at: past views fold the log (two at a time); current views read
/// every loan's row of the read models (four at a time — at a district's size each takes
/// milliseconds, so the queue is short; at a nation's, each holds hundreds of MiB).
public struct ReportGates: Sendable {
    public let pastViews: ReportGate
    public let currentViews: ReportGate

    public init(pastViews: Int = 2, currentViews: Int = 4) {
        self.pastViews = ReportGate(capacity: pastViews)
        self.currentViews = ReportGate(capacity: currentViews)
    }
}
