import Logging
import PledgerDomain
import PostgresNIO

/// The loans and borrowers of the log split into groups, each borrower with its every loan,
/// so that a rebuild folds and writes one group at a time and holds one group's states, not
/// the ledger's: a loan's row needs its borrower's registration, and its growth sums and
/// exposure part its borrower's other loans. A borrower's group is a hash of its USCC; a
/// loan's is its borrower's, as its founding event names it.
struct BorrowerGroups: Sendable {
    let count: Int
    /// Each loan's stream and its borrower's hash.
    private let loans: [String: UInt64]

    /// FNV-1a of the USCC: the same from run to run (Swift's `Hasher` is not).
    private static func hash(_ uscc: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uscc.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// FNV-1a's low bits follow its bytes' low bits (modulo 2 it is their parity): mixed first
    /// (SplitMix64's finaliser), so that groups come out even for any count.
    private func group(ofHash hash: UInt64) -> Int {
        var z = hash
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return Int((z ^ (z >> 31)) % UInt64(count))
    }

    func group(ofBorrower uscc: String) -> Int { group(ofHash: Self.hash(uscc)) }

    /// The group of a loan's or a borrower's stream; nil for any other stream.
    func group(ofStream name: String) -> Int? {
        if name.hasPrefix(FoldedStreams.borrowerPrefix) {
            return group(ofBorrower: String(name.dropFirst(FoldedStreams.borrowerPrefix.count)))
        }
        return loans[name].map(group(ofHash:))
    }

    /// The groups of the log up to `last`, about `loansPerGroup` loans each: the loans'
    /// founding events' borrowers, read by PostgreSQL from their JSON. Nil where the log does
    /// not name its funds', loans' and borrowers' streams plainly (`FoldedStreams.namesItsSources`):
    /// such a log is folded whole.
    static func read(_ store: EventStore, through last: Int64, loansPerGroup: Int) async throws -> BorrowerGroups? {
        async let plain = FoldedStreams.namesItsSources(store, through: last)
        let loans = try await store.withConnection("each loan's borrower") { connection in
            let rows = try await connection.query(
                """
                SELECT stream, coalesce(data::json->>'borrower', '') FROM events
                WHERE version = 1 AND type = \(LoanOriginated.type) AND stream LIKE \(FoldedStreams.loanPrefix + "%") AND position <= \(last)
                """, logger: store.logger)
            var loans: [String: UInt64] = [:]
            for try await (stream, borrower) in rows.decode((String, String).self) { loans[stream] = hash(borrower) }
            return loans
        }
        guard try await plain else { return nil }
        let step = max(1, loansPerGroup)
        return BorrowerGroups(count: max(1, (loans.count + step - 1) / step), loans: loans)
    }

    /// A fold of a group whose loans are not all its borrowers' (a loan whose state names
    /// another borrower than its founding event, or a borrower whose stream is named for
    /// another): the rebuild is done whole instead.
    struct Misplaced: Error, CustomStringConvertible {
        let stream: String
        var description: String { "\(stream) names another borrower than the group it was read in, which its name or founding event chose" }
    }

    /// Checks that each loan of a group's rows names the borrower its founding event named,
    /// and that each borrower folded in group `group` belongs there.
    func check(_ rows: [LoanRow], borrowers: some Sequence<Uscc>, group: Int) throws {
        if let wrong = rows.first(where: { loans[$0.stream] != Self.hash($0.snapshot.borrower.value) }) {
            throw Misplaced(stream: wrong.stream)
        }
        if let wrong = borrowers.first(where: { self.group(ofBorrower: $0.value) != group }) {
            throw Misplaced(stream: Streams.borrower(wrong))
        }
    }
}
