import Foundation

/// The few SVG shapes the charts draw, each with its coordinates written to a tenth of a
/// pixel. Patterns and dash styles, not colour alone, tell series apart, so a chart reads
/// the same printed in black and white.
enum Svg {
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(format: "%.1f", tenths / 10)
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, _ attributes: [(String, String?)] = []) -> String {
        "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(max(width, 0)))\" height=\"\(number(max(height, 0)))\"\(Markup.attributes(attributes))/>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ attributes: [(String, String?)] = []) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\"\(Markup.attributes(attributes))/>"
    }

    static func polyline(_ points: [(Double, Double)], _ attributes: [(String, String?)] = []) -> String {
        let list = points.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
        return "<polyline points=\"\(list)\" fill=\"none\"\(Markup.attributes(attributes))/>"
    }

    /// `content` is markup (escaped text and tspans).
    static func text(x: Double, y: Double, _ content: String, _ attributes: [(String, String?)] = []) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\"\(Markup.attributes(attributes))>\(content)</text>"
    }

    /// A marker for a series point: the shapes differ, so series differ without colour.
    enum Marker: Sendable { case square, triangle, circle, diamond }

    static func marker(_ shape: Marker, x: Double, y: Double, size: Double = 3.2, _ attributes: [(String, String?)] = []) -> String {
        let extra = Markup.attributes(attributes)
        switch shape {
        case .square: return rect(x: x - size, y: y - size, width: 2 * size, height: 2 * size, attributes)
        case .circle: return "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(number(size))\"\(extra)/>"
        case .triangle:
            return
                "<polygon points=\"\(number(x)),\(number(y - size * 1.2)) \(number(x - size * 1.1)),\(number(y + size * 0.8)) \(number(x + size * 1.1)),\(number(y + size * 0.8))\"\(extra)/>"
        case .diamond:
            return
                "<polygon points=\"\(number(x)),\(number(y - size * 1.3)) \(number(x + size)),\(number(y)) \(number(x)),\(number(y + size * 1.3)) \(number(x - size)),\(number(y))\"\(extra)/>"
        }
    }

    /// The patterns every chart may use: `ytd-hatch` (diagonal lines: an incomplete period).
    /// Ids are prefixed per chart so that several charts on a page do not clash.
    static func definitions(_ prefix: String) -> String {
        """
        <defs><pattern id="\(prefix)-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">\
        <rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#2f5597" stroke-width="2.4"/></pattern></defs>
        """
    }

    /// An `<svg>` element scaling to its container, with a title for screen readers.
    static func document(width: Double, height: Double, title: String, _ content: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(width)) \(number(height))\" role=\"img\">"
            + "<title>\(Markup.escape(title))</title>\(content)</svg>"
    }
}
