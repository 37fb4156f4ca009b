import Foundation
import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore
import PledgerTestSupport
import Synchronization
import Testing

@Suite("Command handling against the event store")
struct CommandHandlerTests {
    @Test("a loan's life through Postgres: multi-stream appends, state reloaded from the log")
    func lifeOfALoan() async throws {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            let district = try ExampleDistrict()
            for command in district.setupCommands { try await handler.handle(command) }
            let originated = try await handler.handle(district.origination())
            #expect(
                originated.append.streamVersions.keys.sorted()
                    == [district.loan.stream, Streams.asset(district.patent), Streams.fund(district.fund)].sorted())
            #expect(
                originated.append.streamVersions[district.loan.stream] == 1
                    && originated.append.streamVersions[Streams.asset(district.patent)] == 3)
            try await handler.handle(
                .loan(
                    district.loan,
                    .repay(principal: try Money(parsing: "1,800,000.00"), interest: .zero, paidOn: try BusinessDate(parsing: "2024-09-01")))
            )
            try await handler.handle(
                .loan(
                    district.loan,
                    .markDefaulted(
                        on: try BusinessDate(parsing: "2024-10-01"), missedDueOn: try BusinessDate(parsing: "2024-06-28"), daysOverdue: 95,
                        classification: .loss)))
            try await handler.handle(
                .loan(
                    district.loan,
                    .claimCompensation(amount: try Money(parsing: "1,000,000.00"), claimedOn: try BusinessDate(parsing: "2024-10-02"))))
            let approved = try await handler.handle(
                .loan(
                    district.loan,
                    .approveClaim(amount: try Money(parsing: "1,000,000.00"), approvedOn: try BusinessDate(parsing: "2024-10-03"))))
            #expect(Set(approved.append.streamVersions.keys) == [district.loan.stream, Streams.fund(district.fund)])

            let states = try await handler.load(
                for: .loan(district.loan, .payClaim(paidOn: try BusinessDate(parsing: "2024-10-04"), paymentRef: "P")))
            #expect(states.loans[district.loan]?.outstanding == (try Money(parsing: "3,200,000.00")))
            #expect(states.funds[district.fund]?.committedByBorrower[district.borrower] == (try Money(parsing: "1,000,000.00")))

            // A refusal writes nothing.
            let head = try await store.head().position
            await #expect(throws: DomainError.self) {
                try await handler.handle(
                    .loan(
                        district.loan,
                        .approveClaim(amount: try Money(parsing: "1.00"), approvedOn: try BusinessDate(parsing: "2024-10-05"))))
            }
            #expect(try await store.head().position == head)
        }
    }

    @Test("concurrent commands on one fund: conflicts are retried, none is lost, and the balance never goes negative")
    func concurrentFundCommands() async throws {
        try await TestDatabase.withLedger(maxConnections: 8) { store, _ in
            let handler = CommandHandler(store: store)
            let district = try ExampleDistrict()
            for command in district.setupCommands { try await handler.handle(command) }
            let fundId = district.fund
            // 30 contributions racing on the same fund stream: every one lands.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...30 {
                    group.addTask {
                        try await handler.handle(
                            .fund(
                                fundId,
                                .receiveContribution(
                                    amount: Money(fen: Int64(n) * 100), contributor: .other,
                                    receivedOn: try BusinessDate(parsing: "2023-06-01"), reference: "race-\(n)")))
                    }
                }
                try await group.waitForAll()
            }
            var states = AggregateStates()
            try await handler.load(.fund(district.fund), into: &states)
            let fund = try #require(states.funds[district.fund])
            #expect(fund.contributions.count == 33)
            #expect(fund.balance == Money(fen: 1_000_000_000 + (1...30).reduce(0) { $0 + Int64($1) * 100 }))
            #expect(states.versions[.fund(district.fund)] == 35)
        }
    }

    @Test("a command waits behind others on its stream at most the operation timeout, then fails as transient (503)")
    func boundedQueue() async throws {
        try await TestDatabase.withLedger(operationTimeout: .milliseconds(500)) { store, _ in
            let handler = CommandHandler(store: store)
            let district = try ExampleDistrict()
            let fund = district.setupCommands[0]
            // Holds the stream far longer than any bound the test allows, until it is cancelled.
            let held = Mutex(false)
            let holder = Task {
                try await handler.withStreamLocks([fund.target.name]) {
                    held.withLock { $0 = true }
                    try await Task.sleep(for: .seconds(60))
                }
            }
            try await eventually { held.withLock { $0 } }
            let started = ContinuousClock.now
            await #expect(throws: StoreError.self) { try await handler.handle(fund) }
            let waited = ContinuousClock.now - started
            // Gave up after about the 0.5 s timeout, not when the holder let go (generous: a
            // loaded machine delays timers).
            #expect(waited >= .milliseconds(400) && waited < .seconds(30), "waited \(waited)")
            do {
                _ = try await handler.handle(fund)
                Issue.record("the second command should have waited and given up too")
            } catch {
                #expect(StoreError.isTransient(error), "\(error)")
            }
            holder.cancel()
        }
    }
}
