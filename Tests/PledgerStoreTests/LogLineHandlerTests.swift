import Foundation
import Logging
import PledgerDomain
import PledgerStore
import Synchronization
import Testing

@Suite("Log lines")
struct LogLineHandlerTests {
    final class Collected: Sendable {
        let lines = Mutex<[String]>([])
    }

    @Test("one parseable object per line: fixed fields, metadata as fields, everything escaped")
    func lines() throws {
        let collected = Collected()
        var logger = Logger(label: "pledger") { label in
            LogLineHandler(label: label, output: { line in collected.lines.withLock { $0.append(line) } })
        }
        logger.logLevel = .debug
        logger[metadataKey: "request_id"] = "abc-123"
        logger.debug("below the level is kept at debug")
        logger.trace("below the level")
        logger.warning(
            "quote \" backslash \\ newline \n tab \t bell \u{07} 中文",
            metadata: [
                "message": "shadows a fixed field", "count": .stringConvertible(42),
                "nested": .dictionary(["list": .array(["a", .string("b\"c")])]),
            ])
        let lines = collected.lines.withLock { $0 }
        #expect(lines.count == 2)
        for line in lines { #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "\(line)") }
        let entry = try JSONParser.parse(lines[1])
        #expect(entry["level"] == .string("warning"))
        #expect(entry["label"] == .string("pledger"))
        #expect(entry["message"] == .string("quote \" backslash \\ newline \n tab \t bell \u{07} 中文"))
        #expect(entry["meta.message"] == .string("shadows a fixed field"))
        #expect(entry["request_id"] == .string("abc-123"))
        #expect(entry["count"] == .string("42"))
        #expect(entry["nested"]?["list"] == .array([.string("a"), .string("b\"c")]))
        #expect(entry["source"] == .string("PledgerStoreTests"))
        guard case .string(let time)? = entry["time"] else {
            Issue.record("no time")
            return
        }
        #expect(time.range(of: #"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(time)")
        #expect(lines[1].contains(#"\u0007"#) && !lines[1].contains("\u{07}"))
    }

    @Test("text: time, level, label, the metadata sorted as key=value, the source, the message; rendered as it is written")
    func text() throws {
        let collected = Collected()
        var logger = Logger(label: "pledger") { label in
            LogLineHandler(label: label, format: .text, output: { line in collected.lines.withLock { $0.append(line) } })
        }
        logger[metadataKey: "request_id"] = "abc-123"
        logger[metadataKey: "caller"] = "bank BOC"
        logger.info("below nothing")
        logger[metadataKey: "caller"] = "admin"
        logger.debug("below the level")
        logger.error("failed", metadata: ["count": .stringConvertible(3), "list": .array(["a", "b"])])
        let lines = collected.lines.withLock { $0 }
        #expect(lines.count == 2)
        let pattern = #"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#
        for line in lines { #expect(line.range(of: pattern, options: .regularExpression) != nil, "\(line)") }
        #expect(lines[0].hasSuffix(" info pledger: caller=bank BOC request_id=abc-123 [PledgerStoreTests] below nothing\n"), "\(lines[0])")
        #expect(
            lines[1].hasSuffix(" error pledger: caller=admin count=3 list=[\"a\", \"b\"] request_id=abc-123 [PledgerStoreTests] failed\n"),
            "\(lines[1])")
    }

    @Test("the timestamp is RFC 3339 in UTC with milliseconds")
    func timestamp() {
        #expect(LogLineHandler.timestamp(Date(timeIntervalSince1970: 1_772_328_600.0071)) == "2026-03-01T01:30:00.007Z")
        #expect(LogLineHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
