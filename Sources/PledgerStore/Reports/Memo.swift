import Synchronization

/// Answers kept with a stamp of what they were computed from (a generation of followed
/// states, the positions of the log and the read models): asked again while the stamp is
/// the same, the answer is the same, so it is not computed again. The caller reads the stamp
/// before computing, so a change meanwhile is never missed. Bounded: when full it is emptied,
/// which costs only recomputation.
final class Memo<Stamp: Hashable & Sendable>: Sendable {
    private let entries = Mutex<[String: (stamp: Stamp, value: any Sendable)]>([:])
    let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    /// `compute`'s value, or the one kept under `key` at `stamp`.
    func value<Value: Sendable>(_ key: String, at stamp: Stamp, _ compute: () async throws -> Value) async throws -> Value {
        if let kept = entries.withLock({ $0[key] }), kept.stamp == stamp, let value = kept.value as? Value { return value }
        let value = try await compute()
        entries.withLock { entries in
            if entries.count >= capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = (stamp, value)
        }
        return value
    }
}
