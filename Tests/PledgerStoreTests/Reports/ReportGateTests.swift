import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import Synchronization
import Testing

@Suite("Past views: at most a few fold the log at once")
struct ReportGateTests {
    /// State the test's tasks share.
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func callAsFunction<Result>(_ body: (inout Value) -> Result) -> Result { value.withLock { body(&$0) } }
    }

    /// Holds the gate's place until `release()`.
    static func holdUntilReleased(_ gate: ReportGate, _ released: Shared<Bool>) -> Task<Void, any Error> {
        Task { try await gate.run { while !released({ $0 }) { try await Task.sleep(for: .milliseconds(5)) } } }
    }

    @Test("twelve callers through a gate of two: never more than two inside, all of them served, in order")
    func capacityHolds() async throws {
        let gate = ReportGate(capacity: 2)
        let inside = Shared((now: 0, most: 0, order: [Int]()))
        let released = Shared(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<12 {
                group.addTask {
                    try await gate.run {
                        inside {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                            $0.order.append(n)
                        }
                        while !released({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                        try await Task.sleep(for: .milliseconds(5))
                        inside { $0.now -= 1 }
                    }
                }
                // Arrive one after another, so the queue's order is the arrival order.
                try await eventually { gate.load.running + gate.load.waiting == n + 1 }
            }
            #expect(gate.load == (2, 10) as (Int, Int))
            released { $0 = true }
            try await group.waitForAll()
        }
        let seen = inside { $0 }
        #expect(seen.most == 2)
        #expect(seen.order.sorted() == Array(0..<12))
        // In order: the two let in at once (two places freed together) note themselves each from
        // its own thread, in either order, so one may be a place off, never more (a gate
        // serving the last arrivals first would put 11 third).
        #expect(seen.order.enumerated().allSatisfy { abs($0.offset - $0.element) <= 1 }, "\(seen.order)")
        #expect(gate.load == (0, 0) as (Int, Int))
    }

    @Test("a waiter whose request ends leaves the queue at once; the place it would have had goes to the next")
    func cancelledWaiterLeaves() async throws {
        let gate = ReportGate(capacity: 1)
        let released = Shared(false)
        let holder = Self.holdUntilReleased(gate, released)
        try await eventually { gate.load.running == 1 }
        let leaving = Task { try await gate.run { "served" } }
        let staying = Task { try await gate.run { "served" } }
        try await eventually { gate.load.waiting == 2 }
        leaving.cancel()
        await #expect(throws: CancellationError.self) { try await leaving.value }
        #expect(gate.load.waiting == 1, "the cancelled waiter is gone while the holder still runs")
        released { $0 = true }
        try await holder.value
        #expect(try await staying.value == "served")
        #expect(gate.load == (0, 0) as (Int, Int))
    }

    @Test("past views wait at their gate and current views at theirs: each kind waits only for its own")
    func reportsUseTheGates() async throws {
        try await TestDatabase.withLedger { store, _ in
            let district = try ExampleDistrictCommands(policy: examplePolicy, contributions: [(.province, "3,000,000.00")])
            let handler = CommandHandler(store: store)
            for command in district.commands + [district.origination] { try await handler.handle(command) }
            try await Projector(store: store).catchUp()
            let reports = ReportService(store: store, gates: ReportGates(pastViews: 1, currentViews: 1))

            let pastHeld = Shared(false)
            let pastHolder = Self.holdUntilReleased(reports.gates.pastViews, pastHeld)
            try await eventually { reports.gates.pastViews.load.running == 1 }
            let current = try await reports.growth(from: 2023, to: 2025)
            #expect(current.years.map(\.loans).reduce(0, +) == 1)
            let past = Task { try await reports.growth(from: 2023, to: 2025, knownAt: .now()) }
            try await eventually { reports.gates.pastViews.load.waiting == 1 }
            pastHeld { $0 = true }
            try await pastHolder.value
            #expect(try await past.value == current, "the past view, once through, is the same as now")

            let currentHeld = Shared(false)
            let currentHolder = Self.holdUntilReleased(reports.gates.currentViews, currentHeld)
            try await eventually { reports.gates.currentViews.load.running == 1 }
            let exposure = Task { try await reports.exposure(fund: fundId("LC-IPRC")) }
            try await eventually { reports.gates.currentViews.load.waiting == 1 }
            currentHeld { $0 = true }
            try await currentHolder.value
            #expect(try await exposure.value.topBorrowers.count == 1, "the current view, once through, answers")
        }
    }

    @Test("one set of gates per ledger: reports on the primary and on the replica wait at the same ones")
    func oneGatePerLedger() async throws {
        try await TestDatabase.withLedger { store, _ in
            let ledger = Ledger(log: store, replica: store)
            #expect(ledger.reads.reports.gates.pastViews === ledger.replica?.reports.gates.pastViews)
            #expect(ledger.reads.reports.gates.currentViews === ledger.replica?.reports.gates.currentViews)
        }
    }
}
