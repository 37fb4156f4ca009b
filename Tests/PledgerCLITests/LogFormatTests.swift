import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("pledger --log-format")
struct LogFormatTests {
    @Test("json: every log line on stderr is one JSON object, the libraries' included; no password; a bad format exits 2")
    func jsonLines() async throws {
        try await TestDatabase.withDatabase { url in
            let run = try await PledgerBinary.run(["verify", "--log-format", "json", "--log-level", "debug"], database: url)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(!lines.isEmpty, "PostgresNIO logs its connections at debug: \(run.stderr)")
            for line in lines {
                let entry = try? JSONParser.parse(String(line))
                #expect(entry?["level"] != nil && entry?["message"] != nil && entry?["time"] != nil, "\(line)")
            }
            #expect(lines.contains { $0.contains(#""source":"PostgresNIO""#) }, "library loggers go through the same handler")

            for (arguments, from) in [(["--log-format", "xml"], "--log-format"), ([], "PLEDGER_LOG_FORMAT")] {
                let bad = try await PledgerBinary.run(
                    ["verify"] + arguments, database: url, environment: arguments.isEmpty ? ["PLEDGER_LOG_FORMAT": "yaml"] : [:])
                #expect(bad.status == 2)
                #expect(bad.stderr.contains("is not one of text, json (from \(from))"), "\(bad.stderr)")
            }
        }
    }
}
