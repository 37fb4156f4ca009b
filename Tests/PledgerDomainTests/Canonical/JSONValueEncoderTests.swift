import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The encoder every event takes into the log must give exactly what `JSONEncoder` (keys
/// `.convertToSnakeCase`) and the parser give: the stored bytes, and so the hash chain, rest on it.
@Suite("Events encoded without JSON text")
struct JSONValueEncoderTests {
    static func throughText<T: Encodable>(_ value: T) throws -> JSONValue { try JSONParser.parse(EventCoding.encoder.encode(value)) }

    @Test("every event type: the same JSON as through JSONEncoder and the parser")
    func everySample() throws {
        for event in EventRoundTripTests.samples {
            #expect(try JSONValueEncoder.encode(event.payload) == (try Self.throughText(event.payload)), "\(event.type)")
        }
    }

    @Test("every event of random command sequences: the same JSON", arguments: 0..<6)
    func randomSequences(seed: UInt64) async throws {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for step in 0..<300 {
            if step % 8 == 0 { await Task.yield() }  // as the property suites do: the pool is shared
            _ = try? ledger.run(generator.next(ledger))
        }
        #expect(ledger.log.count > 50)
        for recorded in ledger.log {
            #expect(
                try JSONValueEncoder.encode(recorded.event.payload) == (try Self.throughText(recorded.event.payload)),
                "\(recorded.event.type)")
        }
    }

    struct Keys: Codable {
        var plain = 1
        var amountFen = 2
        var myURLProperty = 3
        var aB = 4
        var x1Y = 5
        var alreadySnake = 6
        var nested: [Inner] = [Inner()]
        var missing: Int? = nil
        var present: String? = "是"
        var flags = [true, false]
        var uuid = UUID(uuidString: "5A251A36-0000-4000-8000-000000000001")!
        var ecoleEte = 7
        var uber = 8
        enum CodingKeys: String, CodingKey {
            case plain, amountFen, myURLProperty, aB, x1Y, nested, missing, present, flags, uuid
            case ecoleEte = "écoleÉté"
            case uber = "über"
            case alreadySnake = "already_snake"
        }
    }
    struct Inner: Codable {
        var innerValueFen: Int64 = 9_007_199_254_740_991
        var abcDef = "x"
        enum CodingKeys: String, CodingKey {
            case innerValueFen
            case abcDef = "ABCDef"
        }
    }

    @Test("keys: camel case, runs of capitals, digits, already snake, capitals beyond ASCII; nested values, optionals, UUIDs")
    func keys() throws {
        #expect(try JSONValueEncoder.encode(Keys()) == (try Self.throughText(Keys())))
        #expect(JSONValueEncoder.snakeCase("myURLProperty") == "my_url_property")
        #expect(JSONValueEncoder.snakeCase("myURLProperty") == "my_url_property", "remembered")
        #expect(JSONValueEncoder.snakeCase("écoleÉté") == "école_été")
        #expect(JSONValueEncoder.snakeCase("über") == "über")
    }

    /// An object with `count` camel-case keys made at run time.
    struct ManyKeys: Encodable {
        let count: Int
        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        func encode(to encoder: any Encoder) throws {
            var object = encoder.container(keyedBy: Key.self)
            for index in 0..<count { try object.encode(index, forKey: Key(stringValue: "someKey\(index)Of\(index % 7)")) }
        }
    }

    @Test("keys from data (a dictionary's) are converted the same however many there are; at most 4,096 are remembered")
    func manyKeys() throws {
        let many = ManyKeys(count: 6000)
        #expect(try JSONValueEncoder.encode(many) == (try Self.throughText(many)))
        #expect(try JSONValueEncoder.encode(many) == (try Self.throughText(many)), "converted again, partly remembered")
        #expect(JSONValueEncoder.rememberedSnakeCases <= 4096)
        #expect(JSONValueEncoder.rememberedSnakeCases > 0)
    }

    /// A `[String: V]` inside an object, and one at the top.
    struct Table: Encodable {
        let byName: [String: Int]
        let nested: [String: [String: String]]
    }

    @Test("a dictionary's String keys are written as they are, as JSONEncoder writes them, at any depth")
    func stringKeyedDictionaries() throws {
        let table = Table(byName: ["someKey": 1, "URLValue": 2, "plain": 3], nested: ["outerKey": ["innerKey": "x"]])
        #expect(try JSONValueEncoder.encode(table) == (try Self.throughText(table)))
        let top = ["someKey": 1, "other_key": 2]
        #expect(try JSONValueEncoder.encode(top) == (try Self.throughText(top)))
        #expect(CanonicalJSON.string(try JSONValueEncoder.encode(table)).contains("\"by_name\":{\"URLValue\":2,\"plain\":3,\"someKey\":1}"))
    }

    /// A set and a dictionary keyed by a value type (written as arrays by `Codable`).
    struct Unordered: Codable, Equatable {
        let codes: Set<String>
        let byBank: [BankId: Int]
        let byId: [UUID: [BankId: Int]]
    }

    @Test("a set, and a dictionary keyed by other than a string, are written in their keys' order, however they were built")
    func unorderedCollectionsInKeyOrder() throws {
        var random = SeededRandom(state: 41)
        let names = (0..<40).map { String(format: "B%03d", $0) }
        let ids = (0..<12).map { UUID(uuid: (UInt8($0), 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, UInt8(40 - $0))) }
        func built() throws -> Unordered {
            var byBank: [BankId: Int] = [:]
            for name in names.shuffled(using: &random) { byBank[try BankId(name)] = name.count }
            var byId: [UUID: [BankId: Int]] = [:]
            for id in ids.shuffled(using: &random) { byId[id] = byBank }
            return Unordered(codes: Set(names.shuffled(using: &random)), byBank: byBank, byId: byId)
        }
        let value = try built()
        let json = try JSONValueEncoder.encode(value)
        for _ in 0..<5 { #expect(try JSONValueEncoder.encode(try built()) == json) }
        #expect(try JSONValueDecoder.decode(Unordered.self, from: json) == value)
        guard case .object(let object) = json, case .array(let codes)? = object["codes"], case .array(let banks)? = object["by_bank"],
            case .array(let byId)? = object["by_id"]
        else { throw CanonicalJSONError.notAnObject }
        #expect(codes == names.map { .string($0) })
        #expect(banks == names.flatMap { [JSONValue.string($0), .integer(Int64($0.count))] })
        let idTexts = byId.indices.filter { $0.isMultiple(of: 2) }.map { CanonicalJSON.string(byId[$0]) }
        #expect(idTexts == idTexts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } && idTexts.count == ids.count)
    }

    @Test("what the parser refuses is refused: integers beyond ±(2^53 − 1) and floating point")
    func limits() throws {
        #expect(throws: CanonicalJSONError.self) { _ = try JSONValueEncoder.encode([Int64(9_007_199_254_740_992)]) }
        #expect(throws: CanonicalJSONError.self) { _ = try JSONValueEncoder.encode([1.5]) }
        // Amounts and ratios are written straight as integers (`JSONScalarValue`), under the same limit.
        for fen: Int64 in [9_007_199_254_740_992, -9_007_199_254_740_992, .max, .min] {
            #expect(throws: CanonicalJSONError.integerOutOfRange(String(fen))) { _ = try JSONValueEncoder.encode([Money(fen: fen)]) }
            #expect(throws: CanonicalJSONError.integerOutOfRange(String(fen))) { _ = try JSONValueEncoder.encode(["rate": Bp(fen)]) }
        }
        #expect(
            try JSONValueEncoder.encode([Money(fen: JSONValue.maxSafeInteger), Money(fen: -JSONValue.maxSafeInteger)])
                == .array([.integer(JSONValue.maxSafeInteger), .integer(-JSONValue.maxSafeInteger)]))
        #expect(try JSONValueEncoder.encode([Int64(-9_007_199_254_740_991)]) == .array([.integer(-9_007_199_254_740_991)]))
    }
}
