import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The growth report computed from summed cells (as the read side keeps them) against the
/// report computed loan by loan, the way it was before the sums existed: random loans —
/// repeat borrowers at several banks, several kinds, cancellations, regions — random windows
/// and random cuts must give identical reports.
@Suite("Growth sums")
struct GrowthTallyTests {
    @Test("cells summed by month (by day where a range cuts) give the loan-by-loan report", arguments: 0..<40)
    func sumsMatchLoanByLoan(seed: Int) throws {
        var random = SeededRandom(state: UInt64(seed) &* 7919 &+ 17)
        let loans = Self.loans(&random)
        let from = try YearMonth(year: 2022, month: Int.random(in: 1...12, using: &random))
        let window = try MonthWindow(from: from, to: from.adding(months: Int.random(in: 0...47, using: &random)))
        let asOf: BusinessDate? =
            Bool.random(using: &random) ? nil : date("2021-12-20").adding(days: Int.random(in: 0...(365 * 6), using: &random))
        for series in GrowthReport.Series.all {
            let expected = try Reference.compute(
                loans, window: window, asOf: asOf, by: series.dimension, regionLevel: series.regionLevel)
            // Summed as the database sums them: entries of all banks, then cells.
            let entries = GrowthEntry.tally(loans, byBank: true).filter { $0.key.scope == GrowthEntry.allBanks }
            let cells = GrowthCell.cells(entries, window: window, asOf: asOf)
            let summed = try GrowthReport.compute(
                cells: cells, window: window, asOf: asOf, by: series.dimension, regionLevel: series.regionLevel)
            #expect(summed == expected, "\(series), window \(window), as of \(asOf?.description ?? "none")")
        }
        // One bank's scope counts only its own loans (and borrowers).
        let bank = bankId("B2")
        let own = loans.filter { $0.bankId == bank }
        let cells = GrowthCell.cells(
            GrowthEntry.tally(loans, byBank: true).filter { $0.key.scope == bank.value }, window: window, asOf: asOf)
        #expect(try GrowthReport.compute(cells: cells, window: window, asOf: asOf) == Reference.compute(own, window: window, asOf: asOf))
    }

    @Test("the difference between two sets of loans turns the first's sums into the second's")
    func differenceApplies() throws {
        var random = SeededRandom(state: 99)
        let before = Self.loans(&random)
        var after = before
        for index in after.indices where Int.random(in: 0..<4, using: &random) == 0 {
            after[index].status = after[index].status == .cancelled ? .active : .cancelled
        }
        after[0].schemeId = try SchemeId("S-NEW")
        var sums = GrowthEntry.tally(before, byBank: true)
        for (entry, change) in GrowthEntry.difference(from: before, to: after).entries {
            sums[entry, default: .zero] = sums[entry, default: .zero] + change
        }
        #expect(sums.filter { !$0.value.isZero } == GrowthEntry.tally(after, byBank: true))
        #expect(GrowthEntry.difference(from: before, to: before).isEmpty)
        var repaid = before[1]
        repaid.outstandingFen = .zero
        #expect(!GrowthEntry.counts(before[1], differentlyFrom: repaid))
        #expect(GrowthEntry.counts(before[0], differentlyFrom: after[0]))
        #expect(GrowthEntry.counts(nil, differentlyFrom: repaid))
    }

    @Test("tallies of borrowers apart add up to the tally of all, whatever order their runs were met in; by month sums the days")
    func talliesAdd() throws {
        var random = SeededRandom(state: 4242)
        let loans = Self.loans(&random)
        let whole = GrowthTally(loans, byBank: true)
        // Split by borrower, the second part first: its runs are numbered otherwise.
        let borrowers = Set(loans.map(\.borrower)).sorted { $0.value < $1.value }
        let half = Set(borrowers.prefix(borrowers.count / 2))
        var summed = GrowthTally(loans.filter { !half.contains($0.borrower) }, byBank: true)
        summed.add(GrowthTally(loans.filter { half.contains($0.borrower) }, byBank: true))
        #expect(summed.entries == whole.entries && summed.count == whole.count)
        #expect(!whole.isEmpty)
        // Taken away again, nothing is left.
        summed.add(whole, negated: true)
        #expect(summed.isEmpty)

        var months: [String: GrowthSums] = [:]
        for (entry, sums) in whole.entries {
            months[
                "\(entry.scope) \(entry.series) \(entry.value) \(YearMonth(containing: entry.day)) \(String(describing: entry.previousMonth))",
                default: .zero] += sums
        }
        let byMonth = whole.byMonth
        #expect(byMonth.count == months.count)
        for month in byMonth {
            let name = "\(month.run.scope) \(month.run.series) \(month.run.value) \(month.month) \(String(describing: month.previousMonth))"
            #expect(months[name] == month.sums, "\(name)")
            #expect(month.run.seriesName == month.run.series.description)
        }
    }

