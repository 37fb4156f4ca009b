/// Commands addressed to the same stream queue up inside one process instead of racing
/// each other into version conflicts; optimistic concurrency still guards against other
/// processes and against streams a command writes besides its own.
actor StreamLocks {
    private var holders: [String: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<Result: Sendable>(_ key: String, _ body: @Sendable () async throws -> Result) async throws -> Result {
        await acquire(key)
        do {
            let result = try await body()
            release(key)
            return result
        } catch {
            release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        if holders[key] == nil {
            holders[key] = []
            return
        }
        await withCheckedContinuation { holders[key]!.append($0) }
    }

    private func release(_ key: String) {
        guard var waiters = holders[key] else { return }
        if waiters.isEmpty {
            holders[key] = nil
        } else {
            let next = waiters.removeFirst()
            holders[key] = waiters
            next.resume()
        }
    }
}
