import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import Synchronization
import Testing

@testable import PledgerStore

@Suite("The schemes' streams a server follows")
struct FollowedStreamsTests {
    /// Rounds of 60 random commands against PostgreSQL and in memory, `body` after each, and how
    /// the followed loans that changed in a round will be read: on from their version, or again
    /// from their first event.
    private static func rounds(
        _ body: (_ round: Int, _ store: EventStore, _ followed: FollowedStreams, _ memory: InMemoryLedger, _ generator: CommandGenerator)
            async throws -> Void
    ) async throws -> (readOn: Int, readAgain: Int) {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            var generator = CommandGenerator(seed: 40)  // a seed whose rounds change loans both ways
            var memory = InMemoryLedger()
            try await ProjectorTests.runSetup(of: generator, on: handler, beside: &memory)
            let followed = FollowedStreams()
            var readOn = 0
            var readAgain = 0
            for round in 0..<12 {
                let before = memory.log.count
                try await ProjectorTests.runCommands(60, of: &generator, on: handler, beside: &memory)
                if round > 0 {
                    let written = Dictionary(grouping: memory.log[before...], by: \.stream)
                    for key in generator.loans {
                        guard let events = written[Streams.loan(key)], memory.streams[.loan(key)]?.count != events.count else { continue }
                        if events.contains(where: { LoanState.eventsTheRiskSharingPartCannotTake.contains($0.event.type) }) {
                            readAgain += 1
                        } else {
                            readOn += 1
                        }
                    }
                }
                try await body(round, store, followed, memory, generator)
            }
            return (readOn, readAgain)
        }
    }

    @Test(
        "brought forward round after round of random commands — changed loans read on from their version, or again from their first event after a reversal — the states are a fold's, each loan's part its whole state's part"
    )
    func broughtForward() async throws {
        let (readOn, readAgain) = try await Self.rounds { round, store, followed, memory, generator in
            let refs = generator.loans.map(StreamRef.loan) + [.scheme(generator.scheme)]
            let states = try await followed.states(of: refs, from: store)
            for key in generator.loans {
                let events = memory.streams[.loan(key)] ?? []
                #expect(states.versions[.loan(key)] == Int32(events.count), "\(key) in round \(round)")
                guard !events.isEmpty else { continue }
                #expect(states.loans[key] == memory.loan(key).riskSharingPart, "\(key) in round \(round)")
            }
            #expect(states.schemes[generator.scheme] == memory.scheme(generator.scheme), "round \(round)")
        }
        #expect(readOn > 10 && readAgain > 2, "read on \(readOn), read again \(readAgain): both ways were not taken")
    }

    @Test(
        "a scheme's table derived from the followed loans, then brought forward by the loans changed since, is the table computed afresh, round after round"
    )
    func tablesBroughtForward() async throws {
        let computed = Mutex(0)
        let broughtForward = Mutex(0)
        let day = date("2026-06-30")
        _ = try await Self.rounds { round, store, followed, memory, generator in
            let id = generator.scheme
            let scheme = memory.scheme(id)
            guard scheme.exists else { return }
            try await followed.forward(from: store)
            let table = try await followed.derived("table") {
                computed.withLock { $0 += 1 }
                let scheme = try #require(try await followed.states(of: [.scheme(id)], from: store).schemes[id])
                let loans = try await followed.states(of: scheme.loanOrder.map(StreamRef.loan), from: store).loans
                return try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.compactMap { loans[$0] }, asOf: day)
            } update: { table, changed, schemes in
                guard let scheme = schemes[id] else { return nil }
                if !changed.isEmpty { broughtForward.withLock { $0 += 1 } }
                var table = table
                for (_, loan) in changed {
                    try table.count(loan.was, of: scheme, asOf: day, sign: -1)
                    try table.count(loan.now, of: scheme, asOf: day)
                }
                return table
            }
            #expect(
                table == (try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.map(memory.loan), asOf: day)),
                "round \(round)")
        }
        let (full, forward) = (computed.withLock { $0 }, broughtForward.withLock { $0 })
        #expect(full >= 1 && forward >= 3, "computed \(full) times, brought forward \(forward) times")
    }
}
