/// A value axis from zero (or a negative minimum) to a round top, with round ticks. Values
/// are integers — fen or basis points — and stay integers; only the pixel position of a
/// value is a `Double`, since geometry needs no exactness.
struct Scale: Sendable, Hashable {
    /// The round ends of the axis and the distance between ticks, in the values' unit.
    let bottom: Int64
    let top: Int64
    let step: Int64

    /// An axis holding every value in `values` and zero, with about `ticks` steps of
    /// 1, 2 or 5 × 10ⁿ (at least `minimumStep`: a fen or a basis point is never split).
    init(covering values: [Int64], ticks: Int = 5, minimumStep: Int64 = 1) {
        let high = max(values.max() ?? 0, 0)
        let low = min(values.min() ?? 0, 0)
        let span = max(high.magnitude &+ low.magnitude, 1)
        let raw = max(span / UInt64(max(ticks, 1)), 1)
        var power: UInt64 = 1
        var chosen: UInt64 = 1
        search: while true {
            for multiple: UInt64 in [1, 2, 5] where multiple * power >= raw {
                chosen = multiple * power
                break search
            }
            guard power <= UInt64.max / 100 else {
                chosen = power * 10
                break
            }
            power *= 10
        }
        let step = Int64(clamping: max(chosen, UInt64(max(minimumStep, 1))))
        self.step = step
        // Round outwards to whole steps (integer division rounds toward zero).
        top = high == 0 ? (low == 0 ? step : 0) : ((high - 1) / step + 1) * step
        bottom = low == 0 ? 0 : -(((-low) - 1) / step + 1) * step
    }

    /// The ticks from bottom to top.
    var ticks: [Int64] { Array(stride(from: bottom, through: top, by: Int(step))) }

    /// Where `value` falls between the bottom (0) and the top (1).
    func fraction(_ value: Int64) -> Double {
        Double(value - bottom) / Double(top - bottom)
    }
}
