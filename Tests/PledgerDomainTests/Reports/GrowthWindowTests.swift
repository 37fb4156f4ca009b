import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Growth: month windows")
struct GrowthWindowTests {
    /// The plan's acceptance period 2022-08:2025-08, in 12-month periods:
    ///   2022-08..2023-07  Aug 1 2022 1,000,000 + Jul 31 2023 1,000,000           = 2,000,000
    ///   2023-08..2024-07  Aug 1 2023   500,000 + Feb 29 2024 1,600,000           = 2,100,000  (+5.00%, MISSED)
    ///   2024-08..2025-07  Aug 15 2024 2,000,000 + Jul 31 2025   645,000          = 2,645,000  (+25.95%, met: 545,000 ÷ 2,100,000 = 0.259523…)
    ///   2025-08..2025-08  Aug 20 2025   300,000, partial, against Aug 2024 2,000,000 → −85.00%
    /// Outside: Jul 31 2022 and Sep 1 2025; a cancelled loan in the first period.
    /// CAGR over the three whole periods: 2,645,000 ÷ 2,000,000 = 1.3225 = 1.15², so 15.00%
    /// (200,000,000 × 1.15² = 264,500,000 exactly; × 1.1501² = 264,546,002 is more).
    static let loans = [
        Loans.loan("OUT1", "2022-07-31", "9,999.00"),
        Loans.loan("A", "2022-08-01", "1,000,000.00", borrower: 1), Loans.loan("B", "2023-07-31", "1,000,000.00", borrower: 2),
        Loans.loan("X", "2022-09-01", "123,456.78", cancelled: true),
        Loans.loan("C", "2023-08-01", "500,000.00"), Loans.loan("D", "2024-02-29", "1,600,000.00"),
        Loans.loan("E", "2024-08-15", "2,000,000.00"), Loans.loan("F", "2025-07-31", "645,000.00"),
        Loans.loan("G", "2025-08-20", "300,000.00"),
        Loans.loan("OUT2", "2025-09-01", "1,000,000.00"),
    ]

    @Test("periods, totals, growth and CAGR by hand")
    func acceptancePeriod() throws {
        let window = try MonthWindow(parsing: "2022-08:2025-08")
        #expect(window.months == 37 && !window.isCalendarYears)
        let report = try GrowthReport.compute(Self.loans, window: window)
        #expect(report.years.map(\.label) == ["2022-08..2023-07", "2023-08..2024-07", "2024-08..2025-07", "2025-08..2025-08"])
        #expect(report.years.map(\.state) == [.complete, .complete, .complete, .partial])
        #expect(report.years.map(\.start) == ["2022-08-01", "2023-08-01", "2024-08-01", "2025-08-01"].map(date))
        #expect(report.years.map(\.end) == ["2023-07-31", "2024-07-31", "2025-07-31", "2025-08-31"].map(date))
        #expect(report.years.map(\.principalFen) == ["2,000,000.00", "2,100,000.00", "2,645,000.00", "300,000.00"].map(yuan))
        #expect(report.years.map(\.loans) == [2, 2, 2, 1])
        #expect(report.years[0].borrowers == 2)
        #expect(report.years.map(\.principalGrowthBp) == [nil, Bp(500), Bp(2595), Bp(-8500)])
        #expect(report.years.map(\.targetMet) == [nil, false, true, false])
        #expect(
            report.years[1].base
                == GrowthReport.Base(start: date("2022-08-01"), end: date("2023-07-31"), loans: 2, principalFen: yuan("2,000,000.00")))
        #expect(
            report.years[3].base
                == GrowthReport.Base(start: date("2024-08-01"), end: date("2024-08-31"), loans: 1, principalFen: yuan("2,000,000.00")))
        #expect(
            report.summary
                == GrowthReport.Summary(
                    cagrBp: Bp(1500), cagrFrom: "2022-08..2023-07", cagrTo: "2024-08..2025-07", cagrPeriods: 2,
                    targetMetOnAverage: true, periodsJudged: 2, periodsMet: 1, targetMetEveryPeriod: false))
        // The window's total, month by month, is every loan in it and no other.
        #expect(report.monthly.reduce(0) { $0 + $1.principalFen.fen } == yuan("7,045,000.00").fen)
        #expect(report.years.reduce(0) { $0 + $1.principalFen.fen } == yuan("7,045,000.00").fen)
        #expect(report.fromYear == 2022 && report.toYear == 2025)
        let table = report.tables()[0]
        #expect(table.headers[0] == "Period" && table.rows[3][0] == "2025-08..2025-08 partial")
        #expect(table.notes.contains("CAGR 2022-08..2023-07 to 2024-08..2025-07 (2 periods): 15.00% — target 15.00% met on average"))
        #expect(
            table.notes.contains(
                "2025-08..2025-08 is a partial period: 2025-08-01 to 2025-08-31, against 2024-08-01 to 2024-08-31 (the same span a year earlier); not in the CAGR."
            ))
    }

    /// asOf 2025-03-31 cuts the third period: Aug 15 2024 2,000,000 against Aug 2023–Mar 2024
    /// 2,100,000 → −100,000 ÷ 2,100,000 = −476.19 bp, rounded down (toward −∞) to −477.
    @Test("asOf inside a window: the period to date against the same months, later periods not begun")
    func windowToDate() throws {
        let report = try GrowthReport.compute(Self.loans, window: try MonthWindow(parsing: "2022-08:2025-08"), asOf: date("2025-03-31"))
        #expect(report.years.map(\.state) == [.complete, .complete, .yearToDate, .notBegun])
        #expect(report.years[2].base?.start == date("2023-08-01") && report.years[2].base?.end == date("2024-03-31"))
        #expect(report.years[2].principalFen == yuan("2,000,000.00") && report.years[2].principalGrowthBp == Bp(-477))
        #expect(report.cagrBp == Bp(500) && report.summary.cagrTo == "2023-08..2024-07")
    }

    @Test("a window from January is by calendar year; years are the window Jan–Dec")
    func calendarWindow() throws {
        let byYears = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025)
        let byWindow = try GrowthReport.compute(try GrowthLedger().snapshots(), window: try MonthWindow(parsing: "2021-01:2025-12"))
        #expect(byYears == byWindow)
        #expect(byYears.years.map(\.label) == ["2021", "2022", "2023", "2024", "2025"])
        // Ending mid-year makes the last calendar year partial.
        let midYear = try GrowthReport.compute(try GrowthLedger().snapshots(), window: try MonthWindow(parsing: "2021-01:2025-06"))
        #expect(midYear.years.last?.state == .partial && midYear.years.last?.label == "2025" && midYear.cagrBp != nil)
    }

    @Test("windows are validated")
    func validation() {
        for text in ["2025-08:2022-08", "2022-8:2025-08", "2022-08", "2022-13:2023-01", "1899-12:1900-01", "2022-08:2025-08:2026-01"] {
            #expect(throws: DomainError.self, "\(text)") { try MonthWindow(parsing: text) }
        }
        #expect(throws: DomainError.self) { try GrowthReport.compute([], from: 2025, to: 2021) }
    }
}

