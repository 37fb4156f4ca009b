import Logging
import PledgerDomain
import PostgresNIO

/// Which streams a fold of the log reads. Every read model is made of the funds', the loans'
/// and the borrowers' streams alone: at national size they hold under half of the log's
/// events (the assets' valuations and pledges, the subsidies and the schemes are the rest),
/// so a rebuild or a reconciliation that reads only those decodes and holds half as much.
public enum FoldedStreams: Sendable, Equatable {
    /// Every stream: a view of the whole ledger (`pledger replay`, a report's past view).
    case all
    /// The streams whose names begin with `prefixes`, chosen by the server. Only where the
    /// log names those streams by their founding events (`namesItsSources`); else the fold
    /// reads every stream.
    case readModelSources

    /// Each kind of stream the read models are made of: its founding event's type, and how
    /// its name begins (`Streams`).
    private static let (fundStreams, loanStreams, borrowerStreams) = (
        (founding: FundEstablished.type, prefix: "fund-"), (founding: LoanOriginated.type, prefix: "loan-"),
        (founding: BorrowerRegistered.type, prefix: "borrower-")
    )
    static let prefixes = [fundStreams.prefix, loanStreams.prefix, borrowerStreams.prefix]
    static var fundPrefix: String { fundStreams.prefix }
    static var loanPrefix: String { loanStreams.prefix }
    static var borrowerPrefix: String { borrowerStreams.prefix }

    /// The prefixes of the names the server picks.
    private var picked: [String]? {
        switch self {
        case .all: nil
        case .readModelSources: Self.prefixes
        }
    }

    var isAll: Bool { picked == nil }

    /// Whether a fold reading these streams reads the stream `name`.
    func includes(_ name: String) -> Bool { picked?.contains { name.hasPrefix($0) } ?? true }

    /// A condition on `stream`, for `COPY` (which takes no bound parameters): constants only.
    var condition: String {
        guard let picked else { return "true" }
        return "(" + picked.map { "stream LIKE '\($0)%'" }.joined(separator: " OR ") + ")"
    }

    /// Whether the log up to `last` can be read by its streams' names: it holds every position
    /// there, and each founding event of a fund, a loan or a borrower is the first of a stream
    /// named for it (and never a later one), and no other stream is named so. A log written by Pledger always can (its
    /// appends name each stream for what it holds); one written behind its back, or missing
    /// events, is read whole, where the fold meets what is wrong with it.
    static func namesItsSources(_ store: EventStore, through last: Int64) async throws -> Bool {
        let (f, l, b) = (fundStreams, loanStreams, borrowerStreams)
        return try await store.withConnection("the log's stream names") { connection in
            let rows = try await connection.query(
                """
                SELECT count(*), count(*) FILTER (
                    WHERE version = 1 AND ((type = \(f.founding)) <> (stream LIKE \(f.prefix + "%"))
                        OR (type = \(l.founding)) <> (stream LIKE \(l.prefix + "%"))
                        OR (type = \(b.founding)) <> (stream LIKE \(b.prefix + "%")))
                    OR version <> 1 AND type IN (\(f.founding), \(l.founding), \(b.founding)))
                FROM events WHERE position <= \(last)
                """, logger: store.logger)
            for try await (count, misnamed) in rows.decode((Int64, Int64).self) { return count == last && misnamed == 0 }
            return false
        }
    }
}
