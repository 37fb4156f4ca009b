import PledgerDomain
import Testing

@testable import PledgerCharts

@Suite struct AmountsTests {
    @Test func yuanIsExactWithSeparators() {
        #expect(Amounts.yuan(Money(fen: 123_456_789_01)) == "123,456,789.01")
        #expect(Amounts.yuan(Money(fen: -5)) == "-0.05")
        #expect(Amounts.yuan(Money.maximum) == "90,071,992,547,409.91")
    }

    @Test func wanRoundsHalfAwayFromZeroToTheHundredYuan() {
        #expect(Amounts.wan(Money(fen: 75_123_456_78)) == "7,512.35")
        #expect(Amounts.wan(Money(fen: 1_234_5000)) == "12.35")  // 123,450.00 yuan: exactly half → up
        #expect(Amounts.wan(Money(fen: 1_234_4999)) == "12.34")
        #expect(Amounts.wan(Money(fen: -1_234_5000)) == "-12.35")
        #expect(Amounts.wan(Money(fen: 4_999)) == "0.00")
        #expect(Amounts.wan(Money(fen: -4_999)) == "0.00")  // never "-0.00"
        #expect(Amounts.wan(Money.maximum) == "9,007,199,254.74")  // 2^53 − 1 fen, beyond a Double's exact cents
    }

    @Test func ticksInWanAreWholeWhenRound() {
        #expect(Amounts.wanTick(0) == "0")
        #expect(Amounts.wanTick(2_000_000_000) == "2,000")
        #expect(Amounts.wanTick(1_500_000) == "1.50")
    }

    @Test func multiplesRoundHalfUpToTheHundredth() {
        #expect(Percent.times(Bp(10_000)) == "1.00×")
        #expect(Percent.times(Bp(73_449)) == "7.34×")
        #expect(Percent.times(Bp(73_450)) == "7.35×")
        #expect(Percent.times(nil) == "—")
    }
}
