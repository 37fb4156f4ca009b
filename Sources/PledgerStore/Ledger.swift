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
    /// Read models and reports on the primary (the log's own database).
    public let reads: LedgerReads
    /// The same reads on a hot standby, when one is configured: the API sends the reads that
    /// no write depends on there (see `PledgerHTTP`'s read routing), everything else to `log`.
    public let replica: LedgerReads?
    /// Keeps the read models in step with the log.
    public let projector: Projector
    /// API tokens and the identities they stand for.
    public let tokens: TokenStore
    /// Signed checkpoints of the head, as published.
    public let checkpoints: SignedCheckpoints

    /// `replica`: a store on a streaming standby of `log`'s database (its writer need not run).
    public init(log: EventStore, replica: EventStore? = nil) {
        self.log = log
        // The states of the primary's streams, read once for the commands, the reports and
        // the projector (the standby's are its own: it may be behind).
        let streams = StateCache()
        commands = CommandHandler(store: log, cache: streams)
        batches = BatchAppender(store: log)
        let gates = ReportGates()
        reads = LedgerReads(store: log, gates: gates, streams: streams)
        self.replica = replica.map { LedgerReads(store: $0, gates: gates) }
        projector = Projector(store: log, streams: streams)
        tokens = TokenStore(store: log)
        checkpoints = SignedCheckpoints(store: log)
    }
}
