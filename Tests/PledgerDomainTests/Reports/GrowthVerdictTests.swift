import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Growth: percentages as the verdict sees them")
struct GrowthPercentTests {
    /// 2024 1,000,000.00 → 2025 1,149,900.00 (+14.99%) → 2026 1,322,385.00 (+15.00%)
    /// → 2027 1,322,384.99 (−0.01 yuan: −0.00000076%, which rounds down, toward −∞, to −1 bp).
    @Test("1,499 bp prints 14.99% and MISSED, 1,500 bp 15.00% and met; a tiny decline is -0.01%, not 0.00%")
    func printedAsDecided() throws {
        let loans = [
            Loans.loan("A", "2024-05-01", "1,000,000.00"), Loans.loan("B", "2025-05-01", "1,149,900.00"),
            Loans.loan("C", "2026-05-01", "1,322,385.00"), Loans.loan("D", "2027-05-01", "1,322,384.99"),
        ]
        let report = try GrowthReport.compute(loans, from: 2024, to: 2027)
        #expect(report.years.map(\.principalGrowthBp) == [nil, Bp(1499), Bp(1500), Bp(-1)])
        #expect(report.years.map(\.targetMet) == [nil, false, true, false])
        let rows = report.tables()[0].rows
        #expect(rows[1][4] == "14.99%" && rows[1][6] == "MISSED")
        #expect(rows[2][4] == "15.00%" && rows[2][6] == "met")
        #expect(rows[3][4] == "-0.01%" && rows[3][6] == "MISSED")
        #expect(report.tables()[0].headers[6] == "Target 15.00%")
        let text = report.text()
        #expect(!text.contains("15.0%"))
        #expect(text.contains("14.99%"))
    }
}

@Suite("Growth: on average (CAGR) and year by year")
struct GrowthVerdictTests {
    /// 2022 1,000,000 → 2023 1,400,000 (+40.00%, met) → 2024 1,470,000 (+5.00%, MISSED).
    /// CAGR: √1.47 − 1 = 21.24…%; in fen, 100,000,000 × 1.2124 × 1.2124 = 146,991,376 ≤ 147,000,000
    /// but × 1.2125 twice = 147,015,625 > it, so 2124 bp: met on average though 2024 missed.
    @Test("one year misses, the average meets")
    func averageMeets() throws {
        let loans = [
            Loans.loan("A", "2022-03-01", "1,000,000.00"), Loans.loan("B", "2023-03-01", "1,400,000.00"),
            Loans.loan("C", "2024-03-01", "1,470,000.00"),
        ]
        let report = try GrowthReport.compute(loans, from: 2022, to: 2024)
        #expect(report.years.map(\.targetMet) == [nil, true, false])
        #expect(report.cagrBp == Bp(2124))
        #expect(
            report.summary
                == GrowthReport.Summary(
                    cagrBp: Bp(2124), cagrFrom: "2022", cagrTo: "2024", cagrPeriods: 2, targetMetOnAverage: true,
                    periodsJudged: 2, periodsMet: 1, targetMetEveryPeriod: false))
        #expect(report.tables()[0].notes.contains("CAGR 2022–2024 (2 years): 21.24% — target 15.00% met on average"))
        #expect(report.tables()[0].notes.contains("Year by year: 1 of 2 complete years met the target"))
    }

    /// 2022 1,000,000 → 2023 1,500,000 (+50.00%, met) → 2024 1,200,000 (−20.00%, MISSED).
    /// CAGR: √1.2 − 1 = 9.54…%; 100,000,000 × 1.0954² = 119,990,116 ≤ 120,000,000 < 120,012,025 = × 1.0955².
    @Test("a year meets, the average misses")
    func averageMisses() throws {
        let loans = [
            Loans.loan("A", "2022-03-01", "1,000,000.00"), Loans.loan("B", "2023-03-01", "1,500,000.00"),
            Loans.loan("C", "2024-03-01", "1,200,000.00"),
        ]
        let report = try GrowthReport.compute(loans, from: 2022, to: 2024)
        #expect(report.years.map(\.targetMet) == [nil, true, false])
        #expect(report.cagrBp == Bp(954))
        #expect(report.summary.targetMetOnAverage == false)
        #expect(report.summary.periodsMet == 1 && report.summary.periodsJudged == 2)
        #expect(report.tables()[0].notes.contains("CAGR 2022–2024 (2 years): 9.54% — target 15.00% MISSED on average"))
    }

    @Test("the hand-built ledger: 10.66% misses on average; 2 of 4 years met")
    func ledgerVerdicts() throws {
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2021, to: 2025)
        #expect(report.summary.targetMetOnAverage == false)
        #expect(report.summary.periodsJudged == 4 && report.summary.periodsMet == 2 && report.summary.targetMetEveryPeriod == false)
        #expect(report.years.allSatisfy { $0.state == .complete && !$0.ytd })
    }
}

