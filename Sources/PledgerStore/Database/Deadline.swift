import NIOCore
import NIOPosix
import Synchronization

/// Runs an operation that must answer within a time limit, even if it ignores cancellation.
///
/// A database call can wait forever on a connection the server dropped (seen under load after
/// `pg_terminate_backend`: the awaited query never completes). Structured timeouts do not help
/// there, because a task group waits for its children. So the operation runs in a task of
/// its own and the caller gets whichever comes first: its result, the deadline, or the
/// caller's own cancellation (unless `ignoringCancellation`). On the deadline the operation
/// is cancelled, and `onExpiry` (registered by the operation, e.g. closing its connection)
/// also unblocks whatever it waits on.
public enum Deadline {
    /// Lets the operation say how to abort it when the deadline passes.
    public final class Handle: Sendable {
        fileprivate let state = Mutex<State>(State())

        fileprivate struct State {
            var onExpiry: (@Sendable () -> Void)?
            var expired = false
        }

        /// `action` runs if the deadline passes while the operation is still running (at once
        /// if it already has).
        public func onExpiry(_ action: @escaping @Sendable () -> Void) {
            let runNow = state.withLock { state -> Bool in
                if state.expired { return true }
                state.onExpiry = action
                return false
            }
            if runNow { action() }
        }

        /// Registers `action` as `onExpiry` does, unless the deadline has already passed: then
        /// nothing is registered or run, and the answer is false (the operation should give up
        /// without touching what the action would abort — the caller has moved on).
        public func armUnlessExpired(_ action: @escaping @Sendable () -> Void) -> Bool {
            state.withLock { state in
                if state.expired { return false }
                state.onExpiry = action
                return true
            }
        }

        /// Forgets the action: what it would abort is finished (e.g. its connection is back
        /// in the pool), so a deadline passing now must not touch it.
        public func disarm() { state.withLock { $0.onExpiry = nil } }

        fileprivate func expire() {
            let action = state.withLock { state -> (@Sendable () -> Void)? in
                state.expired = true
                defer { state.onExpiry = nil }
                return state.onExpiry
            }
            action?()
        }
    }

    /// The result of `operation`, or `StoreError.timedOut(what)` after `limit`, or
    /// `CancellationError` when the calling task is cancelled first — unless
    /// `ignoringCancellation`: then the operation runs to its end or its deadline whatever
    /// the caller's task does (the group-commit writer: its caller must not move on while its
    /// statement still runs on the writer's one connection).
    public static func run<Value: Sendable>(
        _ limit: Duration, _ what: String, ignoringCancellation: Bool = false,
        _ operation: @escaping @Sendable (Handle) async throws -> Value
    ) async throws -> Value {
        let race = Race<Value>()
        let handle = Handle()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.begin(continuation)
                let work = Task {
                    do { race.finish(.success(try await operation(handle))) } catch { race.finish(.failure(error)) }
                }
                // Not a sleeping task: a cancelled `Task.sleep` keeps its task's memory until the
                // sleep would have ended, so thousands of requests a second, each with a 30 s
                // deadline, held hundreds of MiB. Nor a timer of its own (see `DeadlineTimer`).
                let timer = DeadlineTimer.shared.add(after: limit) {
                    // Expired before the caller hears of it: its abort has been started by then.
                    race.finish(.failure(StoreError.timedOut(what))) {
                        handle.expire()
                        work.cancel()
                    }
                }
                race.onFinish {
                    work.cancel()
                    DeadlineTimer.shared.remove(timer)
                }
            }
        } onCancel: {
            // The caller left; the connection is not suspect, so it is not closed — the
            // operation is cancelled and its connection goes back to the pool when it ends.
            if !ignoringCancellation { race.finish(.failure(CancellationError())) }
        }
    }

    /// `limit` in nanoseconds, a limit beyond what that counts (292 years) as the most it does.
    static func nanoseconds(_ limit: Duration) -> Int64 {
        let (seconds, overflow) = limit.components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, limit.components.seconds >= 0 else { return limit.components.seconds < 0 ? 0 : .max }
        return seconds.addingReportingOverflow(limit.components.attoseconds / 1_000_000_000).overflow
            ? .max : seconds + limit.components.attoseconds / 1_000_000_000
    }

    /// Who answers first; later answers are dropped.
    private final class Race<Value: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var outcome: Result<Value, any Error>?
            var cleanup: (@Sendable () -> Void)?
            var done = false
        }
        private let state = Mutex<State>(State())

        func begin(_ continuation: CheckedContinuation<Value, any Error>) {
            let early = state.withLock { state -> Result<Value, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        /// Records the first outcome; returns whether this call was first. `first` runs only if
        /// it was, before the caller is resumed.
        @discardableResult
        func finish(_ outcome: Result<Value, any Error>, first decided: () -> Void = {}) -> Bool {
            let (first, continuation, cleanup) = state.withLock {
                state -> (Bool, CheckedContinuation<Value, any Error>?, (@Sendable () -> Void)?) in
                guard !state.done else { return (false, nil, nil) }
                state.done = true
                defer {
                    state.continuation = nil
                    state.cleanup = nil
                }
                if state.continuation == nil { state.outcome = outcome }
                return (true, state.continuation, state.cleanup)
            }
            if first { decided() }
            continuation?.resume(with: outcome)
            if first { cleanup?() }
            return first
        }

        /// Runs `cleanup` when the race is decided (at once if it already is).
        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let runNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.cleanup = cleanup
                return false
            }
            if runNow { cleanup() }
        }
    }
}
