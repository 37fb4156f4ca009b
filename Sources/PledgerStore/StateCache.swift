import Foundation
import PledgerDomain
import Synchronization

/// Recently loaded aggregate states, so that a hot stream (a fund paying claims, a loan
/// taking repayments) is not re-read from its first event on every command or report. One
/// per process (`Ledger`), shared by the command handler, the reports and the projector,
/// which hands over the funds it reads on start: a national fund's state (hundreds of
/// thousands of events, tens of MiB) is then read once, not once per room. Bounded: when
/// full it drops every state but the funds' (and everything, should the funds alone fill
/// it), which costs only re-reads.
final class StateCache: Sendable {
    private let entries = Mutex<[StreamRef: AggregateStates.Entry]>([:])
    /// A stream being read from its first event, up to a position.
    private struct Read {
        let through: Int64
        let token: UUID
        let task: Task<AggregateStates.Entry, any Error>
    }
    /// The streams being read from their first event: callers that find a suitable read wait
    /// for it.
    private let firstReads = Mutex<[StreamRef: [Read]]>([:])
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func get(_ ref: StreamRef) -> AggregateStates.Entry? { entries.withLock { $0[ref] } }

    /// Keeps `entry` unless the one held is further on (a caller that read earlier finishing
    /// later must not move the cache back, which would cost re-reads).
    func put(_ ref: StreamRef, _ entry: AggregateStates.Entry) {
        entries.withLock { entries in
            if let held = entries[ref]?.version, held > entry.version ?? 0 { return }
            makeRoom(for: ref, in: &entries)
            entries[ref] = entry
        }
    }

    /// A state folded elsewhere (the projector's funds), if it has a version: kept as `put`
    /// keeps one. A state at a given version is the same whoever folded it, so at an equal version
    /// the offer replaces the held copy and the two folders share one.
    func offer(_ ref: StreamRef, _ entry: AggregateStates.Entry) {
        guard entry.version != nil else { return }
        put(ref, entry)
    }

    private func makeRoom(for ref: StreamRef, in entries: inout [StreamRef: AggregateStates.Entry]) {
        guard entries.count >= capacity, entries[ref] == nil else { return }
        entries = entries.filter {
            if case .fund = $0.key { true } else { false }
        }
        if entries.count >= capacity { entries.removeAll() }
    }

    /// Streams' states: each the cached one plus whatever was appended since, all read in one
    /// query. The log is append-only, so the state is exact whoever wrote in between. A stream
    /// not cached that gathers many loans' facts (a fund, a scheme, a subsidy programme, an
    /// insurer's book) is read from its first event once, however many callers ask at the same
    /// time (thirty-two writers to one fund after a start would each fold its 230,000 events),
    /// and each caller then reads on from that read; a loan, an asset, a borrower, a bank or
    /// the LPR (a few events each) is read from its first event in the same query as the others.
    func load(_ refs: some Collection<StreamRef>, from store: EventStore, into states: inout AggregateStates) async throws {
        var reads: [(ref: StreamRef, from: Int32)] = []
        for ref in Set(refs) {
            let known: AggregateStates.Entry?
            if let cached = get(ref) {
                known = cached
            } else if Self.gathersMany(ref) {
                known = try await firstRead(ref, from: store)
            } else {
                known = nil
            }
            if let known { states.restore(ref, known) }
            reads.append((ref, (known?.version ?? 0) + 1))
        }
        try await store.load(reads, into: &states)
        for read in reads { put(read.ref, states.entry(read.ref)) }
    }

    private static func gathersMany(_ ref: StreamRef) -> Bool {
        switch ref {
        case .fund, .scheme, .subsidy, .insurer: true
        case .loan, .asset, .borrower, .bank, .lpr: false
        }
    }

    /// A stream read from its first event up to `position` (a fund's from its stored state,
    /// `StoredStates`, when there is one), once however many callers ask at the same time: a
    /// caller joins a running read up to the same position or further.
    /// With no position a caller reads on anyway: a fund is read up to the head as it is when
    /// asked (so it joins the projector's read of the fund on a start at the head, and never a
    /// read far behind, which each caller would then have to read on from), any other stream
    /// to its end (only callers with no position read those).
    func firstRead(_ ref: StreamRef, through position: Int64? = nil, from store: EventStore) async throws -> AggregateStates.Entry {
        let target: Int64
        if let position {
            target = position
        } else if case .fund = ref {
            target = try await store.head().position
        } else {
            target = .max
        }
        let read = firstReads.withLock { reads in
            let running = reads[ref] ?? []
            if let joined = running.first(where: { position == nil ? $0.through >= target : $0.through == target }) { return joined.task }
            let token = UUID()
            let task = Task {
                defer {
                    self.firstReads.withLock { reads in
                        reads[ref]?.removeAll { $0.token == token }
                        if reads[ref]?.isEmpty == true { reads[ref] = nil }
                    }
                }
                var states = AggregateStates()
                if case .fund(let id) = ref, let stored = try await StoredStates.read(id, through: target, from: store) {
                    states.funds[id] = stored.state
                    states.versions[ref] = stored.version
                    try await store.load(ref, from: stored.version + 1, through: target, into: &states)
                } else {
                    try await store.load(ref, through: target, into: &states)
                }
                let entry = states.entry(ref)
                self.offer(ref, entry)
                return entry
            }
            reads[ref, default: []].append(Read(through: target, token: token, task: task))
            return task
        }
        return try await read.value
    }
}
