import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Growth: published figures beside ours")
struct GrowthBenchmarkTests {
    @Test("a good file: byte-order mark, CRLF, quoted amounts with separators, optional source")
    func parseGood() throws {
        let text =
            "\u{FEFF}Year,Amount_Yuan,Source\r\n2023,\"2,000,000.00\",区统计公报 2023\r\n2024,2300000,\r\n\r\n2022,1500000.5,\"IPO, annual report\"\r\n"
        let benchmark = try GrowthBenchmark.parse(Array(text.utf8))
        #expect(
            benchmark.figures == [
                GrowthBenchmark.Figure(year: 2023, amountFen: yuan("2,000,000.00"), source: "区统计公报 2023", line: 2),
                GrowthBenchmark.Figure(year: 2024, amountFen: yuan("2,300,000.00"), source: "", line: 3),
                GrowthBenchmark.Figure(year: 2022, amountFen: yuan("1,500,000.50"), source: "IPO, annual report", line: 5),
            ])
        // The source column may be left out altogether.
        #expect(
            try GrowthBenchmark.parse("year,amount_yuan\n2024,1\n").figures == [
                GrowthBenchmark.Figure(year: 2024, amountFen: Money(fen: 100), line: 2)
            ])
    }

    @Test(
        "a bad line is named by its number",
        arguments: [
            ("year,amount_yuan,source\n2023,100,a\n2024,12.345,b\n", 3, "more than two decimals"),
            ("year,amount_yuan,source\n2023,100,a\n\n24,100,b\n", 4, "year \"24\" is not a year like 2024"),
            ("year,amount_yuan,source\n2023,100,a\n2023,200,b\n", 3, "year 2023 is already given on line 2"),
            ("year,amount_yuan,source\n2023,-100,a\n", 2, "negative"),
            ("year,amount_yuan,source\n2023,,a\n", 2, "amount_yuan is empty"),
            ("year,amount_yuan,source\n2023,100\n", 2, "2 fields, the header has 3"),
            ("year,amount_yuan,source\n2023,1,2,3,000.00,x\n", 2, "fields, the header has 3"),
            ("year,amount\n2023,100\n", 1, "missing column(s) amount_yuan"),
            ("year,amount_yuan\n", 1, "no figures"),
            ("", 1, "the file is empty"),
        ])
    func parseBad(text: String, line: Int, message: String) {
        #expect {
            try GrowthBenchmark.parse(text)
        } throws: { error in
            guard let error = error as? CSV.ParseError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }

    /// Ours (the hand-built ledger): 2022 2,300,000, 2023 2,600,000, 2024 3,120,000.
    /// Published: 2022 2,300,000 (difference 0), 2023 2,500,000 (+100,000 = +4.00%), 2021 outside;
    /// 2024 not published. 3,120,000 vs published 3,200,000 in another run: −80,000 = −2.50%.
    @Test("published, ours and the difference, per year")
    func sideBySide() throws {
        let benchmark = try GrowthBenchmark.parse("year,amount_yuan,source\n2021,1000000,old\n2022,2300000,A\n2023,2500000,B\n")
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2022, to: 2024).comparing(with: benchmark)
        #expect(
            report.benchmark == [
                GrowthReport.BenchmarkRow(
                    year: 2022, state: .complete, publishedFen: yuan("2,300,000.00"), source: "A", oursFen: yuan("2,300,000.00"),
                    differenceFen: .zero, differenceBp: Bp(0)),
                GrowthReport.BenchmarkRow(
                    year: 2023, state: .complete, publishedFen: yuan("2,500,000.00"), source: "B", oursFen: yuan("2,600,000.00"),
                    differenceFen: yuan("100,000.00"), differenceBp: Bp(400)),
                GrowthReport.BenchmarkRow(
                    year: 2024, state: .complete, publishedFen: nil, source: nil, oursFen: yuan("3,120,000.00"),
                    differenceFen: nil, differenceBp: nil),
            ])
        #expect(report.benchmarkYearsOutside == [2021])
        let lower = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2024, to: 2024)
            .comparing(with: GrowthBenchmark(figures: [.init(year: 2024, amountFen: yuan("3,200,000.00"))]))
        #expect(lower.benchmark?.first?.differenceFen == yuan("-80,000.00") && lower.benchmark?.first?.differenceBp == Bp(-250))

        let table = report.tables().last!
        #expect(table.headers == ["Year", "Published (yuan)", "Ours (yuan)", "Difference (yuan)", "Difference", "Source"])
        #expect(table.rows[1] == ["2023", "2,500,000.00", "2,600,000.00", "100,000.00", "4.00%", "B"])
        #expect(table.rows[2] == ["2024", "—", "3,120,000.00", "—", "—", ""])
        #expect(table.notes.contains("Published years outside the report, not compared: 2021."))
        #expect(
            report.csv.hasSuffix(
                "\n\nyear,state,published_fen,ours_fen,difference_fen,difference_bp,source\n"
                    + "2022,complete,230000000,230000000,0,0,A\n2023,complete,250000000,260000000,10000000,400,B\n2024,complete,,312000000,,,\n"
            ))
    }

    @Test("a year-to-date shows both figures and no difference; a month window cannot be compared")
    func incomplete() throws {
        let benchmark = GrowthBenchmark(figures: [.init(year: 2025, amountFen: yuan("3,000,000.00"))])
        let report = try GrowthReport.compute(try GrowthLedger().snapshots(), from: 2025, to: 2025, asOf: date("2025-06-30")).comparing(
            with: benchmark)
        #expect(report.benchmark?.first?.state == .yearToDate && report.benchmark?.first?.oursFen == yuan("3,000,000.00"))
        #expect(report.benchmark?.first?.differenceFen == nil)
        #expect(report.tables().last?.rows.first?.first == "2025 YTD")
        #expect(throws: DomainError.self) {
            try GrowthReport.compute([], window: try MonthWindow(parsing: "2022-08:2025-08")).comparing(with: benchmark)
        }
    }
}
