import PledgerDomain
import PledgerDomainTestSupport
import Testing

@testable import PledgerStore

@Suite("Read-model writes")
struct ReadModelWriterTests {
    @Test("a rebuild's chunks keep each borrower's loans together, so their growth sums add up to the whole tally", arguments: [1, 3, 7])
    func chunksByBorrower(size: Int) async throws {
        var generator = CommandGenerator(seed: 21)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for step in 0..<400 {
            if step % 8 == 0 { await Task.yield() }
            _ = try? ledger.run(generator.next(ledger))
        }
        // Loans in stream order, as the fold lists them: a borrower's are not adjacent.
        let rows = try ledger.states.loanSnapshots.map(LoanRow.init).sorted { $0.stream < $1.stream }
        let borrowers = Dictionary(grouping: rows, by: \.snapshot.borrower)
        #expect(borrowers.values.contains { $0.count > 1 }, "the workload should give a borrower several loans")

        let chunks = ReadModelWriter.byBorrower(rows, size: size)
        #expect(chunks.flatMap { $0 }.map(\.stream).sorted() == rows.map(\.stream).sorted())
        for (borrower, loans) in borrowers {
            #expect(
                chunks.filter { $0.contains { $0.snapshot.borrower == borrower } }.count == 1, "\(borrower): \(loans.count) loans split")
        }
        // Each chunk's tally numbers its runs as it meets them; summed, they renumber.
        let summed = try await ReadModelWriter.tally(chunks)
        let whole = GrowthEntry.tally(rows.map(\.snapshot), byBank: true)
        #expect(summed.entries == whole)
        #expect(summed.count == whole.count)
    }
}
