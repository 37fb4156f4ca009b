import Testing

@testable import PledgerDomain

@Suite("Percentages for people")
struct PercentTests {
    @Test("two decimals, exact in bp; negatives keep their sign")
    func formatting() {
        #expect(Percent.text(Bp(1499)) == "14.99%")
        #expect(Percent.text(Bp(1500)) == "15.00%")
        #expect(Percent.text(Bp(5)) == "0.05%")
        #expect(Percent.text(Bp(0)) == "0.00%")
        #expect(Percent.text(Bp(-1)) == "-0.01%")
        #expect(Percent.text(Bp(-385)) == "-3.85%")
        #expect(Percent.text(Bp(-10_000)) == "-100.00%")
        #expect(Percent.text(Bp(123_456)) == "1234.56%")
        #expect(Percent.text(Bp(Int64.min)) == "-92233720368547758.08%")
        #expect(Percent.text(nil as Bp?) == "—")
    }
}