@Suite("Growth: the current year is year-to-date")
struct GrowthYearToDateTests {
    /// asOf 2026-03-31. 2025: Jan 15 1,000,000 + Mar 31 200,000 (the same period: 1,200,000)
    /// + Apr 1 5,000,000 + Dec 20 1,000,000 = 7,200,000. 2026 through Mar 31: Feb 10 900,000
    /// + Mar 31 480,000 = 1,380,000; a loan dated Apr 1 2026 is after asOf and not counted.
    /// YoY = (1,380,000 − 1,200,000) ÷ 1,200,000 = 15.00%, not 1,380,000 ÷ 7,200,000 − 1.
    static let loans = [
        Loans.loan("A", "2025-01-15", "1,000,000.00"), Loans.loan("B", "2025-03-31", "200,000.00"),
        Loans.loan("C", "2025-04-01", "5,000,000.00"), Loans.loan("D", "2025-12-20", "1,000,000.00"),
        Loans.loan("E", "2026-02-10", "900,000.00"), Loans.loan("F", "2026-03-31", "480,000.00"), Loans.loan("G", "2026-04-01", "777.00"),
    ]

    @Test("YoY of the current year is the same-period ratio")
    func samePeriod() throws {
        let asOf = date("2026-03-31")
        let report = try GrowthReport.compute(Self.loans, from: 2025, to: 2026, asOf: asOf)
        let ytd = report.years[1]
        #expect(report.years.map(\.state) == [.complete, .yearToDate])
        #expect(ytd.ytd && ytd.through == asOf && ytd.end == date("2026-12-31"))
        #expect(ytd.principalFen == yuan("1,380,000.00") && ytd.loans == 2)
        #expect(
            ytd.base == GrowthReport.Base(start: date("2025-01-01"), end: date("2025-03-31"), loans: 2, principalFen: yuan("1,200,000.00")))
        #expect(ytd.principalGrowthBp == Bp.ratio(try yuan("1,380,000.00") - yuan("1,200,000.00"), yuan("1,200,000.00"), rounding: .down))
        #expect(ytd.principalGrowthBp == Bp(1500) && ytd.loanGrowthBp == Bp(0) && ytd.targetMet == true)
        // Incomplete: no CAGR from one complete year, and no verdict on average or every year.
        #expect(report.cagrBp == nil && report.summary.targetMetOnAverage == nil && report.summary.periodsJudged == 0)
        #expect(report.monthly.map(\.month) == ["2025-01", "2025-03", "2025-04", "2025-12", "2026-02", "2026-03"])
        let table = report.tables()[0]
        #expect(table.rows[1][0] == "2026 YTD" && table.rows[1][4] == "15.00%" && table.rows[1][6] == "met (YTD)")
        #expect(
            table.notes.contains(
                "2026 is year-to-date: 2026-01-01 to 2026-03-31, against 2025-01-01 to 2025-03-31 (the same span a year earlier); provisional; not in the CAGR."
            ))
    }

    /// 2023 1,000,000 → 2024 1,200,000 → 2025 1,440,000 and nothing yet in 2026: the report the CLI
    /// makes by default (2023–2026) on 2026-03-31. Without asOf 2026 is taken as a whole empty year
    /// and the CAGR is −100%; with it, CAGR 2023–2025 = 20.00% (100,000,000 × 1.2² = 144,000,000
    /// exactly; × 1.2001² = 144,024,001 is more) and 2026 has no growth figure.
    @Test("an empty current year never yields -100%")
    func emptyCurrentYear() throws {
        let loans = [
            Loans.loan("A", "2023-06-01", "1,000,000.00"), Loans.loan("B", "2024-06-01", "1,200,000.00"),
            Loans.loan("C", "2025-02-01", "1,440,000.00"),
        ]
        #expect(try GrowthReport.compute(loans, from: 2023, to: 2026).cagrBp == Bp(-10_000))
        let report = try GrowthReport.compute(loans, from: 2023, to: 2026, asOf: date("2026-03-31"))
        #expect(report.cagrBp == Bp(2000))
        #expect(report.summary.cagrFrom == "2023" && report.summary.cagrTo == "2025" && report.summary.cagrPeriods == 2)
        #expect(report.summary.targetMetOnAverage == true && report.summary.targetMetEveryPeriod == true)
        let current = report.years[3]
        #expect(current.ytd && current.loans == 0 && current.base?.principalFen == yuan("1,440,000.00"))
        #expect(current.principalGrowthBp == nil && current.loanGrowthBp == nil && current.targetMet == nil)
        #expect(!report.years.contains { $0.principalGrowthBp == Bp(-10_000) })
        #expect(report.tables()[0].rows[3][6] == "— no loans yet")
        #expect(!report.text().contains("-100.00%"))
        // A slice with nothing yet this year is not judged either.
        let byBank = try GrowthReport.compute(loans, from: 2023, to: 2026, asOf: date("2026-03-31"), by: .bank)
        #expect(byBank.slices.map(\.cagrBp) == [Bp(2000)] && byBank.slices[0].years[3].principalGrowthBp == nil)
    }

    @Test("periods after asOf are not begun: empty, unjudged, without a base")
    func notBegun() throws {
        let report = try GrowthReport.compute(Self.loans, from: 2025, to: 2027, asOf: date("2026-03-31"))
        #expect(report.years.map(\.state) == [.complete, .yearToDate, .notBegun])
        let future = report.years[2]
        #expect(future.through == nil && future.base == nil && future.principalFen == .zero && future.targetMet == nil)
        #expect(report.tables()[0].notes.contains("2027 has not begun on 2026-03-31."))
        // asOf on the last day of a year: that year is complete.
        #expect(try GrowthReport.compute(Self.loans, from: 2025, to: 2025, asOf: date("2025-12-31")).years[0].state == .complete)
    }

    @Test("the same day a year earlier: month ends map to month ends, Feb 29 to Feb 28")
    func sameDayLastYear() {
        #expect(GrowthReport.sameDayLastYear(date("2026-03-15")) == date("2025-03-15"))
        #expect(GrowthReport.sameDayLastYear(date("2026-03-31")) == date("2025-03-31"))
        #expect(GrowthReport.sameDayLastYear(date("2025-02-28")) == date("2024-02-29"))
        #expect(GrowthReport.sameDayLastYear(date("2028-02-29")) == date("2027-02-28"))
        #expect(GrowthReport.sameDayLastYear(date("2025-04-30")) == date("2024-04-30"))
    }
}

