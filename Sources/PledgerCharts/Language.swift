/// The language of a page's labels. Chinese pages (the default: the readers are city and
/// province offices) put the English term beside each Chinese one, so a term can be looked
/// up or quoted either way; English pages show English alone.
public enum Language: String, Sendable, Hashable, CaseIterable {
    case zh, en

    /// The allowed values, for error messages: `zh, en`.
    public static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The value of `lang` in a page's `<html lang>`.
    var htmlTag: String { self == .zh ? "zh-CN" : "en" }
}

/// One label in both languages.
struct Term: Sendable, Hashable {
    var zh: String
    var en: String

    init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }

    /// `中文 English` on a Chinese page, `English` on an English one; escaped for markup.
    func callAsFunction(_ language: Language) -> String { Markup.escape(plain(language)) }

    /// The same, unescaped (for composing into a longer label).
    /// A code both start with (`C38 制造业` / `C38 manufacturing`) is written once.
    func plain(_ language: Language) -> String {
        guard language == .zh else { return en }
        if zh == en { return zh }
        if let space = zh.firstIndex(of: " "), en.hasPrefix(zh[...space]) { return "\(zh) \(en.dropFirst(zh[...space].count))" }
        return "\(zh) \(en)"
    }
}
