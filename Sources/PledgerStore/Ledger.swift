import PledgerDomain

/// One handle on a ledger, shared by the HTTP API and the command line: the event log and
/// each room built on it, made once — so the command handler's cache of stream states and
/// the projector's memory serve everything in the process that uses them.
public struct Ledger: Sendable {
    /// The append-only log: appends (group commit), reads, the head, replays.
    public let log: EventStore
    /// Decides commands on the streams they read and appends what they decide.
    public let commands: CommandHandler
    /// Many commands' events in few atomic appends: imports, bulk reports, the demo.
    public let batches: BatchAppender
    /// Pages of the read models (funds, a bank's loans, registrations).
    public let readModels: ReadModelQueries
    /// Reports: the current view from the read models, past views replayed from the log.
    public let reports: ReportService
    /// Keeps the read models in step with the log.
    public let projector: Projector
    /// API tokens and the identities they stand for.
    public let tokens: TokenStore
    /// Signed checkpoints of the head, as published.
    public let checkpoints: SignedCheckpoints

    public init(log: EventStore) {
        self.log = log
        commands = CommandHandler(store: log)
        batches = BatchAppender(store: log)
        readModels = ReadModelQueries(store: log)
        reports = ReportService(store: log)
        projector = Projector(store: log)
        tokens = TokenStore(store: log)
        checkpoints = SignedCheckpoints(store: log)
    }
}
