import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// A rebuild leaves the growth tables alone only when the check says they hold its tally:
/// the tally's own rows, in any order, pass; every way a stored table can drift from it fails.
@Suite("Stored growth check")
struct StoredGrowthCheckTests {
    /// A row of either table as `StoredGrowthCheck` reads it (`day` nil: a row by month).
    struct Row: Equatable {
        var scope: String, series: String, value: String
        var day: Int?
        var month: Int, previousMonth: Int
        var sums: GrowthSums
    }

    static func rows(_ tally: GrowthTally) -> [Row] {
        tally.all.map { entry in
            Row(
                scope: entry.run.scope, series: entry.run.seriesName, value: entry.run.value, day: entry.day.dayNumber,
                month: YearMonth(containing: entry.day).index, previousMonth: entry.previousMonth?.index ?? -1, sums: entry.sums)
        }
            + tally.byMonth.map { entry in
                Row(
                    scope: entry.run.scope, series: entry.run.seriesName, value: entry.run.value, day: nil, month: entry.month.index,
                    previousMonth: entry.previousMonth?.index ?? -1, sums: entry.sums)
            }
    }

    static func check(_ tally: GrowthTally, _ rows: [Row]) -> StoredGrowthCheck {
        var check = StoredGrowthCheck(tally)
        for row in rows {
            if let day = row.day {
                check.day(
                    scope: row.scope, series: row.series, value: row.value, day: day, month: row.month, previousMonth: row.previousMonth,
                    sums: row.sums)
            } else {
                check.month(
                    scope: row.scope, series: row.series, value: row.value, month: row.month, previousMonth: row.previousMonth,
                    sums: row.sums)
            }
        }
        return check
    }

    @Test("the tally's own rows, in any order, hold it; each kind of drift does not", arguments: 0..<12)
    func drift(seed: Int) throws {
        var random = SeededRandom(state: UInt64(seed) &* 104_729 &+ 5)
        var loans = GrowthTallyTests.loans(&random)
        while loans.isEmpty { loans = GrowthTallyTests.loans(&random) }
        let tally = GrowthTally(loans, byBank: true)
        let rows = Self.rows(tally).shuffled(using: &random)
        #expect(!rows.isEmpty)
        #expect(Self.check(tally, rows).holdsTally)
        #expect(Self.check(GrowthTally(), []).holdsTally)
        #expect(!Self.check(GrowthTally(), Array(rows.prefix(1))).holdsTally)

        let days = rows.indices.filter { rows[$0].day != nil }
        let months = rows.indices.filter { rows[$0].day == nil }
        let at = days[Int.random(in: 0..<days.count, using: &random)]
        let monthAt = months[Int.random(in: 0..<months.count, using: &random)]
        func drifted(_ index: Int, _ change: (inout Row) -> Void) -> [Row] {
            var copy = rows
            change(&copy[index])
            return copy
        }
        let drifts: [(String, [Row])] = [
            ("a day's row missing", rows.filter { $0 != rows[at] }),
            ("a month's row missing", rows.filter { $0 != rows[monthAt] }),
            ("a day's row twice", rows + [rows[at]]),
            ("a row of another scope", rows + [drifted(at) { $0.scope = "ghost" }[at]]),
            ("loans off by one", drifted(at) { $0.sums.loans += 1 }),
            ("principal off by one fen", drifted(monthAt) { $0.sums.principalFen -= 1 }),
            (
                "a row at zero",
                rows + [
                    drifted(at) {
                        $0.sums = .zero
                        $0.previousMonth = $0.month - 13
                    }[at]
                ]
            ),
            ("another series", drifted(at) { $0.series = $0.series == "total" ? "kind" : "total" }),
            ("another value", drifted(monthAt) { $0.value += "x" }),
            ("the month not the day's", drifted(at) { $0.month += 1 }),
            ("another previous month", drifted(at) { $0.previousMonth = $0.previousMonth < 0 ? $0.month - 1 : -1 }),
            ("a previous month below -1", drifted(monthAt) { $0.previousMonth = -2 }),
            ("a day far outside the calendar", drifted(at) { $0.day = 1 << 40 }),
            ("a previous month far outside", drifted(at) { $0.previousMonth = 1 << 20 }),
        ]
        for (name, rows) in drifts {
            let check = Self.check(tally, rows)
            #expect(!check.holdsTally, "\(name)")
        }
        // A bank's rows whose scope is spelled with the Kelvin sign for its "K": the same string
        // to Swift's `==`, another name to the table.
        let kelvin = GrowthTally(
            loans.map { loan in
                var loan = loan
                loan.bankId = bankId("KB")
                return loan
            }, byBank: true)
        let spelled = Self.rows(kelvin)
        let atBank = try #require(spelled.firstIndex { $0.scope == "KB" && $0.day != nil })
        var respelled = spelled
        respelled[atBank].scope = "\u{212A}B"
        #expect(respelled[atBank].scope == "KB" && Array(respelled[atBank].scope.utf8) != Array("KB".utf8))
        #expect(Self.check(kelvin, spelled).holdsTally)
        #expect(!Self.check(kelvin, respelled).holdsTally)

        // The first row that differs settles it, whatever follows.
        var settled = Self.check(tally, drifted(at) { $0.sums.loans += 1 })
        settled.day(scope: "", series: "", value: "", day: 0, month: 0, previousMonth: -1, sums: .zero)
        #expect(settled.differs && !settled.holdsTally)
    }
}