    @Test("in the tables' key order: every entry, by scope, series, day (month), value, previous month, texts by their UTF-8 bytes")
    func keyOrder() throws {
        var random = SeededRandom(state: 77)
        let tally = GrowthTally(Self.loans(&random) + Self.loans(&random) + Self.loans(&random), byBank: true)
        func bytes(_ text: String) -> [Int] { text.utf8.map(Int.init) }
        // Compared as flat integer lists: a text's bytes, then a separator below any byte.
        func order(_ scope: String, _ series: String, _ time: Int, _ value: String, _ previous: YearMonth?) -> [Int] {
            bytes(scope) + [-1] + bytes(series) + [-1, time] + bytes(value) + [-1, previous?.index ?? -1]
        }
        let byDay = tally.allInKeyOrder.map { order($0.run.scope, $0.run.seriesName, $0.day.dayNumber, $0.run.value, $0.previousMonth) }
        let expected = tally.all.map { order($0.run.scope, $0.run.seriesName, $0.day.dayNumber, $0.run.value, $0.previousMonth) }
        #expect(byDay.count > 500 && byDay == expected.sorted { $0.lexicographicallyPrecedes($1) })
        let byMonth = tally.byMonthInKeyOrder.map { order($0.run.scope, $0.run.seriesName, $0.month.index, $0.run.value, $0.previousMonth) }
        let months = tally.byMonth.map { order($0.run.scope, $0.run.seriesName, $0.month.index, $0.run.value, $0.previousMonth) }
        #expect(byMonth.count > 100 && byMonth == months.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(zip(tally.allInKeyOrder, tally.allInKeyOrder.dropFirst()).allSatisfy { $0.run != $1.run || $0.day <= $1.day })
    }

    @Test("a cell straddling a range is refused, never counted by guess")
    func coarseCellsRefused() throws {
        let window = try MonthWindow.years(2024, 2025)
        let cell = GrowthCell(
            series: .total, value: "total", month: try YearMonth(year: 2025, month: 3), day: nil,
            sums: GrowthSums(loans: 1, principalFen: 100), borrowers: 1)
        #expect(throws: CellsTooCoarse.self) { try GrowthReport.compute(cells: [cell], window: window, asOf: date("2025-03-10")) }
        #expect(try GrowthReport.compute(cells: [cell], window: window, asOf: date("2025-03-31")).years[1].loans == 1)
    }

    static func loans(_ random: inout SeededRandom) -> [LoanSnapshot] {
        let kinds: [AssetKind] = [.patent, .trademark, .copyright]
        return (0..<Int.random(in: 0...90, using: &random)).map { index in
            var loan = Loans.loan(
                "C-\(index)", date("2021-01-01").adding(days: Int.random(in: 0...(365 * 7), using: &random)).description,
                "\(Int.random(in: 1...900, using: &random)).\(Int.random(in: 10...99, using: &random))",
                bank: ["B1", "B2", "B3"].randomElement(using: &random)!, borrower: Int.random(in: 1...12, using: &random),
                region: ["211303", "211304", "211102", "110105", nil].randomElement(using: &random)!,
                cancelled: Int.random(in: 0..<8, using: &random) == 0)
            if Bool.random(using: &random) {
                let half = Money(fen: loan.principalFen.fen / 2)
                loan.principalByKind = [
                    .init(kind: kinds.randomElement(using: &random)!, principalFen: half),
                    .init(kind: .softwareCopyright, principalFen: Money(fen: loan.principalFen.fen - half.fen)),
                ]
            }
            if Bool.random(using: &random) { loan.fundId = try! FundId("F1") } else { loan.fundId = nil }
            loan.schemeId = Bool.random(using: &random) ? try! SchemeId(["S1", "S2"].randomElement(using: &random)!) : nil
            return loan
        }
    }
}

