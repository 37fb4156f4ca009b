import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerCharts
@testable import PledgerDomain

/// Loans and reports made by hand for the page tests.
enum Sample {
    static let template: LoanSnapshot = {
        var district = try! ExampleDistrict()
        _ = try! district.ledger.run(district.origination())
        return district.ledger.states.loanSnapshots.first!
    }()

    static func loan(_ contract: String, _ on: String, _ principal: String, bank: String = "LCRCB") -> LoanSnapshot {
        var loan = template
        loan.contractNo = try! ContractNo(contract)
        loan.bankId = bankId(bank)
        loan.originatedOn = date(on)
        loan.principalFen = yuan(principal)
        loan.outstandingFen = yuan(principal)
        loan.principalByKind = [.init(kind: .patent, principalFen: yuan(principal))]
        return loan
    }

    /// 2022: 1,000,000; 2023: 2,000,000; 2024: 2,200,000; 2025 to 2025-06-30: 600,000.
    static let loans = [
        loan("A", "2022-03-01", "1,000,000.00"), loan("B", "2023-03-01", "2,000,000.00", bank: "B2"),
        loan("C", "2024-03-01", "2,200,000.00"), loan("D", "2025-02-01", "600,000.00"),
    ]

    static func growth(by dimension: GrowthReport.Dimension? = nil) throws -> GrowthReport {
        try GrowthReport.compute(loans, from: 2022, to: 2025, asOf: date("2025-06-30"), by: dimension)
    }

    static let provenance = Provenance(
        position: 42, hash: LedgerHash(bytes: Array(repeating: 0xAB, count: 32))!,
        knownAt: RecordedTime(parsing: "2025-07-01T08:00:00Z")!, reproduce: "pledger report growth --html 'a b.html'")

    static func exposure() throws -> [ExposureReport] {
        var district = try ExampleDistrict()
        _ = try district.ledger.run(district.origination())
        let fund = district.ledger.fund(district.fund)
        return try ["2024-03-31", "2024-04-30", "2024-05-15"].map { day in
            try ExposureReport.compute(fund: fund, loans: district.ledger.states.loanSnapshots, asOf: date(day))
        }
    }

    /// The attributes of every element carrying `data-path`, in document order.
    static func figures(_ html: String) -> [(path: String, report: String, value: String?, text: String)] {
        let pattern = try! NSRegularExpression(pattern: #"<(\w+)([^>]*?)data-report="([^"]*)" data-path="([^"]*)"([^>]*)>([^<]*)"#)
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
            func group(_ i: Int) -> String { String(html[Range(match.range(at: i), in: html)!]) }
            let rest = group(5)
            let value = rest.range(of: #"data-value="([^"]*)""#, options: .regularExpression).map {
                String(rest[$0].dropFirst(12).dropLast())
            }
            return (group(4), group(3), value, group(6))
        }
    }
}

@Suite("Report pages")
struct ReportPageTests {
    @Test func escapingCoversEverySpecialCharacter() {
        #expect(Markup.escape(#"A&B <Bank> "q" 'a'"#) == "A&amp;B &lt;Bank&gt; &quot;q&quot; &#39;a&#39;")
        #expect(Markup.escape("a\u{1}b\tc") == "a\u{FFFD}b\tc")
        #expect(Markup.attributes([("title", "\"><script>"), ("skip", nil)]) == " title=\"&quot;&gt;&lt;script&gt;\"")
    }

    @Test func scaleHasRoundTicksCoveringEveryValue() {
        let scale = Scale(covering: [730, 120], ticks: 5)
        #expect(scale.step == 200)
        #expect(scale.ticks == [0, 200, 400, 600, 800])
        #expect(scale.fraction(0) == 0 && scale.fraction(800) == 1)
        let money = Scale(covering: [2_200_000_00], ticks: 4, minimumStep: 1_000_000)
        #expect(money.top >= 2_200_000_00 && money.top % money.step == 0)
        #expect(Scale(covering: [-150, 90]).ticks.first! <= -150)
        #expect(Scale(covering: []).top > 0)  // an empty chart still has an axis
    }

