/// Escaping for text put into HTML and SVG. Every string a page shows — fund and bank
/// names, slice values, labels — goes through here, so a name such as `A&B <Bank>` can
/// neither break the markup nor inject any (a page is opened by readers outside the ledger).
public enum Markup {
    /// `&`, `<`, `>`, `"` and `'` as character references; good in text and in a quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML text.
                if character.value < 0x20 && character != "\t" && character != "\n" {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out
    }

    /// ` name="value"` pairs, every value escaped; a nil value leaves its attribute out.
    static func attributes(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in value.map { " \(name)=\"\(escape($0))\"" } }.joined()
    }

    /// An element with escaped attributes around content that is already markup.
    static func element(_ name: String, _ attributes: [(String, String?)] = [], _ content: String) -> String {
        "<\(name)\(self.attributes(attributes))>\(content)</\(name)>"
    }
}
