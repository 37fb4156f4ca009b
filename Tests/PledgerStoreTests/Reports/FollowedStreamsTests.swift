import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import Synchronization
import Testing

@testable import PledgerStore

@Suite("The schemes' streams a server follows")
struct FollowedStreamsTests {
    /// Rounds of 60 random commands against PostgreSQL and in memory, `body` after each until
    /// it says to stop, and how the followed loans that changed in a round will be read: on from
    /// their version, or again from their first event. `following` makes the streams followed.
    private static func rounds(
        following: (EventStore, CommandHandler) -> FollowedStreams = { _, _ in FollowedStreams() },
        _ body: (_ round: Int, _ store: EventStore, _ followed: FollowedStreams, _ memory: InMemoryLedger, _ generator: CommandGenerator)
            async throws -> Round
    ) async throws -> (readOn: Int, readAgain: Int) {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            var generator = CommandGenerator(seed: 40)  // a seed whose rounds change loans both ways
            var memory = InMemoryLedger()
            try await ProjectorTests.runSetup(of: generator, on: handler, beside: &memory)
            let followed = following(store, handler)
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
                if try await body(round, store, followed, memory, generator) == .stop { break }
            }
            return (readOn, readAgain)
        }
    }

    /// What a round's body says: the next round, or none (the store now holds what the
    /// in-memory ledger does not).
    private enum Round { case next, stop }

    /// The scheme's table computed afresh from the followed states.
    private static func table(
        of id: SchemeId, asOf day: BusinessDate, in followed: FollowedStreams, from store: EventStore
    ) async throws -> RiskSharingReport {
        let scheme = try #require(try await followed.states(of: [.scheme(id)], from: store).schemes[id])
        let loans = try await followed.states(of: scheme.loanOrder.map(StreamRef.loan), from: store).loans
        return try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.compactMap { loans[$0] }, asOf: day)
    }

    /// How `derived` brings the scheme's table forward: each changed loan counted out as it
    /// was and in as it is (`brought` is told when any loan changed).
    private static func bringForward(
        _ id: SchemeId, asOf day: BusinessDate, brought: @escaping @Sendable () -> Void = {}
    ) -> @Sendable (RiskSharingReport, [LoanKey: (was: LoanState, now: LoanState)], [SchemeId: SchemeState]) throws -> RiskSharingReport? {
        { table, changed, schemes in
            guard let scheme = schemes[id] else { return nil }
            if !changed.isEmpty { brought() }
            var table = table
            for (_, loan) in changed {
                try table.count(loan.was, of: scheme, asOf: day, sign: -1)
                try table.count(loan.now, of: scheme, asOf: day)
            }
            return table
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
            return .next
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
            guard scheme.exists else { return .next }
            try await followed.forward(from: store)
            let table = try await followed.derived(
                "table",
                {
                    computed.withLock { $0 += 1 }
                    return try await Self.table(of: id, asOf: day, in: followed, from: store)
                }, update: Self.bringForward(id, asOf: day) { broughtForward.withLock { $0 += 1 } })
            #expect(
                table == (try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.map(memory.loan), asOf: day)),
                "round \(round)")
            return .next
        }
        let (full, forward) = (computed.withLock { $0 }, broughtForward.withLock { $0 })
        #expect(full >= 1 && forward >= 3, "computed \(full) times, brought forward \(forward) times")
    }

    @Test(
        "a reversal appended after the changes were found and before they are read on: the read-on reaches it, and the loan is read again from its first event"
    )
    func reversalDuringTheReadOn() async throws {
        let armed = Mutex<BusinessDate?>(nil)
        let reversed = Mutex<LoanKey?>(nil)
        let checked = Mutex(false)
        _ = try await Self.rounds { store, handler in
            // Another writer, between the forward's query for changes and its read-on: a
            // repayment of a loan about to be read on is reversed — one the kept part had
            // taken already, so the part alone cannot undo it (the repayments are not in it).
            FollowedStreams { reads in
                guard let day = armed.withLock({ $0 }), reversed.withLock({ $0 }) == nil else { return }
                for case (.loan(let key), let from) in reads {
                    // A repayment of principal: its reversal moves the outstanding the part keeps.
                    for stored in try await store.read(stream: Streams.loan(key)) where stored.envelope.version < from {
                        guard case .repaymentReceived(let repayment) = try RecordedEvent(stored.envelope).event,
                            repayment.principalFen.isPositive,
                            (try? await handler.handle(.loan(key, .reverse(eventId: stored.envelope.eventId, on: day, reason: "test"))))
                                != nil
                        else { continue }
                        reversed.withLock { $0 = key }
                        return
                    }
                }
            }
        } _: { round, store, followed, memory, generator in
            armed.withLock { $0 = round > 0 ? generator.day : nil }
            let states = try await followed.states(of: generator.loans.map(StreamRef.loan) + [.scheme(generator.scheme)], from: store)
            guard let key = reversed.withLock({ $0 }) else { return .next }
            // The store now holds an event the in-memory ledger does not: compared with a fold
            // of the store's stream, and the rounds end here.
            let whole = try #require(try await store.states(of: [.loan(key)]).loans[key])
            #expect(whole.outstanding > memory.loan(key).outstanding, "the reversal, in the log, put the principal back")
            #expect(states.loans[key] == whole.riskSharingPart, "\(key) in round \(round)")
            checked.withLock { $0 = true }
            return .stop
        }
        #expect(checked.withLock { $0 }, "no repayment of a loan being read on could be reversed in 12 rounds")
    }

    @Test(
        "a table computed while the loans it reads were brought forward is not kept to be brought forward: asked again, it is computed again"
    )
    func notKeptWhenTheStatesMoved() async throws {
        let day = date("2026-06-30")
        let stale = Mutex<RiskSharingReport?>(nil)
        let differed = Mutex(0)
        _ = try await Self.rounds { round, store, followed, memory, generator in
            let id = generator.scheme
            let scheme = memory.scheme(id)
            guard scheme.exists else { return .next }
            let fresh = try RiskSharingReport.compute(scheme: scheme, loans: scheme.loanOrder.map(memory.loan), asOf: day)
            defer { stale.withLock { $0 = fresh } }
            guard let before = stale.withLock({ $0 }) else {
                _ = try await followed.states(of: scheme.loanOrder.map(StreamRef.loan) + [.scheme(id)], from: store)
                return .next
            }
            if before != fresh { differed.withLock { $0 += 1 } }
            let computations = Mutex(0)
            let compute: @Sendable () async throws -> RiskSharingReport = {
                let count = computations.withLock {
                    $0 += 1
                    return $0
                }
                guard count > 1 else {
                    // The table of the states as they were, and meanwhile a forward changes them
                    // (another request's): the table must not be kept as theirs.
                    try await followed.forward(from: store)
                    return before
                }
                return try await Self.table(of: id, asOf: day, in: followed, from: store)
            }
            // A key of its own each round: the first ask always computes.
            _ = try await followed.derived("moved \(round)", compute, update: Self.bringForward(id, asOf: day))
            let again = try await followed.derived("moved \(round)", compute, update: Self.bringForward(id, asOf: day))
            #expect(again == fresh, "round \(round): computed \(computations.withLock { $0 }) times")
            return .next
        }
        #expect(differed.withLock { $0 } >= 3, "the rounds changed the scheme's table only \(differed.withLock { $0 }) times")
    }
}
