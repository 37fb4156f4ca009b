import Foundation
import Logging
import PledgerDomain
import Synchronization

/// An append planned while the one before it was being written, on the head that one was
/// to leave (`EventStore.append(_:prepared:preparingNext:)`): its positions, chain links and
/// the encoded statement that writes them. It is used only where it fits — the writer still
/// knows exactly the head and stream versions it was planned on — and is then written with
/// the same one-round-trip statement, which moves the head only if the head is still there.
public struct PreparedAppend: Sendable {
    let request: AppendRequest
    let head: ChainHead
    let versions: [String: Int32]
    let assumedNew: Set<String>
    let plan: GroupCommit.Plan
    let call: CommitOnHead
    /// When it was planned: its events are recorded at that time, so a plan kept longer than
    /// `freshFor` is made again rather than written with a time long past.
    let plannedAt = ContinuousClock.now
    static let freshFor: Duration = .seconds(2)

    func fits(head: ChainHead, versions: [String: Int32], assumedNew: Set<String>) -> Bool {
        ContinuousClock.now - plannedAt < Self.freshFor && self.head == head && self.assumedNew == assumedNew
            && self.versions == versions
    }

    /// `request` planned on the tip the writer will know once `plan` is written: its head, the
    /// versions `plan` leaves, and those `known` gives for the request's other streams. Nil when
    /// it cannot be planned ahead (a stream the tip does not know, a key to look up, a refusal).
    static func plan(
        _ request: AppendRequest, after plan: GroupCommit.Plan, known: (Set<String>) -> [String: Int32], logger: Logger
    ) -> Self? {
        guard request.idempotency == nil, (try? request.validate()) != nil else { return nil }
        let streams = Set(request.streams.map(\.stream))
        var versions = known(streams.filter { plan.versions[$0] == nil })
        for stream in streams { if let version = plan.versions[stream] { versions[stream] = version } }
        let tip = KnownTip(head: plan.head, versions: versions)
        let group = GroupCommit(requests: [request], logger: logger)
        guard let (head, versions, assumedNew) = tip.covering(group),
            let next = try? group.planOptimistic(on: head, versions: versions, assumedNew: assumedNew), !next.rows.isEmpty,
            let call = try? CommitOnHead(next, on: head)
        else { return nil }
        return PreparedAppend(request: request, head: head, versions: versions, assumedNew: assumedNew, plan: next, call: call)
    }
}

/// The next request of a caller's sequence of appends, asked for once, and its plan once made.
final class NextAppend: Sendable {
    private let ask: @Sendable () async throws -> AppendRequest?
    private let state = Mutex<(request: Task<AppendRequest?, any Error>?, planning: Task<PreparedAppend?, Never>?)>((nil, nil))

    init(_ request: @escaping @Sendable () async throws -> AppendRequest?) { ask = request }

    /// Plans the request in the background on the tip `plan` leaves. Called again (the
    /// optimistic write found the head moved, and the locked one planned anew), the later
    /// plan replaces the earlier; the request is still asked for only once.
    func prepare(after plan: GroupCommit.Plan, known: @escaping @Sendable (Set<String>) -> [String: Int32], logger: Logger) {
        state.withLock { state in
            let ask = self.ask
            let request = state.request ?? Task { try await ask() }
            state.request = request
            state.planning?.cancel()
            state.planning = Task { () -> PreparedAppend? in
                guard let next = try? await request.value, !Task.isCancelled else { return nil }
                return PreparedAppend.plan(next, after: plan, known: known, logger: logger)
            }
        }
    }

    func prepared() async -> PreparedAppend? { await state.withLock { $0.planning }?.value }

    func cancel() { state.withLock { $0.planning?.cancel() } }
}
