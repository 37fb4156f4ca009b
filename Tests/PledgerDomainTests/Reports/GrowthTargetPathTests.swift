import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The target path a growth chart draws (目标路径) and the month ends an exposure chart is drawn at.
@Suite("Target path and exposure dates")
struct GrowthTargetPathTests {
    @Test func pathCompoundsTheBasePeriodByTheTarget() throws {
        // GrowthLedger: 2,000,000 in 2021; 15% a year from there, exact in fen.
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025)
        #expect(report.targetPath == ["2,000,000.00", "2,300,000.00", "2,645,000.00", "3,041,750.00", "3,498,012.50"].map(yuan))
    }

    /// A bar reaching its point on the path and the CAGR verdict up to that period are one
    /// and the same question, so the chart can never contradict the verdict printed beside it.
    @Test func reachingThePathIsMeetingTheTargetOnAverage() throws {
        for target in [Bp(1500), Bp(1304), Bp(1598), Bp(1599), Bp(0), Bp(-500)] {
            let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025, target: target)
            let path = report.targetPath
            for k in 1..<report.years.count {
                let cagr = try #require(GrowthReport.cagr(Array(report.years[0...k])))
                #expect((report.years[k].principalFen >= path[k]!) == (cagr >= target), "year \(report.years[k].label) at \(target)")
            }
        }
    }

    @Test func eachStepRoundsDownToTheFen() {
        let rows = [period(100_000_001), period(0), period(0)]
        // 1,000,000.01 × 1.15 = 1,150,000.0115 → 1,150,000.01; × 1.15 = 1,322,500.0115 → 1,322,500.01
        #expect(
            GrowthReport.targetPath(rows, target: Bp(1500)) == [Money(fen: 100_000_001), Money(fen: 115_000_001), Money(fen: 132_250_001)])
    }

    @Test func incompletePeriodsAndAnEmptyBaseHaveNoPoint() {
        var ytd = period(50_000_000)
        ytd.state = .yearToDate
        #expect(GrowthReport.targetPath([period(100_000_000), ytd], target: Bp(1500)) == [Money(fen: 100_000_000), nil])
        #expect(GrowthReport.targetPath([period(0), period(100)], target: Bp(1500)) == [nil, nil])
        #expect(GrowthReport.targetPath([ytd], target: Bp(1500)) == [nil])
    }

    @Test func exposureIsDrawnAtEachMonthEndSinceTheFundWasEstablished() {
        let dates = ExposureHistory.dates(establishedOn: date("2022-01-01"), through: date("2025-06-15"))
        #expect(dates.count == 42)
        #expect(dates.first == date("2022-01-31"))
        #expect(dates.suffix(2) == [date("2025-05-31"), date("2025-06-15")])
        // A month end as of date closes the series once, not twice.
        #expect(
            ExposureHistory.dates(establishedOn: date("2025-01-10"), through: date("2025-03-31"))
                == ["2025-01-31", "2025-02-28", "2025-03-31"].map(date))
        // At most sixty points, the last ones.
        let long = ExposureHistory.dates(establishedOn: date("2010-01-01"), through: date("2025-06-30"))
        #expect(long.count == ExposureHistory.monthLimit)
        #expect(long.first == date("2020-07-31"))
    }

    func period(_ fen: Int64) -> GrowthReport.Period {
        GrowthReport.Period(
            year: 2021, label: "2021", start: date("2021-01-01"), end: date("2021-12-31"), through: date("2021-12-31"), state: .complete,
            loans: 1, principalFen: Money(fen: fen), borrowers: 1)
    }
}

@Suite("CAGR of a falling series")
struct FallingCAGRTests {
    /// 4,000,000 → 2,000,000 → 1,000,000 is −50% a year; the search must not stop at the
    /// first step merely because it is still above the last period's principal.
    @Test func aFallingSeriesHasItsTrueRate() {
        func period(_ yuanText: String) -> GrowthReport.Period {
            GrowthReport.Period(
                year: 2021, label: "x", start: date("2021-01-01"), end: date("2021-12-31"), through: date("2021-12-31"), state: .complete,
                loans: 1, principalFen: yuan(yuanText), borrowers: 1)
        }
        #expect(GrowthReport.cagr([period("4,000,000.00"), period("2,000,000.00"), period("1,000,000.00")]) == Bp(-5000))
        // (776 ÷ 2,769)^(1/2) − 1 = −47.06%, rounded down.
        #expect(GrowthReport.cagr([period("2,769.00"), period("2,763.00"), period("776.00")]) == Bp(-4707))
        // A rising series is unchanged: 2,000,000 → 3,120,000 over three years is 15.97%.
        #expect(GrowthReport.cagr([period("2,000,000.00"), period("1.00"), period("1.00"), period("3,120,000.00")]) == Bp(1597))
    }
}
