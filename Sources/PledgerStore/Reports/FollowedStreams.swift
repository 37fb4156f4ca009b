import PledgerDomain
import Synchronization

/// The states of the streams current reports read again and again — the risk-sharing
/// schemes and their thousands of loans — kept in memory as of a position of the log and
/// brought forward by what was appended since: a request re-reads only the streams that
/// changed (one query finds them), not every loan of every scheme. One request at a time
/// brings them forward; when nothing was appended, none waits. Of a loan only what the
/// risk-sharing figures read is kept (`LoanState.riskSharingPart`), read 250 loans
/// at a time: the whole states of a national scheme's loans were most of a server's memory.
/// A changed stream is read on from its version, in one query for all of them: reading
/// each changed loan again from its first event was most of the first report after a
/// bank's writes (1,100 loans, 90 of its 240 ms).
final class FollowedStreams: Sendable {
    private let current = Mutex<Followed>(Followed())
    /// A changed stream to read on, from the version after the one kept.
    typealias ReadOn = (ref: StreamRef, from: Int32)
    /// Run after the changed streams are found and before they are read on (tests append
    /// there, as another writer may).
    private let beforeReadingOn: (@Sendable ([ReadOn]) async throws -> Void)?

    init(beforeReadingOn: (@Sendable ([ReadOn]) async throws -> Void)? = nil) {
        self.beforeReadingOn = beforeReadingOn
    }

    /// The states as of a position, and the followed streams by name: the streams changed
    /// since are found by name, and naming each of a national scheme's 28,000 loans again
    /// on every request that follows a write took 8–11 ms.
    private struct Followed {
        var position: Int64 = 0
        var states = AggregateStates()
        var byName: [String: StreamRef] = [:]
        /// Counts the times the states changed, and remembers what the last changes changed.
        var generation = 0
        var steps: [Step] = []
        /// Marks the stand-in left while the states are brought forward.
        var away = false

        /// Counts a change of `refs` before it is made, with the parts their loans had.
        mutating func step(changing refs: some Sequence<StreamRef>) {
            generation += 1
            var before: [LoanKey: LoanState] = [:]
            var others = false
            var firstReadsOnly = true
            for ref in refs {
                if case .loan(let key) = ref, let part = states.loans[key] { before[key] = part } else { others = true }
                if states.isLoaded(ref) { firstReadsOnly = false }
            }
            steps.append(Step(generation: generation, before: before, others: others, firstReadsOnly: firstReadsOnly))
            var remembered = steps.reduce(0) { $0 + $1.before.count }
            while steps.count > FollowedStreams.stepsKept || remembered > FollowedStreams.partsKept {
                remembered -= steps.removeFirst().before.count
            }
        }

        /// Every change after generation `base`, in order; nil when they are no longer all remembered.
        func steps(after base: Int) -> [Step]? {
            let later = steps.filter { $0.generation > base }
            return base <= generation && later.count == generation - base ? later : nil
        }

        /// The loans changed since generation `base`, each with its part then and now; nil
        /// when that is not known from loans alone (a stream other than a loan changed, or
        /// one was read for the first time) or no longer remembered.
        func changed(since base: Int) -> [LoanKey: (was: LoanState, now: LoanState)]? {
            guard let later = steps(after: base), !later.contains(where: \.others) else { return nil }
            var changed: [LoanKey: (was: LoanState, now: LoanState)] = [:]
            for step in later {
                for (key, was) in step.before where changed[key] == nil {
                    guard let now = states.loans[key] else { return nil }
                    changed[key] = (was, now)
                }
            }
            return changed
        }

        /// Whether every change since generation `base` only read streams for the first time:
        /// the states held then are held still, unchanged.
        func onlyFirstReads(since base: Int) -> Bool { steps(after: base)?.allSatisfy(\.firstReadsOnly) ?? false }
    }
    /// One change of the states, to `generation`: the parts the changed loans had before it;
    /// `others` when a stream other than a loan changed or a stream was read for the first time;
    /// `firstReadsOnly` when it only read streams for the first time.
    private struct Step {
        let generation: Int
        let before: [LoanKey: LoanState]
        let others: Bool
        let firstReadsOnly: Bool
    }
    /// How many changes are remembered, and how many loans' parts they may hold.
    static let stepsKept = 64
    static let partsKept = 50_000

    private let changes = Mutex<Int>(0)
    /// Figures derived from the states, each kept with the `generation` it was derived at.
    private let figures = Memo<Int>()
    /// The same figures, each with the generation of the very states it was derived from:
    /// what `derived` brings forward.
    private let bases = Mutex<[String: (generation: Int, value: any Sendable)]>([:])

    /// Counts the times the states changed: what was derived from them at one generation
    /// holds until the next.
    var generation: Int { changes.withLock { $0 } }

    /// A figure derived from the states (`compute`), kept and then brought forward by the
    /// loans changed since (`update`: each one's part as it was and as it is, and the schemes
    /// now) — derived again from all of them when `update` gives nil, when a stream other
    /// than a loan changed or was read for the first time, or when the changes are no longer
    /// remembered. A national scheme's tables added up again over its 28,000 loans took
    /// 70 ms after each bank's writes, and 32 dashboards waited on them.
    func derived<Value: Sendable>(
        _ key: String, _ compute: @escaping @Sendable () async throws -> Value,
        update: @escaping @Sendable (Value, [LoanKey: (was: LoanState, now: LoanState)], [SchemeId: SchemeState]) throws -> Value?
    ) async throws -> Value {
        try await figures.value(key, at: generation) {
            if let base = self.bases.withLock({ $0[key] }), let value = base.value as? Value,
                let since = self.changed(since: base.generation), let brought = try update(value, since.changed, since.schemes)
            {
                self.keep(key, brought, at: since.generation)
                return brought
            }
            let before = self.current.withLock { $0.away ? nil : $0.generation }
            let value = try await compute()
            // A base only if the states it was derived from are the states now: none of them
            // changed meanwhile (a first report reads the schemes' loans for the first time).
            if let before, let now = self.current.withLock({ $0.away || !$0.onlyFirstReads(since: before) ? nil : $0.generation }) {
                self.keep(key, value, at: now)
            }
            return value
        }
    }

