import PledgerDomain

/// The loans and borrowers of the log split into groups, each borrower with its every loan,
/// so that a rebuild folds and writes one group at a time and holds one group's states, not
/// the ledger's: a loan's row needs its borrower's registration, and its growth sums and
/// exposure part its borrower's other loans.
///
/// A borrower's bucket is a hash of its USCC; a loan's is its borrower's, as its founding
/// event names it. That event is its stream's first, so the buckets are learned while the log
/// is read into them (`SpilledGroups`) — no read of the log comes first to ask each loan's
/// borrower. Only then is it known how many loans each bucket holds: the buckets are more than
/// the groups will be, and neighbouring buckets are joined into groups of about
/// `loansPerGroup` loans (`join`).
struct BorrowerGroups: Sendable {
    let buckets: Int
    /// Each loan's stream and its borrower's hash.
    private var loans: [String: UInt64] = [:]
    private var loansPerBucket: [Int]
    /// The buckets of each group, once `join` has made them.
    private(set) var groups: [Range<Int>] = []

    var count: Int { groups.count }

    init(buckets: Int) {
        self.buckets = max(1, buckets)
        loansPerBucket = Array(repeating: 0, count: self.buckets)
    }

    /// How many buckets a log of `last` events is read into: about four a group, had its every
    /// eighth event founded a loan (a loan takes ten or more events of its own, its borrower's
    /// and its fund's in a Pledger ledger), and at most 256 — past about 5 M loans a group is
    /// a bucket, of more than `loansPerGroup` loans.
    static func buckets(through last: Int64, loansPerGroup: Int) -> Int {
        let loans = max(1, Int(clamping: last) / 8)
        let groups = (loans + max(1, loansPerGroup) - 1) / max(1, loansPerGroup)
        return min(256, 4 * groups)
    }

    /// FNV-1a of the USCC: the same from run to run (Swift's `Hasher` is not).
    private static func hash<Bytes: Sequence<UInt8>>(_ uscc: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uscc { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// FNV-1a's low bits follow its bytes' low bits (modulo 2 it is their parity): mixed first
    /// (SplitMix64's finaliser), so that buckets come out even for any count.
    private func bucket(ofHash hash: UInt64) -> Int {
        var z = hash
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return Int((z ^ (z >> 31)) % UInt64(buckets))
    }

    private func bucket(ofBorrower uscc: String) -> Int { bucket(ofHash: Self.hash(uscc.utf8)) }

    /// The bucket of an event of stream `name` at `version` whose payload is `data`; nil for a
    /// stream other than a loan's or a borrower's. A loan's founding event tells its borrower
    /// (a payload without one puts the loan with the borrower whose USCC is empty: its fold
    /// meets what is wrong with it); a loan's later event whose founding event was not read
    /// first is a log written behind the application's back, folded whole (`Misplaced`).
    mutating func bucket(ofStream name: String, version: Int32, data: UnsafeBufferPointer<UInt8>) throws -> Int? {
        // By bytes, as the server's `LIKE` picked the stream: `hasPrefix` compares characters,
        // and "loan-" before a combining mark is not a prefix of its name to it.
        if name.utf8.starts(with: FoldedStreams.borrowerPrefix.utf8) {
            return bucket(ofHash: Self.hash(name.utf8.dropFirst(FoldedStreams.borrowerPrefix.utf8.count)))
        }
        guard name.utf8.starts(with: FoldedStreams.loanPrefix.utf8) else { return nil }
        if let hash = loans[name] { return bucket(ofHash: hash) }
        guard version == 1 else { throw Misplaced(stream: name, why: "has an event at version \(version) before its founding event") }
        let hash: UInt64
        if let borrower = Self.borrower(inCanonical: data) {
            hash = Self.hash(borrower)
        } else if case .string(let borrower)? = (try? JSONParser.parse(data))?["borrower"] {
            hash = Self.hash(borrower.utf8)
        } else {
            hash = Self.hash("".utf8)
        }
        loans[name] = hash
        let bucket = bucket(ofHash: hash)
        loansPerBucket[bucket] += 1
        return bucket
    }

    /// The top-level `"borrower"` of a founding payload in canonical form (no spaces, the
    /// USCC without escapes), found without building its JSON tree: a loan's founding event is
    /// one in ten of the log, and that tree cost a third of a core-second at national size.
    /// Nil where the payload is not so plain: it is then parsed.
    static func borrower(inCanonical data: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let (quote, backslash) = (UInt8(ascii: "\""), UInt8(ascii: "\\"))
        let key = #""borrower":""#.utf8
        var (depth, index) = (0, 0)
        while index < data.count {
            switch data[index] {
            case quote:
                let start = index
                index += 1
                while index < data.count, data[index] != quote { index += data[index] == backslash ? 2 : 1 }
                index += 1
                guard depth == 1, data.count - start > key.count,
                    UnsafeBufferPointer(rebasing: data[start..<start + key.count]).elementsEqual(key)
                else { continue }
                let value = start + key.count
                guard let end = data[value...].firstIndex(of: quote), !data[value..<end].contains(backslash) else { return nil }
                return UnsafeBufferPointer(rebasing: data[value..<end])
            case UInt8(ascii: "{"), UInt8(ascii: "["): (depth, index) = (depth + 1, index + 1)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): (depth, index) = (depth - 1, index + 1)
            default: index += 1
            }
        }
        return nil
    }

    /// Joins neighbouring buckets into groups of about `loansPerGroup` loans, once every
    /// bucket is known: a bucket goes to the next group where the group's count ends nearer
    /// the aim without it. A bucket of more loans than that is a group of its own.
    mutating func join(loansPerGroup: Int) {
        let aim = max(1, loansPerGroup)
        groups = []
        var (start, loans) = (0, 0)
        for bucket in 0..<buckets {
            let more = loansPerBucket[bucket]
            if loans > 0 && loans + more > aim && loans + more - aim > aim - loans {
                groups.append(start..<bucket)
                (start, loans) = (bucket, 0)
            }
            loans += more
            if loans >= aim {
                groups.append(start..<bucket + 1)
                (start, loans) = (bucket + 1, 0)
            }
        }
        if start < buckets { groups.append(start..<buckets) }
    }

    /// A fold of a group whose loans are not all its borrowers' (a loan whose state names
    /// another borrower than its founding event, or a borrower whose stream is named for
    /// another): the rebuild is done whole instead.
    struct Misplaced: Error, CustomStringConvertible {
        let stream: String
        var why = "names another borrower than the group it was read in, which its name or founding event chose"
        var description: String { "\(stream) \(why)" }
    }

    /// Checks that each loan of a group's rows names the borrower its founding event named,
    /// and that each borrower folded in group `group` belongs there.
    func check(_ rows: [LoanRow], borrowers: some Sequence<Uscc>, group: Int) throws {
        if let wrong = rows.first(where: { loans[$0.stream] != Self.hash($0.snapshot.borrower.value.utf8) }) {
            throw Misplaced(stream: wrong.stream)
        }
        if let wrong = borrowers.first(where: { !groups[group].contains(bucket(ofBorrower: $0.value)) }) {
            throw Misplaced(stream: Streams.borrower(wrong))
        }
    }
}
