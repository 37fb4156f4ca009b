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
    /// The states as of a position, and the followed streams by name: the streams changed
    /// since are found by name, and naming each of a national scheme's 28,000 loans again
    /// on every request that follows a write took 8–11 ms.
    private struct Followed {
        var position: Int64 = 0
        var states = AggregateStates()
        var byName: [String: StreamRef] = [:]
    }
    private let changes = Mutex<Int>(0)
    /// Figures computed from the states, each kept with the `generation` it was computed at.
    private let figures = Memo<Int>()

    /// Counts the times the states changed: what was derived from them at one generation
    /// holds until the next.
    var generation: Int { changes.withLock { $0 } }

    /// `compute`'s value, or the one kept under `key` when the states have not changed since.
    func derived<Value: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await figures.value(key, at: generation, compute)
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
                defer { current = Followed() }
                return current
            }
            var reload = Set(refs.filter { !followed.states.isLoaded($0) })
            do {
                // Nothing followed yet (the first report after a start): nothing to find changed.
                if followed.position < head && !followed.states.versions.isEmpty {
                    let changed = try await store.streams(
                        changedAfter: followed.position, through: head, noting: LoanState.eventsTheRiskSharingPartCannotTake)
                    // A changed stream is read on from its version — a loan's part too, unless
                    // one of its new events needs what the part leaves out: that loan is read
                    // again from its first event.
                    var readOn: [(ref: StreamRef, from: Int32)] = []
                    for (name, noted) in changed {
                        guard let ref = followed.byName[name], !reload.contains(ref) else { continue }
                        if case .loan = ref, noted {
                            reload.insert(ref)
                        } else {
                            readOn.append((ref, (followed.states.versions[ref] ?? 0) + 1))
                        }
                    }
                    if !readOn.isEmpty {
                        // Counted first: a read that fails half-way has changed some states already.
                        changes.withLock { $0 += 1 }
                        try await store.load(readOn, into: &followed.states)
                        for read in readOn {
                            if case .loan(let key) = read.ref { followed.states.loans[key] = followed.states.loans[key]?.riskSharingPart }
                        }
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
                    changes.withLock { $0 += 1 }
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
