/// The one way a report shows a ratio to people: a percentage with two decimals, `14.99%`.
///
/// A basis point is a hundredth of a percent, so two decimals show a `Bp` exactly — nothing
/// is rounded when printing, and the printed figure is the very number a verdict such as
/// "target met" was decided on (1,499 bp prints `14.99%` and misses a 15.00% target; it can
/// never print as `15.0%`). The rounding happened once, when the ratio was computed: growth,
/// CAGR and differences round **down, toward −∞** (`Bp.ratio(…, rounding: .down)` floors),
/// so a decline of 0.001% is −1 bp and prints `-0.01%`, never `-0.00%` or `0.00%`.
///
/// The minus sign is ASCII `-`, as in `Money.description`, so a pasted figure stays a number
/// in a spreadsheet. JSON and CSV keep integer bp; only renderings for people use this.
public enum Percent {
    /// `1499 bp` → `14.99%`, `-1 bp` → `-0.01%`, `0 bp` → `0.00%`.
    public static func text(_ bp: Bp) -> String {
        let magnitude = bp.value.magnitude
        let hundredths = magnitude % 100
        return (bp.value < 0 ? "-" : "") + "\(magnitude / 100)." + (hundredths < 10 ? "0" : "") + "\(hundredths)%"
    }

    /// An absent figure (no previous period, a zero base, …) shows as `—`.
    public static func text(_ bp: Bp?) -> String { bp.map { text($0) } ?? "—" }

    /// A multiple such as leverage or coverage adequacy, `10000 bp` → `1.00×`: hundredths of
    /// a multiple, the last one rounded half up (integer arithmetic). An absent one is `—`.
    public static func times(_ bp: Bp?) -> String {
        guard let bp else { return "—" }
        let hundredths = (bp.value + 50) / 100
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)×"
    }
}
