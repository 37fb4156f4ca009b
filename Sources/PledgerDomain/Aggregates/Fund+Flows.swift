extension FundState {
    /// The fund's dated money movements in the order its stream recorded them, with the sums
    /// through each date kept beside them. A balance on a date is asked for every cover the
    /// fund grants and every payout it makes; summing every movement each time made deciding
    /// a national fund's stream quadratic in its movements.
    ///
    /// The sums are exact (128-bit) and each answer is held within ±`Money.maximum`, as every
    /// running total is: equal to adding the movements one by one, saturating, whenever no
    /// partial sum passes the maximum (the rules refuse movements that would take it there).
    public struct MoneyFlows: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
        public private(set) var items: [MoneyFlow] = []
        /// The dates with movements, ascending, and the exact sum of every movement through each.
        private var days: [BusinessDate] = []
        private var sums: [Int128] = []

        public init() {}

        public init(arrayLiteral flows: MoneyFlow...) {
            for flow in flows { append(flow) }
        }

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> MoneyFlow { items[position] }

        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.items == rhs.items }
        public func hash(into hasher: inout Hasher) { hasher.combine(items) }

        public mutating func append(_ flow: MoneyFlow) {
            items.append(flow)
            add(flow.amount, on: flow.on)
        }

        /// Removes movements (a reversal takes out the one its event made), then sums again.
        public mutating func removeAll(where shouldBeRemoved: (MoneyFlow) throws -> Bool) rethrows {
            let count = items.count
            try items.removeAll(where: shouldBeRemoved)
            guard items.count != count else { return }
            let byDay = Dictionary(grouping: items, by: \.on).mapValues { $0.reduce(Int128(0)) { $0 + Int128($1.amount.fen) } }
            days = byDay.keys.sorted()
            var running: Int128 = 0
            sums = days.map { day in
                running += byDay[day]!
                return running
            }
        }

        /// Σ movements through the end of `date`.
        public func sum(through date: BusinessDate) -> Money {
            let index = daysThrough(date)
            return index == 0 ? .zero : Self.held(sums[index - 1])
        }

        /// Σ every movement.
        public var total: Money { sums.last.map(Self.held) ?? .zero }

        /// The lowest of the sums through `date` and through each later date with a movement.
        public func lowestSum(from date: BusinessDate) -> Money {
            let index = daysThrough(date)
            var lowest = index == 0 ? 0 : sums[index - 1]
            for sum in sums[index...] { lowest = Swift.min(lowest, sum) }
            return Self.held(lowest)
        }

        /// How many dates with movements are on or before `date`.
        private func daysThrough(_ date: BusinessDate) -> Int {
            var (low, high) = (0, days.count)
            while low < high {
                let middle = (low + high) / 2
                if days[middle] <= date { low = middle + 1 } else { high = middle }
            }
            return low
        }

        private mutating func add(_ amount: Money, on date: BusinessDate) {
            let fen = Int128(amount.fen)
            let index = daysThrough(date)
            if index > 0, days[index - 1] == date {
                for later in (index - 1)..<sums.count { sums[later] += fen }
            } else {
                // Usually the last date (movements come in date order): nothing after it moves.
                days.insert(date, at: index)
                sums.insert((index == 0 ? 0 : sums[index - 1]) + fen, at: index)
                for later in (index + 1)..<sums.count { sums[later] += fen }
            }
        }

        private static func held(_ sum: Int128) -> Money {
            let limit = Int128(Money.maximum.fen)
            return Money(fen: Int64(Swift.max(-limit, Swift.min(limit, sum))))
        }
    }
}

/// Written as its movements; the sums are made again when read.
extension FundState.MoneyFlows: Codable {
    public init(from decoder: any Decoder) throws {
        self.init()
        for flow in try [FundState.MoneyFlow](from: decoder) { append(flow) }
    }

    public func encode(to encoder: any Encoder) throws { try items.encode(to: encoder) }
}