@Suite("Growth: regions rolled up")
struct GrowthRegionTests {
    /// 2024 / 2025 principal by district:
    ///   211303 100 / 1,000   211302 20 / 200   211381 3 / 30   (city 211300: 123 / 1,230)
    ///   210102 4,000 / 5,000                                    (city 210100: 4,000 / 5,000)
    ///   → province 210000: 4,123 / 6,230
    ///   110105 50,000 / 60,000 → city 110100, province 110000; no region: 7 / 8 → "unknown".
    static let loans: [LoanSnapshot] = [
        ("211303", "100.00", "1,000.00"), ("211302", "20.00", "200.00"), ("211381", "3.00", "30.00"),
        ("210102", "4,000.00", "5,000.00"), ("110105", "50,000.00", "60,000.00"), (nil, "7.00", "8.00"),
    ].enumerated().flatMap { index, item in
        [Loans.loan("R\(index)a", "2024-06-01", item.1, region: item.0), Loans.loan("R\(index)b", "2025-06-01", item.2, region: item.0)]
    }

    @Test("city and province groups, summing exactly to the totals", arguments: RegionLevel.allCases)
    func rollup(level: RegionLevel) throws {
        let report = try GrowthReport.compute(Self.loans, from: 2024, to: 2025, by: .region, regionLevel: level)
        let expected: [String: [String]] =
            switch level {
            case .district:
                [
                    "110105": ["50,000.00", "60,000.00"], "210102": ["4,000.00", "5,000.00"], "211302": ["20.00", "200.00"],
                    "211303": ["100.00", "1,000.00"], "211381": ["3.00", "30.00"], "unknown": ["7.00", "8.00"],
                ]
            case .city:
                [
                    "110100": ["50,000.00", "60,000.00"], "210100": ["4,000.00", "5,000.00"], "211300": ["123.00", "1,230.00"],
                    "unknown": ["7.00", "8.00"],
                ]
            case .province: ["110000": ["50,000.00", "60,000.00"], "210000": ["4,123.00", "6,230.00"], "unknown": ["7.00", "8.00"]]
            }
        #expect(report.regionLevel == level)
        #expect(report.slices.map(\.value) == expected.keys.sorted())
        for slice in report.slices { #expect(slice.years.map(\.principalFen) == expected[slice.value]!.map(yuan), "\(slice.value)") }
        for (index, year) in report.years.enumerated() {
            #expect(report.slices.reduce(0) { $0 + $1.years[index].principalFen.fen } == year.principalFen.fen)
            #expect(report.slices.reduce(0) { $0 + $1.years[index].loans } == year.loans)
        }
        #expect(report.years.map(\.principalFen) == [yuan("54,130.00"), yuan("66,238.00")])
    }

    @Test("codes roll up by prefix; a rollup needs the region slicing")
    func codes() throws {
        let code = try RegionCode("211303")
        #expect(RegionLevel.allCases.map { code.rolledUp(to: $0) } == ["211303", "211300", "210000"])
        #expect(try RegionCode("211300").rolledUp(to: .city) == "211300")
        #expect(try GrowthReport.compute(Self.loans, from: 2024, to: 2025, by: .bank).regionLevel == nil)
        for dimension in [nil, GrowthReport.Dimension.bank] {
            #expect(throws: DomainError.self) {
                try GrowthReport.compute(Self.loans, from: 2024, to: 2025, by: dimension, regionLevel: .city)
            }
        }
        let table = try GrowthReport.compute(Self.loans, from: 2024, to: 2025, by: .region, regionLevel: .province).tables()
        #expect(table[1].title == ["region (province): 110000"])
    }
}
