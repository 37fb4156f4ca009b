import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("golden vectors equal Python's json.dumps(sort_keys, separators, ensure_ascii=False) byte for byte")
    func goldenVectors() throws {
        let lines = try Fixtures.lines("canonical-vectors.jsonl")
        #expect(lines.count == 14)
        for line in lines {
            let vector = try JSONParser.parse(line)
            guard case .string(let input) = vector["input"], case .string(let expected) = vector["canonical"] else {
                Issue.record("malformed vector line: \(line)")
                continue
            }
            let produced = try CanonicalJSON.canonicalize(input)
            #expect(Array(produced.utf8) == Array(expected.utf8), "input: \(input)")
            // Canonical form is a fixed point.
            #expect(try CanonicalJSON.canonicalize(expected) == expected)
        }
    }

    @Test("keys sort by code point, not by Swift's String ordering or canonical equivalence")
    func codePointOrder() throws {
        let object = try JSONObject([
            ("e\u{301}", .integer(2)), ("é", .integer(1)), ("Z", .integer(0)), ("\u{1F600}", .integer(3)), ("\u{FFFF}", .integer(4)),
        ])
        #expect(CanonicalJSON.string(.object(object)) == "{\"Z\":0,\"e\u{301}\":2,\"é\":1,\"\u{FFFF}\":4,\"\u{1F600}\":3}")
        #expect(object.members.count == 5)
    }

    @Test("identical means the same bytes: canonically equivalent strings are == but not identical")
    func identical() throws {
        let composed = try JSONObject([("reference", .string("é")), ("n", .array([.integer(1), .null]))])
        let decomposed = try JSONObject([("reference", .string("e\u{301}")), ("n", .array([.integer(1), .null]))])
        #expect(composed == decomposed)
        #expect(!composed.isIdentical(to: decomposed))
        #expect(composed.isIdentical(to: try JSONObject([("n", .array([.integer(1), .null])), ("reference", .string("é"))])))
        #expect(!JSONValue.object(composed).isIdentical(to: .object(try JSONObject([("reference", .string("é"))]))))
        #expect(!JSONValue.array([.integer(1)]).isIdentical(to: .array([.bool(true)])))
    }

    @Test("control characters, quotes and backslash are escaped as RFC 8785 does; slash and DEL are not")
    func escaping() {
        #expect(CanonicalJSON.quoted("a\"b\\c/d\u{7F}") == "\"a\\\"b\\\\c/d\u{7F}\"")
        #expect(CanonicalJSON.quoted("\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}") == "\"\\u0000\\u0001\\b\\t\\n\\f\\r\\u001f\"")
    }

    @Test(
        "parser refuses what has no canonical form",
        arguments: [
            "1.5", "1e3", "9007199254740992", "-9007199254740992", "{\"a\":1,\"a\":2}", "[1,]", "{\"a\" 1}",
            "\"\\ud800\"", "01", "{} x", "\"tab\there\"", "", "12345678901234567890", "-", "-a", "- 1",
        ])
    func refusals(text: String) {
        #expect(throws: CanonicalJSONError.self) { try JSONParser.parse(text) }
    }

    @Test("integers at the ±(2^53 − 1) boundary survive, and every number reads as Int64 reads it")
    func boundaries() throws {
        #expect(try CanonicalJSON.canonicalize("[9007199254740991,-9007199254740991]") == "[9007199254740991,-9007199254740991]")
        var random = SeededRandom(state: 53)
        for _ in 0..<2000 {
            let digits = Int.random(in: 1...16, using: &random)
            let magnitude = Int64.random(in: 0...Int64(String(repeating: "9", count: digits))!, using: &random)
            let text = (Bool.random(using: &random) ? "-" : "") + String(magnitude)
            if magnitude <= JSONValue.maxSafeInteger {
                #expect(try JSONParser.parse(text) == .integer(Int64(text)!))
            } else {
                #expect(throws: CanonicalJSONError.integerOutOfRange(text)) { try JSONParser.parse(text) }
            }
        }
        #expect(try JSONParser.parse("-0") == .integer(0))
    }

    @Test("strings are read as UTF-8 is: ASCII, other scripts, and invalid bytes refused")
    func utf8Strings() throws {
        #expect(try JSONParser.parse(Array(#"["plain","知识产权","é"]"#.utf8)) == .array([.string("plain"), .string("知识产权"), .string("é")]))
        for invalid: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x61, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: CanonicalJSONError.syntax(offset: invalid.count - 1, reason: "invalid UTF-8 in string")) {
                try JSONParser.parse(invalid)
            }
        }
    }

    @Test("Codable values encode canonically")
    func codable() throws {
        struct Sample: Codable {
            let zeta: Int64
            let alpha: String
            let nested: [String: Int64]
        }
        let text = try CanonicalJSON.encode(Sample(zeta: 1, alpha: "a/b", nested: ["y": 2, "x": 1]))
        #expect(text == #"{"alpha":"a/b","nested":{"x":1,"y":2},"zeta":1}"#)
    }

    @Test("writeInteger writes String(number)'s bytes, extremes and signs included")
    func integerBytes() {
        for number: Int64 in [0, 7, -7, 10, -10, 1_000_000, 9_007_199_254_740_991, .max, .min] {
            var out: [UInt8] = [0x20]
            CanonicalJSON.writeInteger(number, into: &out)
            #expect(out == [0x20] + Array(String(number).utf8))
        }
    }
}
