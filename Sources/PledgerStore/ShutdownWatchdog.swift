import Dispatch
import Foundation
import Logging
import Synchronization

/// The last resort of a bounded shutdown: after SIGTERM or SIGINT, if the process is still
/// there when the grace period and the cancellation have had their time, it exits at once
/// (`_exit`: no exit handlers that could wait on a stuck thread). It runs on Dispatch, not
/// on the cooperative pool, so busy tasks cannot hold it up. Everything acknowledged is
/// already committed; what was in flight is retried by clients with their idempotency keys.
public final class ShutdownWatchdog {
    private struct State {
        var signalledAt: ContinuousClock.Instant?
        var stopped = false
    }
    private final class Shared: Sendable { let state = Mutex(State()) }
    private let sources: [any DispatchSourceSignal]
    private let shared = Shared()
    private let logger: Logger

    public init(gracePeriod: Duration, exitAfter limit: Duration, logger: Logger) {
        self.logger = logger
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let signals = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")]
        sources = signals.map { DispatchSource.makeSignalSource(signal: $0.0, queue: .global()) }
        for (source, (_, name)) in zip(sources, signals) {
            source.setEventHandler { [shared] in
                let first = shared.state.withLock { state -> Bool in
                    guard state.signalledAt == nil, !state.stopped else { return false }
                    state.signalledAt = .now
                    return true
                }
                guard first else { return }
                logger.notice("\(name): shutting down; in-flight requests have \(gracePeriod) to finish")
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                    guard !shared.state.withLock({ $0.stopped }) else { return }
                    let message = "pledger: shutdown did not finish within \(limit) of \(name); exiting now\n"
                    _ = message.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
                    _exit(1)
                }
            }
            source.resume()
        }
    }

    /// The service group has returned: a clean shutdown, or no signal at all.
    public func stopped() {
        for source in sources { source.cancel() }
        let at = shared.state.withLock { state in
            state.stopped = true
            return state.signalledAt
        }
        if let at { logger.notice("stopped cleanly \(ContinuousClock.now - at) after the signal") }
    }
}