/// The growth report as computed loan by loan before the read side kept sums (sets of
/// loans and of borrowers per range): the oracle the sums are held to.
private enum Reference {
    static func compute(
        _ snapshots: [LoanSnapshot], window: MonthWindow, asOf: BusinessDate? = nil, target: Bp = Bp(1500),
        by dimension: GrowthReport.Dimension? = nil, regionLevel: RegionLevel = .district
    ) throws -> GrowthReport {
        let spans = GrowthReport.spans(window, asOf: asOf)
        let firstDay = window.from.firstDay
        let lastDay = asOf.map { min($0, window.to.lastDay) } ?? window.to.lastDay
        let loans = snapshots.filter { $0.status != .cancelled && firstDay <= $0.originatedOn && $0.originatedOn <= lastDay }
        let contributions: [(value: String, loan: LoanSnapshot, principal: Money)] = loans.flatMap { loan in
            guard let dimension else { return [("total", loan, loan.principalFen)] }
            return GrowthReport.Series(dimension, regionLevel: regionLevel).contributions(of: loan).map { ($0.value, loan, $0.principal) }
        }
        let total = try periods(loans.map { ($0, $0.principalFen) }, spans, target)
        var slices: [GrowthReport.Slice] = []
        if let dimension {
            let grouped = Dictionary(grouping: contributions, by: \.value)
            for value in grouped.keys.sorted() {
                let rows = try periods(grouped[value]!.map { ($0.loan, $0.principal) }, spans, target)
                slices.append(GrowthReport.Slice(value: value, years: rows, summary: GrowthReport.summary(rows, target)))
            }
        }
        let byMonth = Dictionary(grouping: loans) { String($0.originatedOn.description.prefix(7)) }
        let monthly = try byMonth.keys.sorted().map { month in
            GrowthReport.Month(
                month: month, loans: byMonth[month]!.count,
                principalFen: try Money.total(byMonth[month]!.map(\.principalFen), of: "month", field: "principal_fen"))
        }
        return GrowthReport(
            fromYear: window.from.year, toYear: window.to.year, window: window, asOf: asOf, targetBp: target, years: total,
            summary: GrowthReport.summary(total, target), monthly: monthly, dimension: dimension,
            regionLevel: dimension == .region ? regionLevel : nil, slices: slices, benchmark: nil)
    }

    static func periods(_ items: [(loan: LoanSnapshot, principal: Money)], _ spans: [GrowthReport.Span], _ target: Bp) throws
        -> [GrowthReport.Period]
    {
        func count(_ range: ClosedRange<BusinessDate>?) throws -> (items: [(loan: LoanSnapshot, principal: Money)], principal: Money) {
            let inside = range.map { range in items.filter { range.contains($0.loan.originatedOn) } } ?? []
            return (inside, try Money.total(inside.map(\.principal), of: "span", field: "principal_fen"))
        }
        var rows: [GrowthReport.Period] = []
        for span in spans {
            let (inSpan, principal) = try count(span.through.map { span.start...$0 })
            var row = GrowthReport.Period(
                year: span.year, label: span.label, start: span.start, end: span.end, through: span.through, state: span.state,
                loans: Set(inSpan.map(\.loan.key)).count, principalFen: principal, borrowers: Set(inSpan.map(\.loan.borrower)).count)
            if let range = span.base {
                let (inBase, basePrincipal) = try count(range)
                let base = GrowthReport.Base(
                    start: range.lowerBound, end: range.upperBound, loans: Set(inBase.map(\.loan.key)).count, principalFen: basePrincipal)
                row.base = base
                if !(span.state == .yearToDate && !principal.isPositive) {
                    row.principalGrowthBp = Bp.ratio(try principal - base.principalFen, base.principalFen, rounding: .down)
                    row.loanGrowthBp = Bp.ratio(Money(fen: Int64(row.loans - base.loans)), Money(fen: Int64(base.loans)), rounding: .down)
                    row.targetMet = row.principalGrowthBp.map { $0 >= target }
                }
            }
            rows.append(row)
        }
        return rows
    }
}
