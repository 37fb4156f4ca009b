import Synchronization

/// A report over the whole ledger costs memory and CPU in proportion to it, and holds a
/// database connection while it reads: a past view (`as_of`, `known_at`, a report page) folds
/// the log from its first event; the current view decodes every loan's read-model row. A gate
/// lets at most `capacity` such reports run at once in a process; the others wait their turn
/// in order, and a waiter whose request ends (deadline passed, client gone) leaves the queue
/// at once. Without it a burst of reports could exhaust the server's memory and its
/// connection pool, and the banks' writes would stall behind them.
public final class ReportGate: Sendable {
    public let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var running = 0
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextTicket: UInt64 = 0
    }

    public init(capacity: Int) {
        precondition(capacity > 0, "a gate lets at least one through")
        self.capacity = capacity
    }

    /// Runs `body` once fewer than `capacity` others are running; throws `CancellationError`
    /// if the task is cancelled while it waits.
    public func run<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await enter()
        defer { leave() }
        return try await body()
    }

    /// How many run and how many wait, for tests and metrics.
    public var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiters.count) } }

    private func enter() async throws {
        let ticket = state.withLock { state -> UInt64? in
            if state.running < capacity {
                state.running += 1
                return nil
            }
            state.nextTicket += 1
            return state.nextTicket
        }
        guard let ticket else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters.append((ticket, continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Hands the place to the next waiter, if any, else frees it.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
