import Foundation
import PledgerDomain
import Synchronization

/// Recently loaded aggregate states, so that a hot stream (a fund paying claims, a loan
/// taking repayments) is not re-read from its first event on every command or report. One
/// per process (`Ledger`), shared by the command handler, the reports and the projector,
/// which hands over the funds it folds: a national fund's state (hundreds of thousands of
/// events, tens of MiB) is then read once and held once, not once per room. Bounded: when
/// full it drops every state but the funds', which costs only re-reads.
final class StateCache: Sendable {
    private let entries = Mutex<[StreamRef: AggregateStates.Entry]>([:])
    /// Streams being read from their first event: callers that find one wait for it.
    private let firstReads = Mutex<[StreamRef: (through: Int64, token: UUID, task: Task<AggregateStates.Entry, any Error>)]>([:])
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func get(_ ref: StreamRef) -> AggregateStates.Entry? { entries.withLock { $0[ref] } }

    func put(_ ref: StreamRef, _ entry: AggregateStates.Entry) {
        entries.withLock { entries in
            if entries.count >= capacity && entries[ref] == nil {
                entries = entries.filter {
                    if case .fund = $0.key { true } else { false }
                }
            }
            entries[ref] = entry
        }
    }

    /// A state folded elsewhere (the projector's funds): kept unless the one held is further
    /// on. A state at a given version is the same whoever folded it, so at an equal version
    /// the offer replaces the held copy and the two folders share one.
    func offer(_ ref: StreamRef, _ entry: AggregateStates.Entry) {
        guard let version = entry.version else { return }
        entries.withLock { entries in
            if let held = entries[ref]?.version, held > version { return }
            if entries.count >= capacity && entries[ref] == nil { return }
            entries[ref] = entry
        }
    }

    /// One stream's state: the cached one plus whatever was appended since. A stream not
    /// cached is read from its first event once, however many callers ask at the same time
    /// (thirty-two writers to one fund after a start would each fold its 230,000 events),
    /// and each caller then reads on from that read: the log is append-only, so the state is
    /// exact whoever wrote in between.
    func load(_ ref: StreamRef, from store: EventStore, into states: inout AggregateStates) async throws {
        let known: AggregateStates.Entry
        if let cached = get(ref) { known = cached } else { known = try await firstRead(ref, from: store) }
        states.restore(ref, known)
        try await store.load(ref, from: (known.version ?? 0) + 1, into: &states)
        put(ref, states.entry(ref))
    }

    /// A stream read from its first event up to `position` (by default the head as it is when
    /// asked), once however many callers ask at the same time: a caller joins a read running up
    /// to the same position, or — asking for no position, as it reads on anyway — any read. The
    /// projector starting reads its funds up to its checkpoint this way, so a report or a
    /// command asking for a fund meanwhile waits for that read instead of making its own.
    func firstRead(_ ref: StreamRef, through position: Int64? = nil, from store: EventStore) async throws -> AggregateStates.Entry {
        if position == nil, let running = firstReads.withLock({ $0[ref]?.task }) { return try await running.value }
        // Up to the head as it is now: a projector starting at the head can join this read.
        let position = if let position { position } else { try await store.head().position }
        let read = firstReads.withLock { reads in
            if let running = reads[ref], running.through == position { return running.task }
            let token = UUID()
            let read = Task {
                defer {
                    self.firstReads.withLock { reads in
                        if reads[ref]?.token == token { reads[ref] = nil }
                    }
                }
                var states = AggregateStates()
                try await store.load(ref, through: position, into: &states)
                let entry = states.entry(ref)
                self.offer(ref, entry)
                return entry
            }
            if reads[ref] == nil { reads[ref] = (position, token, read) }
            return read
        }
        return try await read.value
    }
}
