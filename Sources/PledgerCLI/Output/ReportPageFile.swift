import ArgumentParser
import Foundation
import PledgerApplication
import PledgerCharts
import PledgerDomain

extension Language: ExpressibleByArgument {}

/// `report growth|exposure --html FILE`: the options a page adds, and writing it. A page is
/// always drawn from the log as it stood at one moment (`--known-at`, default now) for one
/// business date (`--as-of`, default today), and its footer prints the command with both
/// pinned, so running that command again draws the same figures.
struct PageOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML page with charts to this file (inline SVG and CSS, no external requests, A4 print layout).",
            valueName: "file"))
    var html: String?
    @Option(
        help: ArgumentHelp(
            "Language of the page's labels: zh (Chinese with the English term beside it, the default) or en. Goes with --html.",
            valueName: "zh|en"))
    var lang: Language?

    /// Refuses options that mean nothing with (or without) a page.
    func validate(format: OutputFormat?, others: [(String, Bool)]) throws {
        guard html != nil else {
            if lang != nil { throw ApplicationError.badInput("--lang chooses the language of an --html page; give --html FILE too") }
            return
        }
        if let format { throw ApplicationError.badInput("--html writes a page; leave out --format \(format.rawValue) (or drop --html)") }
        for (name, given) in others where given { throw ApplicationError.badInput("\(name) does not apply to an --html page") }
    }

    var language: Language { lang ?? .zh }

    /// The moment the page reads the ledger at: `--known-at`, else now.
    static func moment(_ knownAt: RecordedTime?) -> RecordedTime { knownAt ?? .now() }

    /// `pledger report … --lang zh --html FILE`, each argument shell-quoted when it needs to be.
    func command(_ arguments: [String]) -> String {
        (["pledger", "report"] + arguments + ["--lang", language.rawValue, "--html", html ?? "page.html"]).map(Self.shellQuoted).joined(
            separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./:+=,@%".unicodeScalars.contains(scalar)
            }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Writes the page (atomically: a reader never sees half a page) and prints its path.
    func write(_ page: String) throws {
        guard let html else { return }
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            throw ApplicationError.badInput("--html: cannot write \(html): \(error.localizedDescription)")
        }
        print(html)
    }
}
