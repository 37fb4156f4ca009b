import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Growth sums under packed keys")
struct SumsByKeyTests {
    @Test("random additions and subtractions, through many growths: the same sums as a dictionary, zeros left out", arguments: 0..<8)
    func sameAsDictionary(seed: Int) {
        var random = SeededRandom(state: UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1)
        var table = SumsByKey()
        var reference: [UInt64: GrowthSums] = [:]
        // Few distinct keys, so most additions meet an entry; some far apart in their bits.
        let keys = (0..<Int.random(in: 1...3000, using: &random)).map { _ in
            Bool.random(using: &random)
                ? UInt64.random(in: 0..<500, using: &random) : UInt64.random(in: 0..<(UInt64.max - 1), using: &random)
        }
        for _ in 0..<20_000 {
            let key = keys.randomElement(using: &random)!
            // Taking back exactly what is there leaves a zero, which must not be listed.
            let more =
                Int.random(in: 0..<5, using: &random) == 0
                ? -(reference[key] ?? .zero)
                : GrowthSums(loans: Int64.random(in: -2...3, using: &random), principalFen: Int64.random(in: -1000...1000, using: &random))
            table.add(key, more)
            reference[key, default: .zero] += more
        }
        var listed: [UInt64: GrowthSums] = [:]
        for (key, sums) in table {
            #expect(listed[key] == nil, "key \(key) listed twice")
            listed[key] = sums
        }
        let nonZero = reference.filter { !$0.value.isZero }
        #expect(listed == nonZero)
        #expect(table.count == nonZero.count && table.isEmpty == nonZero.isEmpty)
    }

    @Test("the tally's keys keep the first and last days a date may have, and a previous month, exactly")
    func keyRange() {
        let loans = [
            Loans.loan("C-1", "1900-01-01", "10.00", borrower: 1),
            Loans.loan("C-2", "2200-11-30", "20.00", borrower: 2),
            Loans.loan("C-3", "2200-12-31", "30.00", borrower: 2),
        ]
        let entries = GrowthTally(loans, series: [.total], byBank: true).entries
        let expected: [GrowthEntry: GrowthSums] = [
            GrowthEntry(scope: "*", series: .total, value: "total", day: date("1900-01-01"), previousMonth: nil): .init(
                loans: 1, principalFen: 1000),
            GrowthEntry(scope: "*", series: .total, value: "total", day: date("2200-11-30"), previousMonth: nil): .init(
                loans: 1, principalFen: 2000),
            GrowthEntry(
                scope: "*", series: .total, value: "total", day: date("2200-12-31"), previousMonth: try! YearMonth(year: 2200, month: 11)):
                .init(loans: 1, principalFen: 3000),
        ]
        #expect(entries.filter { $0.key.scope == "*" } == expected)
        #expect(entries.count == 6, "each entry again in bank B1's own scope")
    }
}
