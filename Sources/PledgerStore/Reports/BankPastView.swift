import PledgerDomain
import PostgresNIO

/// A bank's past view reads the bank's streams, not the ledger: its loans (the read models
/// name them, the events since the checkpoint add any newer), their borrowers, and for an
/// exposure question the fund's stream and the schemes'. Each is folded up to the position
/// `knownAt` reaches and as of `asOf` — the rule of `LedgerFold` — and streams are
/// independent, so the states are those a fold of the whole log gives them; the cost is in
/// proportion to the bank's loans (and the fund's stream), whatever the size of the ledger.
extension ReportService {
    /// What one bank's past view reads.
    struct BankPastView: Sendable {
        var states = AggregateStates()
        /// The last position the view includes.
        var position: Int64 = 0
    }

    func pastView(
        of bank: BankId, asOf: BusinessDate?, knownAt: RecordedTime?, fund: FundId? = nil
    ) async throws -> BankPastView {
        try await gates.pastViews.run {
            var view = BankPastView()
            if let knownAt {
                view.position = try await store.lastPosition(knownAt: knownAt)
            } else {
                view.position = try await store.head().position
            }
            let (checkpoint, listed) = try await store.withConnection("a bank's loans") { connection in
                let rows = try await connection.query(
                    """
                    SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = \(Projector.name)), 0),
                           array(SELECT stream FROM rm_loans WHERE bank_id = \(bank.value))
                    """, logger: store.logger)
                for try await row in rows.decode((Int64, [String]).self) { return row }
                return (0, [])
            }
            var names = Set(listed)
            if checkpoint < view.position {
                // The read models behind: the bank's loans written since, by name.
                let prefix = Streams.loans(of: bank)
                names.formUnion(
                    try await store.streams(changedAfter: checkpoint, through: view.position).keys.filter { $0.hasPrefix(prefix) })
            }
            _ = try await store.load(streams: names, through: view.position, asOf: asOf, into: &view.states)
            view.states.loans = view.states.loans.filter { $0.key.bank == bank }
            let borrowers = Set(view.states.loans.values.compactMap { $0.origination?.borrower }).map(Streams.borrower)
            _ = try await store.load(streams: borrowers, through: view.position, asOf: asOf, into: &view.states)
            guard let fund else { return view }
            try await store.load(.fund(fund), through: view.position, asOf: asOf, into: &view.states)
            // The schemes: found by their agreements up to the position, then each one's stream.
            let schemes = try await ReadModelQueries(store: store).schemesAgreed(through: view.position).map { StreamRef.scheme($0).name }
            _ = try await store.load(streams: schemes, through: view.position, asOf: asOf, into: &view.states)
            return view
        }
    }
}
