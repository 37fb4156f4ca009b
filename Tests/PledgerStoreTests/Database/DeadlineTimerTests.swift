import Foundation
import PledgerTestSupport
import Synchronization
import Testing

@testable import PledgerStore

@Suite("Deadline timer")
struct DeadlineTimerTests {
    @Test("fires a deadline once it has passed and a removed one never; stops when idle and starts again on the next")
    func firesRemovesAndRestarts() async throws {
        let timer = DeadlineTimer(tick: .milliseconds(10))
        let fired = Mutex<[String]>([])
        let started = ContinuousClock.now
        _ = timer.add(after: .milliseconds(300)) { fired.withLock { $0.append("due") } }
        // Due after the first, and removed long before it is due even on a loaded machine.
        let removed = timer.add(after: .seconds(1)) { fired.withLock { $0.append("removed") } }
        let later = timer.add(after: .seconds(3600)) { fired.withLock { $0.append("later") } }
        timer.remove(removed)
        #expect(timer.isTicking)
        try await eventually { fired.withLock { !$0.isEmpty } }
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        try await Task.sleep(for: .milliseconds(200))
        #expect(fired.withLock { $0 } == ["due"])

        // Something to watch keeps it going; with nothing it stops after about a second.
        try await Task.sleep(for: .milliseconds(1300))
        #expect(fired.withLock { $0 } == ["due"], "the removed deadline, due by now, never fired")
        #expect(timer.isTicking)
        timer.remove(later)
        try await eventually { !timer.isTicking }
        _ = timer.add(after: .milliseconds(50)) { fired.withLock { $0.append("again") } }
        #expect(timer.isTicking)
        try await eventually { fired.withLock { $0.count == 2 } }
        #expect(fired.withLock { $0 } == ["due", "again"])
    }

    @Test("a limit of centuries is accepted and does not fire")
    func enormousLimit() async throws {
        let timer = DeadlineTimer(tick: .milliseconds(10))
        let fired = Mutex(false)
        let id = timer.add(after: .seconds(Int64.max)) { fired.withLock { $0 = true } }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!fired.withLock { $0 })
        timer.remove(id)
    }
}
