import Foundation
import PledgerDomain
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("A fold of the read models' streams alone: what a fold of every stream gives them, else every stream")
struct FoldedStreamsTests {
    @Test("the prefixes are the names Streams gives funds, loans and borrowers, and no other kind of stream's")
    func prefixes() throws {
        let sources = [
            Streams.fund(try FundId("F-1")), Streams.loan(LoanKey(bank: try BankId("B-1"), contract: try ContractNo("C-1"))),
            Streams.borrower(try Uscc("91512081MA62K0260E")),
        ]
        let others = [
            Streams.bank(try BankId("B-1")), Streams.asset(try AssetId("A-1")), Streams.scheme(try SchemeId("S-1")),
            Streams.subsidy(try SubsidyProgrammeId("P-1")), Streams.insurer(try InsurerId("I-1")), StreamRef.lpr.name,
        ]
        #expect(sources.allSatisfy(FoldedStreams.readModelSources.includes))
        #expect(!others.contains(where: FoldedStreams.readModelSources.includes))
        #expect(others.allSatisfy(FoldedStreams.all.includes))
    }

    @Test(
        "the funds', loans' and borrowers' states, their versions and the position read through are a whole fold's, in pages of any size and through the pool"
    )
    func sameSources() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await ProjectorTests.randomWorkload(store, seed: 11, steps: 300)
            // The log ends with events of streams the fold does not read.
            let bank = try BankId("LATE-BANK")
            _ = try await CommandHandler(store: store).handle(.bank(bank, .register(id: bank, name: "Late", licence: "L-LATE")))
            let head = try await store.head().position
            let last = try await store.read(after: head - 1, limit: 1)[0].envelope.stream
            #expect(!FoldedStreams.readModelSources.includes(last))
            for toPosition in [nil, head / 3] {
                let whole = try await store.replay(toPosition: toPosition, reading: .copy)
                #expect(whole.states.assets.count > 0 && whole.states.banks.count > 0 && whole.states.borrowers.count > 0)
                for reading in [LogReading.pool, .copy, .copyInPages(37)] {
                    let some = try await store.replay(toPosition: toPosition, reading: reading, streams: .readModelSources)
                    let question = "\(reading) to \(String(describing: toPosition))"
                    #expect(some.lastPosition == (toPosition ?? head), "\(question)")
                    #expect(some.states.assets.isEmpty && some.states.banks.isEmpty, "\(question): other streams were read")
                    #expect(some.states.loanSnapshots == whole.states.loanSnapshots && !whole.states.loans.isEmpty, "\(question)")
                    #expect(try await some.states.allRows().funds == whole.states.allRows().funds, "\(question)")
                    #expect(some.states.borrowers.keys.sorted() == whole.states.borrowers.keys.sorted(), "\(question)")
                    #expect(
                        some.states.versions.filter { FoldedStreams.readModelSources.includes($0.key.name) }
                            == whole.states.versions.filter { FoldedStreams.readModelSources.includes($0.key.name) }, "\(question)")
                }
            }
        }
    }

    @Test("a log whose borrowers' streams are named otherwise is folded whole: the loans keep their borrowers' registrations")
    func misnamed() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            _ = try await ProjectorTests.randomWorkload(store, seed: 12, steps: 120)
            let before = try await store.replay(reading: .copy).states.loanSnapshots
            #expect(before.contains { $0.industry != nil }, "no loan whose snapshot shows its borrower's registration")
            try await TestDatabase.behindTheApplicationsBack(url, "UPDATE events SET stream = 'x' || stream WHERE stream LIKE 'borrower-%'")
            for reading in [LogReading.pool, .copy] {
                let fold = try await store.replay(reading: reading, streams: .readModelSources)
                #expect(fold.states.loanSnapshots == before, "\(reading)")
                #expect(!fold.states.assets.isEmpty, "\(reading): not folded whole")
            }
        }
    }
}
