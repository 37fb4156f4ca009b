import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

/// `report growth|exposure --html FILE`: a page whose footer reproduces it, and clear refusals.
@Suite("pledger report --html")
struct ReportPageCommandTests {
    /// The command a page's footer prints, as arguments (its words are shell-quoted only when needed).
    static func reproduce(_ page: String) throws -> [String] {
        let start = try #require(page.range(of: "<code id=\"reproduce\">"))
        let end = try #require(page.range(of: "</code>", range: start.upperBound..<page.endIndex))
        let command = String(page[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&#39;", with: "'")
        return command.split(separator: " ").dropFirst().map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
    }

    @Test("a page is drawn as of known_at: its footer's command draws the same page after more was appended")
    func pageReproduces() async throws {
        try await TestDatabase.withDatabase { url in
            _ = try await DemoFixture.load(url)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pages-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let growth = folder.appendingPathComponent("growth.html").path
            let exposure = folder.appendingPathComponent("exposure.html").path

            let drawn = try await PledgerBinary.run(
                ["report", "growth", "--from", "2022", "--to", "2025", "--as-of", "2025-09-30", "--html", growth], database: url)
            #expect(drawn.status == 0, "\(drawn.stderr)")
            #expect(drawn.stdout == growth + "\n")
            let exposed = try await PledgerBinary.run(
                ["report", "exposure", "--fund", "LC-IPRC", "--as-of", "2025-09-30", "--html", exposure, "--lang", "en"], database: url)
            let table = try await PledgerBinary.run(["report", "exposure", "--fund", "LC-IPRC", "--as-of", "2025-09-30"], database: url)
            #expect(exposed.status == table.status, "the page exits as the table does (1 on a breach): \(exposed.stderr)")
            let first = try String(contentsOfFile: growth, encoding: .utf8)
            let firstExposure = try String(contentsOfFile: exposure, encoding: .utf8)
            let head = try await PledgerBinary.run(["verify", "--format", "json"], database: url)
            let lastHash = try #require(head.stdout.range(of: #""last_hash":"[0-9a-f]{64}""#, options: .regularExpression)).upperBound
            #expect(first.contains(String(head.stdout[head.stdout.index(lastHash, offsetBy: -65)..<head.stdout.index(before: lastHash)])))
            #expect(firstExposure.contains(#"<html lang="en">"#) && firstExposure.contains("Risk-compensation fund exposure"))

            try await Task.sleep(for: .milliseconds(5))
            let imported = try await PledgerBinary.run(
                ["import", DemoFixture.samples.appendingPathComponent("loans.csv").path], database: url)
            #expect(imported.status == 0, "\(imported.stderr)")

            let again = try await PledgerBinary.run(try Self.reproduce(first), database: url)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try String(contentsOfFile: growth, encoding: .utf8) == first, "the footer's command draws the very same page")
            _ = try await PledgerBinary.run(try Self.reproduce(firstExposure), database: url)
            #expect(try String(contentsOfFile: exposure, encoding: .utf8) == firstExposure)
            // A page drawn now sees the import.
            _ = try await PledgerBinary.run(
                ["report", "growth", "--from", "2022", "--to", "2025", "--as-of", "2025-09-30", "--html", growth], database: url)
            #expect(try String(contentsOfFile: growth, encoding: .utf8) != first)
        }
    }

    @Test("an unknown --lang names the allowed values; --lang without --html, --html with --format are refused")
    func refusals() async throws {
        try await TestDatabase.withDatabase { url in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID()).html").path
            let unknown = try await PledgerBinary.run(["report", "growth", "--html", file, "--lang", "fr"], database: url)
            #expect(unknown.status == 2 && unknown.stderr.contains("'zh'") && unknown.stderr.contains("'en'"), "\(unknown.stderr)")
            let alone = try await PledgerBinary.run(["report", "growth", "--lang", "en"], database: url)
            #expect(alone.status == 2 && alone.stderr.contains("--lang chooses the language of an --html page"), "\(alone.stderr)")
            let both = try await PledgerBinary.run(
                ["report", "exposure", "--fund", "LC-IPRC", "--html", file, "--format", "json"], database: url)
            #expect(both.status == 2 && both.stderr.contains("--html writes a page; leave out --format json"), "\(both.stderr)")
            let monthly = try await PledgerBinary.run(["report", "growth", "--html", file, "--monthly"], database: url)
            #expect(monthly.status == 2 && monthly.stderr.contains("--monthly does not apply to an --html page"), "\(monthly.stderr)")
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }
}
