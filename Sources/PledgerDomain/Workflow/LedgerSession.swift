import Foundation

/// Runs many commands against states held in memory, recording the events as they
/// would be appended — for bulk work (the demo district, imports of history, a bank's
/// monthly report) where deciding one command at a time against the database would be
/// thousands of round trips. The events are then appended in large atomic batches with
/// the expected version of every stream, so a concurrent writer is still detected.
///
/// Streams a command reads must be in `states` (loaded by the caller) unless
/// `missingStreamsAreEmpty` — true only when the ledger is known to be empty.
public struct LedgerSession: Sendable {
    public private(set) var states: AggregateStates
    /// Everything decided since the session began or was last handed over (`takeDecided`), in
    /// order, with the stream each event belongs to.
    public private(set) var recorded: [(stream: StreamRef, event: RecordedEvent)] = []
    /// Where each command's events end in `recorded`: appends may be split only there, so
    /// that one command's events (a loan and its pledges) are always written together.
    public private(set) var commandEnds: [Int] = []
    public let missingStreamsAreEmpty: Bool
    private var position: Int64

    /// Events decided, in order, and where each command's events end among them.
    public struct Decided: Sendable {
        public var recorded: [(stream: StreamRef, event: RecordedEvent)] = []
        public var commandEnds: [Int] = []
    }

    /// Everything decided since the session began or since it was last handed over.
    public var decided: Decided { Decided(recorded: recorded, commandEnds: commandEnds) }

    /// Hands over what was decided so far and forgets it, keeping the states and the position:
    /// a long session (the demo district) is appended part by part while it goes on deciding,
    /// and never holds the whole history.
    public mutating func takeDecided() -> Decided {
        defer { (recorded, commandEnds) = ([], []) }
        return decided
    }

    public init(states: AggregateStates = AggregateStates(), missingStreamsAreEmpty: Bool = false, position: Int64 = 0) {
        self.states = states
        self.missingStreamsAreEmpty = missingStreamsAreEmpty
        self.position = position
    }

    /// Streams the command reads that are not loaded yet.
    public func missing(for command: LedgerCommand) -> [StreamRef] {
        command.reads(states).filter { !states.isLoaded($0) }
    }

    /// Takes in a stream's stored events (call for each stream `missing(for:)` names).
    public mutating func absorb(_ ref: StreamRef, _ events: [RecordedEvent]) {
        states.markLoaded(ref)
        for event in events { states.apply(event, to: ref) }
    }

    /// Decides and applies one command; on refusal nothing changes. States are updated in
    /// place (never copied), so a session of millions of events stays linear.
    @discardableResult
    public mutating func run(_ command: LedgerCommand, at time: RecordedTime, makeId: () -> UUID = { UUID.timeOrdered() }) throws
        -> [RecordedEvent]
    {
        var journal: [StreamRef: AggregateStates.Entry]?
        return try run(command, at: time, makeId: makeId, journal: &journal)
    }

    /// After a refused `runAll`, which of its commands the rules refused (its index), so a
    /// caller can say which part of its input was at fault; nil after one that succeeded.
    public private(set) var refusedCommand: Int?

    /// Runs several commands as one: if any is refused, the session is left exactly as it
    /// was before the first (e.g. an imported row: borrower, asset, valuation and loan).
    @discardableResult
    public mutating func runAll(_ commands: [LedgerCommand], at time: RecordedTime, makeId: () -> UUID = { UUID.timeOrdered() }) throws
        -> [RecordedEvent]
    {
        var journal: [StreamRef: AggregateStates.Entry]? = [:]
        let (recordedCount, endsCount, savedPosition) = (recorded.count, commandEnds.count, position)
        refusedCommand = nil
        var index = 0
        do {
            var events: [RecordedEvent] = []
            for command in commands {
                events += try run(command, at: time, makeId: makeId, journal: &journal)
                index += 1
            }
            return events
        } catch {
            refusedCommand = index
            for (ref, entry) in journal ?? [:] { states.restore(ref, entry) }
            recorded.removeSubrange(recordedCount...)
            commandEnds.removeSubrange(endsCount...)
            position = savedPosition
            throw error
        }
    }

    private mutating func run(
        _ command: LedgerCommand, at time: RecordedTime, makeId: () -> UUID,
        journal: inout [StreamRef: AggregateStates.Entry]?
    ) throws -> [RecordedEvent] {
        while case let missing = command.reads(states).filter({ !states.isLoaded($0) }), !missing.isEmpty {
            guard missingStreamsAreEmpty else { preconditionFailure("load \(missing) before running \(command)") }
            for ref in missing {
                if journal != nil, journal![ref] == nil { journal![ref] = states.entry(ref) }
                states.markLoaded(ref)
            }
        }
        let writes = try Workflow.decide(command, states)
        for write in writes where states.versions[write.stream] ?? 0 > Int32.max - Int32(clamping: write.events.count) {
            throw DomainError(.limitExceeded, field: "stream", "stream \(write.stream) holds as many events as a stream can")
        }
        var events: [RecordedEvent] = []
        for write in writes {
            if journal != nil, journal![write.stream] == nil { journal![write.stream] = states.entry(write.stream) }
            for event in write.events {
                position += 1
                let recorded = RecordedEvent(
                    id: makeId(), stream: write.stream.name, version: (states.versions[write.stream] ?? 0) + 1,
                    position: position, recordedAt: time, event: event)
                states.apply(recorded, to: write.stream)
                self.recorded.append((write.stream, recorded))
                events.append(recorded)
            }
        }
        if !events.isEmpty { commandEnds.append(self.recorded.count) }
        return events
    }
}
