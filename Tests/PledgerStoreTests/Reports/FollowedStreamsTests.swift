import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("The schemes' streams a server follows")
struct FollowedStreamsTests {
    @Test(
        "brought forward round after round of random commands — changed loans read on from their version, or again from their first event after a reversal — the states are a fold's, each loan's part its whole state's part"
    )
    func broughtForward() async throws {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            var generator = CommandGenerator(seed: 40)  // a seed whose rounds change loans both ways
            var memory = InMemoryLedger()
            for command in generator.setup() {
                try memory.run(command, ids: try await handler.handle(command).append.eventIds)
            }
            let followed = FollowedStreams()
            let refs = generator.loans.map(StreamRef.loan) + [.scheme(generator.scheme)]
            var readOn = 0
            var readAgain = 0
            for round in 0..<12 {
                let before = memory.log.count
                try await ProjectorTests.runCommands(60, of: &generator, on: handler, beside: &memory)
                // Which of the followed loans this round changed, and how they will be read.
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
    }
}
