import PledgerDomain

/// How a page writes amounts. Exact figures are yuan to the fen with thousands separators
/// (`Money.description`); chart labels, which have room for a few digits only, are in 万元
/// (ten thousand yuan) to two decimals — i.e. to the hundred yuan, rounded half away from
/// zero — with integer arithmetic only: no amount ever passes through a `Double`.
enum Amounts {
    /// `12,345,678.90`, exact.
    static func yuan(_ money: Money) -> String { money.description }

    /// `1,234.57` (万元): fen ÷ 1,000,000, to two decimals.
    static func wan(_ money: Money) -> String {
        let magnitude = money.fen.magnitude
        let hundredYuan = magnitude / 10_000 + (magnitude % 10_000 >= 5_000 ? 1 : 0)
        let whole = Money(fen: Int64(hundredYuan / 100) * 100).description.dropLast(3)
        let cents = hundredYuan % 100
        return (money.fen < 0 && hundredYuan > 0 ? "-" : "") + whole + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// An axis tick in 万元: whole when it is a whole number of 万, else as `wan`.
    static func wanTick(_ fen: Int64) -> String {
        guard fen % 1_000_000 == 0 else { return wan(Money(fen: fen)) }
        return String(Money(fen: fen / 1_000_000 * 100).description.dropLast(3))
    }
}