@Suite("Growth: machine forms")
struct GrowthMachineFormTests {
    @Test("JSON and CSV keep their earlier keys and columns, and add span, state, base and both verdicts")
    func keys() throws {
        let report = try GrowthReport.compute(GrowthYearToDateTests.loans, from: 2025, to: 2026, asOf: date("2026-03-31"))
        let json = report.json
        for key in ["from_year", "to_year", "target_bp", "years", "cagr_bp", "by", "slices", "monthly"] {
            #expect(json[key] != nil, "\(key)")
        }
        #expect(json["as_of"] == .string("2026-03-31") && json["period_kind"] == .string("calendar_years"))
        #expect(json["from_month"] == .string("2025-01") && json["to_month"] == .string("2026-12"))
        #expect(json["cagr_bp"] == .null && json["target_met_on_average"] == .null && json["cagr_periods"] == .integer(0))
        #expect(json["benchmark"] == .null && json["region_level"] == .null)
        guard case .array(let years)? = json["years"] else {
            Issue.record("years")
            return
        }
        #expect(years[1]["ytd"] == .bool(true) && years[1]["state"] == .string("ytd") && years[1]["through"] == .string("2026-03-31"))
        #expect(years[1]["base_start"] == .string("2025-01-01") && years[1]["base_end"] == .string("2025-03-31"))
        #expect(years[1]["base_principal_fen"] == .integer(120_000_000) && years[1]["principal_growth_bp"] == .integer(1500))
        #expect(years[1]["target_met"] == .bool(true) && years[0]["ytd"] == .bool(false) && years[0]["base_loans"] == .null)
        let lines = report.csv.split(separator: "\n")
        #expect(
            lines[0]
                == "slice,year,loans,principal_fen,borrowers,principal_growth_bp,loan_growth_bp,target_met,period,start,end,through,state,ytd,"
                + "base_start,base_end,base_loans,base_principal_fen,cagr_bp,target_met_on_average,target_met_every_period")
        #expect(lines[1] == "total,2025,4,720000000,1,,,,2025,2025-01-01,2025-12-31,2025-12-31,complete,false,,,,,,,")
        #expect(
            lines[2]
                == "total,2026,2,138000000,1,1500,0,true,2026,2026-01-01,2026-12-31,2026-03-31,ytd,true,2025-01-01,2025-03-31,2,120000000,,,"
        )
        #expect(lines.count == 3)
    }
}