    @Test func barsAreProportionalToPrincipal() throws {
        let html = ReportPages.growth(try Sample.growth(), slices: [], provenance: Sample.provenance)
        func height(_ path: String) throws -> Double {
            let pattern = try NSRegularExpression(pattern: #"height="([0-9.]+)"[^>]*data-report="total" data-path="\#(path)""#)
            let match = try #require(pattern.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)))
            return Double(html[Range(match.range(at: 1), in: html)!])!
        }
        let first = try height("/years/0/principal_fen")
        let second = try height("/years/1/principal_fen")
        let third = try height("/years/2/principal_fen")
        #expect(abs(second / first - 2.0) < 0.01)
        #expect(abs(third / first - 2.2) < 0.01)
    }

    @Test func figuresOnThePageAreTheReportsWrittenExactly() throws {
        let report = try Sample.growth()
        let figures = Sample.figures(ReportPages.growth(report, slices: [try Sample.growth(by: .bank)], provenance: Sample.provenance))
        let principal = figures.filter { $0.path == "/years/1/principal_fen" && $0.report == "total" }
        #expect(principal.contains { $0.text == "2,000,000.00" })  // the table: exact yuan
        #expect(principal.contains { $0.text == "200.00" })  // the bar label: 万元
        #expect(principal.contains { $0.value == "200000000" })  // the bar itself
        #expect(figures.contains { $0.path == "/years/1/principal_growth_bp" && $0.text == "100.00%" })
        #expect(figures.contains { $0.path == "/cagr_bp" && $0.text == Percent.text(report.cagrBp) })
        #expect(figures.contains { $0.report == "bank" && $0.path == "/slices/1/value" && $0.value == "LCRCB" })
    }

    @Test func theCurrentYearIsMarkedYearToDate() throws {
        let html = ReportPages.growth(try Sample.growth(), slices: [], provenance: Sample.provenance)
        #expect(
            html.contains(
                ##"fill="url(#growth-total-hatch)" stroke="#2f5597" stroke-width="1" data-report="total" data-path="/years/3/principal_fen"##
            ))
        #expect(html.contains("2025 年初至今 YTD"))
        #expect(html.contains("去年同期 same span last year"))
    }

    @Test func aPageIsSelfContainedAndEscapesNames() throws {
        var history = try Sample.exposure()
        history[history.count - 1].fundName = #"<script>alert("x")</script> & Co"#
        let html = ReportPages.exposure(history, provenance: Sample.provenance)
        #expect(
            html.contains(
                #"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">"#))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"))
        for external in ["<link", "<img", "src=", "@import", "url(http", "https://"] { #expect(!html.contains(external), "\(external)") }
        // The only URL is the SVG namespace, which is a name and never fetched.
        #expect(
            html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count
                - 1)
        #expect(html.contains("@page { size: A4;"))
    }

    @Test func theFooterNamesTheHeadAndHowToReproduce() throws {
        let html = ReportPages.exposure(try Sample.exposure(), provenance: Sample.provenance)
        #expect(html.contains(#"<code id="head-position">42</code>"#))
        #expect(html.contains(String(repeating: "ab", count: 32)))
        #expect(html.contains("2025-07-01T08:00:00.000000Z"))
        #expect(html.contains("pledger report growth --html &#39;a b.html&#39;"))
        // One JSON source per month end, pinned to the page's known_at.
        #expect(
            html.contains(
                #"data-source="2024-04-30" data-request="/v1/reports/fund-exposure?fund_id=LC-IPRC&amp;as_of=2024-04-30&amp;known_at=2025-07-01T08:00:00.000000Z""#
            ))
    }

    @Test func labelsFollowTheLanguage() throws {
        let zh = ReportPages.growth(
            try Sample.growth(), slices: [try Sample.growth(by: .kind)], provenance: Sample.provenance, language: .zh)
        #expect(zh.contains(#"<html lang="zh-CN">"#))
        #expect(zh.contains("放款本金 principal lent"))
        #expect(zh.contains("发明专利 patent"))
        let en = ReportPages.growth(
            try Sample.growth(), slices: [try Sample.growth(by: .kind)], provenance: Sample.provenance, language: .en)
        #expect(en.contains(#"<html lang="en">"#))
        #expect(en.contains("principal lent") && !en.contains("放款本金"))
        #expect(Words.industry("C38").plain(.zh) == "C38 电气机械和器材制造业 electrical machinery")
    }

    @Test func exposureChartsShowEveryMonthAgainstItsLimit() throws {
        let history = try Sample.exposure()
        let html = ReportPages.exposure(history, provenance: Sample.provenance)
        let figures = Sample.figures(html)
        for point in history {
            #expect(
                figures.contains {
                    $0.report == point.asOf.description && $0.path == "/balance_fen" && $0.value == String(point.balanceFen.fen)
                })
            #expect(
                figures.contains {
                    $0.report == point.asOf.description && $0.path == "/balance_fen" && $0.text == point.balanceFen.description
                })
        }
        #expect(html.contains("放大倍数上限 maximum leverage"))
        #expect(html.contains("暂停阈值 suspension threshold"))
        #expect(html.contains("stroke-dasharray=\"9 3 2 3\""))  // limits are dash-dot, not just red
    }
}
