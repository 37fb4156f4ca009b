/// Commands addressed to the same stream queue up inside one process instead of racing
/// each other into version conflicts; optimistic concurrency still guards against other
/// processes and against streams a command writes besides its own.
///
/// A command waits for the ones ahead of it at most `patience` (the store's operation
/// timeout), then gives up with `StoreError.timedOut` (503): when the database stops
/// answering, each holder takes its full deadline, and without a bound the tenth command in
/// line would wait out ten of them — a hang to its client.
actor StreamLocks {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }
    private var holders: [String: [Waiter]] = [:]
    private var lastId: UInt64 = 0
    let patience: Duration?

    init(patience: Duration? = nil) { self.patience = patience }

    func withLock<Result: Sendable>(_ key: String, _ body: @Sendable () async throws -> Result) async throws -> Result {
        try await acquire(key)
        do {
            let result = try await body()
            release(key)
            return result
        } catch {
            release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async throws {
        if holders[key] == nil {
            holders[key] = []
            return
        }
        lastId += 1
        let id = lastId
        let timer = patience.map { limit in
            Task { [weak self] in
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { await self?.giveUp(key, id, after: limit) }
            }
        }
        defer { timer?.cancel() }
        try await withCheckedThrowingContinuation { holders[key]!.append(Waiter(id: id, continuation: $0)) }
    }

    /// The waiter leaves the queue (if it is still in it) and its command fails.
    private func giveUp(_ key: String, _ id: UInt64, after limit: Duration) {
        guard let index = holders[key]?.firstIndex(where: { $0.id == id }) else { return }
        let waiter = holders[key]!.remove(at: index)
        waiter.continuation.resume(throwing: StoreError.timedOut("waited \(limit) behind other commands on \(key)"))
    }

    private func release(_ key: String) {
        guard var waiters = holders[key] else { return }
        if waiters.isEmpty {
            holders[key] = nil
        } else {
            let next = waiters.removeFirst()
            holders[key] = waiters
            next.continuation.resume()
        }
    }
}