    /// The loans changed since generation `base` (`Followed.changed`) and the schemes now, with
    /// the generation they are at; nil while the states are brought forward. Taken under the
    /// lock, not from a copy of the states: a copy held while a forward changes them would
    /// copy every kept loan's part.
    private func changed(since base: Int) -> (
        generation: Int, changed: [LoanKey: (was: LoanState, now: LoanState)], schemes: [SchemeId: SchemeState]
    )? {
        current.withLock { followed in
            guard !followed.away, let changed = followed.changed(since: base) else { return nil }
            return (followed.generation, changed, followed.states.schemes)
        }
    }

    private func keep(_ key: String, _ value: some Sendable, at generation: Int) {
        bases.withLock { bases in
            if bases.count >= figures.capacity && bases[key] == nil { bases.removeAll(keepingCapacity: true) }
            bases[key] = (generation, value)
        }
    }

    /// Streams read in one go.
    static let readSize = 250

    /// Brings the states forward to the head of the log, if anything was appended.
    func forward(from store: EventStore) async throws { _ = try await states(of: [], from: store) }
    private let forward = ReportGate(capacity: 1)

    /// The states of `refs` as of the head of the log (or later).
    func states(of refs: [StreamRef], from store: EventStore) async throws -> AggregateStates {
        let head = try await store.head().position
        let (position, states) = current.withLock { ($0.position, $0.states) }
        if position >= head && refs.allSatisfy(states.isLoaded) { return states }
        return try await forward.run {
            let head = try await store.head().position
            // Taken out while it is brought forward (no copy of its tables), and put back as it
            // was if reading fails or the request is cancelled.
            var followed = current.withLock { current in
                defer { current = Followed(away: true) }
                return current
            }
            var reload = Set(refs.filter { !followed.states.isLoaded($0) })
            do {
                var readOn: [ReadOn] = []
                // Nothing followed yet (the first report after a start): nothing to find changed.
                if followed.position < head && !followed.states.versions.isEmpty {
                    let changed = try await store.streams(
                        changedAfter: followed.position, through: head, noting: LoanState.eventsTheRiskSharingPartCannotTake)
                    // A changed stream is read on from its version — a loan's part too, unless
                    // one of its new events needs what the part leaves out: that loan is read
                    // again from its first event.
                    for (name, noted) in changed {
                        guard let ref = followed.byName[name], !reload.contains(ref) else { continue }
                        if case .loan = ref, noted {
                            reload.insert(ref)
                        } else {
                            readOn.append((ref, (followed.states.versions[ref] ?? 0) + 1))
                        }
                    }
                }
                if !readOn.isEmpty || !reload.isEmpty {
                    // Counted first: a read that fails half-way has changed some states already.
                    followed.step(changing: readOn.map(\.ref) + reload)
                    changes.withLock { [generation = followed.generation] in $0 = generation }
                }
                if !readOn.isEmpty {
                    try await beforeReadingOn?(readOn)
                    try await store.load(readOn, into: &followed.states)
                    // The read takes each stream to its end, past `head`: a loan whose events
                    // past it include one its part cannot take is read again from its first event.
                    let end = try await store.head().position
                    if end > head {
                        let later = try await store.streams(
                            changedAfter: head, through: end, noting: LoanState.eventsTheRiskSharingPartCannotTake)
                        for read in readOn where later[read.ref.name] == true { reload.insert(read.ref) }
                    }
                    for read in readOn {
                        if case .loan(let key) = read.ref { followed.states.loans[key] = followed.states.loans[key]?.riskSharingPart }
                    }
                }
                if !reload.isEmpty {
                    let order = Array(reload)
                    let parts = stride(from: 0, to: order.count, by: Self.readSize).map {
                        Array(order[$0..<min($0 + Self.readSize, order.count)])
                    }
                    // The next part is read while one is kept.
                    @Sendable func read(_ index: Int) async throws -> AggregateStates {
                        index < parts.count ? try await store.states(of: parts[index]) : AggregateStates()
                    }
                    var loaded = try await read(0)
                    for (index, refs) in parts.enumerated() {
                        async let following = read(index + 1)
                        for ref in refs {
                            followed.states.restore(ref, loaded.entry(ref))
                            // Named as it is kept, so a state kept by a read that then fails is
                            // still found when its stream changes.
                            followed.byName[ref.name] = ref
                            if case .loan(let key) = ref { followed.states.loans[key] = followed.states.loans[key]?.riskSharingPart }
                        }
                        loaded = try await following
                    }
                    // Reading many loans leaves pages behind; reading a few after a write does not.
                    if reload.count > Self.readSize { Heap.returnFreePages() }
                }
            } catch {
                current.withLock { [followed] in $0 = followed }
                throw error
            }
            followed.position = max(followed.position, head)
            current.withLock { [followed] in $0 = followed }
            return followed.states
        }
    }
}
