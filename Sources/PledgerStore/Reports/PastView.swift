import PledgerDomain
import PostgresNIO

/// A bank's or a fund's past view reads that bank's or that fund's streams, not the ledger:
/// its loans (the read models name them, the events since the checkpoint add any newer),
/// their borrowers, and for an exposure question the fund's stream, the schemes' and, for a
/// whole fund, the loans its schemes share. Each is folded up to the position `knownAt`
/// reaches and as of `asOf` — the rule of `LedgerFold` — and streams are independent, so the
/// states are those a fold of the whole log gives them; the cost is in proportion to the
/// bank's or the fund's loans (and the fund's stream), whatever the size of the ledger.
extension ReportService {
    /// What one bank's or one fund's past view reads.
    struct PastView: Sendable {
        /// Whose loans: one bank's, or those one fund covers (fixed at origination).
        enum Scope: Sendable {
            case bank(BankId)
            case fund(FundId)
        }
        var states = AggregateStates()
        /// The last position the view includes.
        var position: Int64 = 0
    }

    func pastView(
        of scope: PastView.Scope, asOf: BusinessDate?, knownAt: RecordedTime?, fund: FundId? = nil
    ) async throws -> PastView {
        try await gates.pastViews.run {
            var view = PastView()
            if let knownAt {
                view.position = try await store.lastPosition(knownAt: knownAt)
            } else {
                view.position = try await store.head().position
            }
            let (bank, covering): (BankId?, FundId?) =
                switch scope {
                case .bank(let bank): (bank, nil)
                case .fund(let fund): (nil, fund)
                }
            let (checkpoint, listed) = try await store.withConnection("a past view's loans") { connection in
                let rows = try await connection.query(
                    """
                    SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = \(Projector.name)), 0),
                           array(SELECT stream FROM rm_loans WHERE bank_id = \(bank?.value) OR fund_id = \(covering?.value))
                    """, logger: store.logger)
                for try await row in rows.decode((Int64, [String]).self) { return row }
                return (0, [])
            }
            var names = Set(listed)
            if checkpoint < view.position {
                // The read models behind: the loans written since, by name (a fund's are known
                // only once folded).
                let changed = try await store.streams(changedAfter: checkpoint, through: view.position).keys
                names.formUnion(
                    bank.map { bank in changed.filter { $0.hasPrefix(Streams.loans(of: bank)) } } ?? changed.filter(Streams.isLoan))
            }
            _ = try await store.load(streams: names, through: view.position, asOf: asOf, into: &view.states)
            view.states.loans = view.states.loans.filter { key, loan in
                switch scope {
                case .bank(let bank): key.bank == bank
                case .fund(let fund): loan.origination?.fundId == fund
                }
            }
            let borrowers = Set(view.states.loans.values.compactMap { $0.origination?.borrower }).map(Streams.borrower)
            _ = try await store.load(streams: borrowers, through: view.position, asOf: asOf, into: &view.states)
            guard let fund else { return view }
            try await store.load(.fund(fund), through: view.position, asOf: asOf, into: &view.states)
            // The schemes: found by their agreements up to the position, then each one's stream.
            let schemes = try await ReadModelQueries(store: store).schemesAgreed(through: view.position).map { StreamRef.scheme($0).name }
            _ = try await store.load(streams: schemes, through: view.position, asOf: asOf, into: &view.states)
            // A whole fund's share of a scheme counts every loan the scheme shares, the other
            // funds' and banks' too.
            if case .fund = scope {
                let shared = view.states.schemes.values.filter { $0.funds.contains(fund) }.flatMap(\.loanOrder)
                let unread = Set(shared.filter { view.states.loans[$0] == nil }.map(Streams.loan))
                _ = try await store.load(streams: unread, through: view.position, asOf: asOf, into: &view.states)
            }
            return view
        }
    }
}
