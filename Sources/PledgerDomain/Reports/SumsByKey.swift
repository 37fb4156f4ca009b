/// Growth sums under keys packed into one integer, in a table with open addressing whose
/// hash is one multiplication. A national rebuild adds up tens of millions of loan slices;
/// through `Dictionary`, which hashes every key with SipHash, finding the entries was a third
/// of its growth step. Sums that come back to zero stay in their slot and are skipped when
/// read, so nothing is ever removed.
struct SumsByKey: Sendable, Sequence {
    /// The one key no entry may have: it marks a free slot.
    static let free = UInt64.max

    private var keys: [UInt64]
    private var sums: [GrowthSums]
    /// `64 - log2(capacity)`: a key's slot is the top bits of its product with the golden ratio.
    private var shift: UInt64
    private var used = 0
    /// Entries whose sums are not zero.
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity *= 2 }
        keys = Array(repeating: Self.free, count: capacity)
        sums = Array(repeating: .zero, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    var isEmpty: Bool { count == 0 }

    /// Adds `more` to the sums under `key` (a new key starts at zero).
    mutating func add(_ key: UInt64, _ more: GrowthSums) {
        precondition(key != Self.free, "a growth key collides with the free-slot mark")
        if (used + 1) * 2 > keys.count { grow() }
        let slot = slot(of: key)
        if keys[slot] == Self.free {
            keys[slot] = key
            used += 1
        }
        let before = sums[slot]
        let after = before + more
        sums[slot] = after
        count += (after.isZero ? 0 : 1) - (before.isZero ? 0 : 1)
    }

    /// The sums under `key`; nil when there are none (or they came back to zero).
    subscript(key: UInt64) -> GrowthSums? {
        let slot = slot(of: key)
        return keys[slot] == key && !sums[slot].isZero ? sums[slot] : nil
    }

    /// The slot that holds `key`, or the free slot where it would go (the table is never full).
    private func slot(of key: UInt64) -> Int {
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while keys[slot] != key && keys[slot] != Self.free { slot = (slot + 1) & mask }
        return slot
    }

    /// Every key whose sums are not zero, in no particular order.
    struct Iterator: IteratorProtocol {
        fileprivate let table: SumsByKey
        fileprivate var slot = 0

        mutating func next() -> (key: UInt64, sums: GrowthSums)? {
            while slot < table.keys.count {
                defer { slot += 1 }
                if table.keys[slot] != SumsByKey.free && !table.sums[slot].isZero { return (table.keys[slot], table.sums[slot]) }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(table: self) }
    var underestimatedCount: Int { count }

    private mutating func grow() {
        var bigger = SumsByKey(minimumCapacity: keys.count)
        for (key, sums) in self { bigger.add(key, sums) }
        self = bigger
    }
}
