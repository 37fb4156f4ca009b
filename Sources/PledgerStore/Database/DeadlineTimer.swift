import NIOCore
import NIOPosix
import Synchronization

/// The clock behind every `Deadline`: one timer on an event loop, ticking while operations
/// run, fires the deadlines that have passed.
///
/// Each operation used to schedule a timer of its own on an event loop and cancel it when it
/// finished. From outside the loop both wake its thread, so a single-client append paid two
/// cross-thread wake-ups for a timer that almost never fires — a quarter of its time on two
/// cores. Adding and removing a deadline here is a lock and a dictionary entry. The timer
/// runs on an event loop, not in a task, so that it fires even while synchronous work holds
/// every thread of the cooperative pool; it stops after a second with nothing to watch.
final class DeadlineTimer: Sendable {
    static let shared = DeadlineTimer(tick: .milliseconds(10))

    /// How late a deadline may fire, at most (plus the loop's own delay).
    let tick: Duration

    private struct Entry {
        let at: ContinuousClock.Instant
        let fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextId: UInt64 = 0
        var ticking = false
        var idleTicks = 0
    }

    private let state = Mutex(State())

    init(tick: Duration) { self.tick = tick }

    /// Whether the timer runs (it stops after a second with nothing to watch).
    var isTicking: Bool { state.withLock { $0.ticking } }

    /// Calls `fire` once `limit` has passed, unless `remove` is called first; returns the
    /// number to remove it by.
    func add(after limit: Duration, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        // A limit of centuries is "never"; capped so that the instant cannot overflow.
        let at = ContinuousClock.now.advanced(by: min(limit, .seconds(100 * 365 * 86_400)))
        let (id, start) = state.withLock { state -> (UInt64, Bool) in
            let id = state.nextId
            state.nextId += 1
            state.entries[id] = Entry(at: at, fire: fire)
            state.idleTicks = 0
            defer { state.ticking = true }
            return (id, !state.ticking)
        }
        if start {
            let delay = TimeAmount.nanoseconds(Deadline.nanoseconds(tick))
            MultiThreadedEventLoopGroup.singleton.any().scheduleRepeatedTask(initialDelay: delay, delay: delay) { [self] task in
                if !self.fireDue() { task.cancel() }
            }
        }
        return id
    }

    /// Forgets a deadline (its operation is done); nothing happens if it has fired.
    func remove(_ id: UInt64) {
        state.withLock { _ = $0.entries.removeValue(forKey: id) }
    }

    /// Fires what is due; false when the timer should stop (idle for a second), in which
    /// case the next `add` starts it again.
    private func fireDue() -> Bool {
        let now = ContinuousClock.now
        let idleLimit = Int(Duration.seconds(1) / tick)
        let (due, keepTicking) = state.withLock { state -> ([Entry], Bool) in
            let due = state.entries.filter { $0.value.at <= now }
            for id in due.keys { state.entries.removeValue(forKey: id) }
            if state.entries.isEmpty {
                state.idleTicks += 1
                if state.idleTicks > idleLimit {
                    state.ticking = false
                    return (Array(due.values), false)
                }
            } else {
                state.idleTicks = 0
            }
            return (Array(due.values), true)
        }
        for entry in due { entry.fire() }
        return keepTicking
    }
}
