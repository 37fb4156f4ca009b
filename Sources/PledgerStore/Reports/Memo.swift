import Synchronization

/// Answers kept with a stamp of what they were computed from (a generation of followed
/// states, the positions of the log and the read models): asked again while the stamp is
/// the same, the answer is the same, so it is not computed again — and callers asking at the
/// same time while it is computed wait for that one computation instead of each starting
/// their own (thirty-two dashboards after a write). The caller reads the stamp before
/// computing, so a change meanwhile is never missed. Bounded: when full it is emptied, which
/// costs only recomputation.
final class Memo<Stamp: Hashable & Sendable>: Sendable {
    private let entries = Mutex<[String: (stamp: Stamp, value: any Sendable)]>([:])
    private let running = Mutex<[String: (stamp: Stamp, computation: Task<any Sendable, any Error>)]>([:])
    let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    /// `compute`'s value, or the one kept (or being computed) under `key` at `stamp`. The
    /// computation runs on its own, so a caller that leaves does not fail the others waiting.
    func value<Value: Sendable>(_ key: String, at stamp: Stamp, _ compute: @escaping @Sendable () async throws -> Value) async throws
        -> Value
    {
        if let kept = entries.withLock({ $0[key] }), kept.stamp == stamp, let value = kept.value as? Value { return value }
        let computation = running.withLock { running in
            if let flight = running[key], flight.stamp == stamp { return flight.computation }
            let computation = Task<any Sendable, any Error> {
                defer { self.running.withLock { if $0[key]?.stamp == stamp { $0[key] = nil } } }
                let value = try await compute()
                self.entries.withLock { entries in
                    if entries.count >= self.capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
                    entries[key] = (stamp, value)
                }
                return value
            }
            running[key] = (stamp, computation)
            return computation
        }
        guard let value = try await computation.value as? Value else { return try await compute() }
        return value
    }
}
