/// Folds the log into aggregate states for a bitemporal question: "what did the ledger
/// know at `knownAt` about the state of affairs on `asOf`?" Events recorded after
/// `knownAt` are not seen; events whose business date is after `asOf` are skipped —
/// except cancellations and reversals, which correct the record itself and so apply to
/// every business date once they are known.
public struct LedgerFold: Sendable {
    public let asOf: BusinessDate?
    public let knownAt: RecordedTime?
    public private(set) var states = AggregateStates()
    public private(set) var lastPosition: Int64 = 0
    private var directory: [String: StreamRef] = [:]

    public init(asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil) {
        self.asOf = asOf
        self.knownAt = knownAt
    }

    /// Applies one event in log order; returns false once `knownAt` is passed (stop reading).
    @discardableResult
    public mutating func apply(_ recorded: RecordedEvent) -> Bool {
        if let knownAt, recorded.recordedAt > knownAt { return false }
        lastPosition = recorded.position
        guard let ref = directory[recorded.stream] ?? StreamRef(founding: recorded.event) else { return true }
        directory[recorded.stream] = ref
        if Self.leavesOut(recorded.event, asOf: asOf) { return true }
        states.apply(recorded, to: ref)
        return true
    }

    /// Whether a view as of `asOf` leaves the event out: an entry dated after it, unless it
    /// corrects the record.
    public static func leavesOut(_ event: LedgerEvent, asOf: BusinessDate?) -> Bool {
        guard let asOf, let date = event.businessDate else { return false }
        return date > asOf && !event.correctsTheRecord
    }

    /// Marks the log read through `position` where the events after the last applied were
    /// other streams', which a fold of some streams does not read.
    public mutating func read(through position: Int64) { lastPosition = max(lastPosition, position) }

    /// What a stream holds, once its creation event was seen.
    public func ref(of stream: String) -> StreamRef? { directory[stream] }
}

extension LedgerEvent {
    /// Cancellations and reversals say an entry should never have been: they apply to
    /// every business date once known.
    public var correctsTheRecord: Bool {
        switch self {
        case .loanCancelled, .entryReversed: true
        // A cancelled policy never was, whichever date a past view asks about.
        case .loanPolicyCancelled, .policyCancelled: true
        // The fund's side of a cancellation: the cover never was.
        case .coverReleased(let e): e.cause == .cancelled
        default: false
        }
    }
}
