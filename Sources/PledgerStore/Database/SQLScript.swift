import Foundation

/// Splits a SQL file into statements, because the extended query protocol that postgres-nio
/// speaks takes one statement at a time. Understands `--` and `/* */` comments, quoted
/// strings and identifiers, and dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`).
enum SQLScript {
    static func statements(in text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        while i < s.count {
            let c = s[i]
            if c == "-", i + 1 < s.count, s[i + 1] == "-" {
                while i < s.count, s[i] != "\n" {
                    current.append(s[i])
                    i += 1
                }
                continue
            }
            if c == "/", i + 1 < s.count, s[i + 1] == "*" {
                while i < s.count, !(s[i] == "*" && i + 1 < s.count && s[i + 1] == "/") {
                    current.append(s[i])
                    i += 1
                }
                if i < s.count {
                    current.append(contentsOf: [s[i], s[i + 1]])
                    i += 2
                }
                continue
            }
            if c == "'" || c == "\"" {
                current.append(c)
                i += 1
                while i < s.count {
                    current.append(s[i])
                    if s[i] == c {
                        if i + 1 < s.count, s[i + 1] == c {
                            current.append(s[i + 1])
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    i += 1
                }
                continue
            }
            if c == "$", let tag = dollarTag(s, at: i) {
                current.append(contentsOf: tag)
                i += tag.count
                while i < s.count {
                    if s[i] == "$", i + tag.count <= s.count, Array(s[i..<i + tag.count]) == tag {
                        current.append(contentsOf: tag)
                        i += tag.count
                        break
                    }
                    current.append(s[i])
                    i += 1
                }
                continue
            }
            if c == ";" {
                flush()
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        flush()
        return statements
    }

    private static func dollarTag(_ s: [Unicode.Scalar], at start: Int) -> [Unicode.Scalar]? {
        var j = start + 1
        while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || (j > start + 1 && ("0"..."9").contains(s[j])) { j += 1 }
        guard j < s.count, s[j] == "$" else { return nil }
        return Array(s[start...j])
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty
        }
    }
}
