import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Events decoded without JSONDecoder")
struct JSONValueDecoderTests {
    enum Decoded<T: Equatable>: Equatable {
        case success(T)
        case failure(String)
    }

    /// `text` decoded by `JSONDecoder` (keys from snake case) and by `JSONValueDecoder`: both
    /// values, or both errors described as the API describes them.
    static func both<T: Decodable & Equatable>(_ type: T.Type, _ text: String) -> (Decoded<T>, Decoded<T>) {
        func run(_ decode: () throws -> T) -> Decoded<T> {
            do { return .success(try decode()) } catch let error as DecodingError {
                return .failure(EventCoding.describe(error))
            } catch { return .failure("\(error)") }
        }
        return (
            run { try EventCoding.decoder.decode(T.self, from: Data(text.utf8)) },
            run { try JSONValueDecoder.decode(T.self, from: try JSONParser.parse(text)) }
        )
    }

    @Test("every event type: the same value as JSONDecoder gives, and the value encoded")
    func everySample() throws {
        func check<P: EventPayload>(_ payload: P) throws {
            let text = CanonicalJSON.string(try JSONValueEncoder.encode(payload))
            let (foundation, ours) = Self.both(P.self, text)
            #expect(foundation == ours, "\(P.type)")
            #expect(ours == .success(payload), "\(P.type)")
        }
        for event in EventRoundTripTests.samples { try check(event.payload) }
    }

    @Test("every event and every loan snapshot of random command sequences: the same value as JSONDecoder gives", arguments: 0..<4)
    func randomSequences(seed: UInt64) async throws {
        func check<T: Codable & Equatable>(_ value: T) throws {
            let (foundation, ours) = Self.both(T.self, CanonicalJSON.string(try JSONValueEncoder.encode(value)))
            #expect(foundation == ours, "\(T.self)")
            #expect(ours == .success(value), "\(T.self)")
        }
        func check<P: EventPayload>(payload: P) throws { try check(payload) }
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for step in 0..<300 {
            if step % 8 == 0 { await Task.yield() }
            _ = try? ledger.run(generator.next(ledger))
        }
        #expect(ledger.log.count > 50)
        for recorded in ledger.log { try check(payload: recorded.event.payload) }
        let snapshots = ledger.states.loanSnapshots
        #expect(!snapshots.isEmpty)
        for snapshot in snapshots { try check(snapshot) }
    }

    struct Shape: Codable, Equatable {
        var amountFen: Int64
        var paidOn: BusinessDate
        var note: String?
        var dueOn: BusinessDate?
        var counts: [String: Int]?
        var parts: [Part]?
        struct Part: Codable, Equatable {
            var kindCode: Int8
            var label: String
        }
        /// The values read straight from their scalar (`JSONScalarValue`).
        var limitFen: Money?
        var rateBp: Bp?
        var bankId: BankId?
        var borrower: Uscc?
        var kind: AssetKind?
        var region: RegionCode?
        var industry: IndustryCode?
    }

    @Test(
        "what JSONDecoder refuses is refused with the same field and reason; what it accepts is accepted",
        arguments: [
            #"{"amount_fen": 5, "paid_on": "2024-01-31"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "note": null, "counts": {"snake_key": 1, "camelKey": 2}}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": [{"kind_code": 3, "label": "x"}], "extra": true}"#,
            #"{"amountFen": 5, "paid_on": "2024-01-31"}"#,
            #"{"paid_on": "2024-01-31"}"#,
            #"{"amount_fen": null, "paid_on": "2024-01-31"}"#,
            #"{"amount_fen": "5", "paid_on": "2024-01-31"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-02-30"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": [{"kind_code": 3}]}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": {"kind_code": 3}}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "note": 7}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "due_on": null}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": null}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "counts": null}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": [null]}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": [{"kind_code": 3, "label": null}]}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "due_on": "2024-13-01"}"#,
            #"[1, 2]"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "limit_fen": -7, "rate_bp": 450, "bank_id": "ICBC-CY", "borrower": "91512081MA62K0260E", "kind": "patent", "region": "211303", "industry": "C3841"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "limit_fen": "7"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "rate_bp": true}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "bank_id": "bad id"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "bank_id": 7}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "borrower": "91512081MA62K0260F"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "borrower": "91512081MA62K0260E"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "kind": "car"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "region": "991303"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "industry": "Z38"}"#,
            #"{"amount_fen": 5, "paid_on": "2024-1-31"}"#,
        ])
    func refusals(text: String) {
        let (foundation, ours) = Self.both(Shape.self, text)
        #expect(foundation == ours, "\(text)")
    }

    @Test("amounts, ratios, ids, codes and closed sets are read straight from their scalar, as their decoders read them")
    func scalars() throws {
        let text =
            #"{"amount_fen": 5, "paid_on": "2024-01-31", "limit_fen": -7, "rate_bp": 450, "bank_id": "ICBC-CY", "borrower": "91512081MA62K0260E", "kind": "patent", "region": "211303", "industry": "C3841"}"#
        let (foundation, ours) = Self.both(Shape.self, text)
        let expected = Shape(
            amountFen: 5, paidOn: try BusinessDate(parsing: "2024-01-31"), limitFen: Money(fen: -7), rateBp: Bp(450),
            bankId: try BankId("ICBC-CY"), borrower: try Uscc("91512081MA62K0260E"), kind: .patent, region: try RegionCode("211303"),
            industry: try IndustryCode("C3841"))
        #expect(foundation == .success(expected) && ours == .success(expected))
        #expect(
            Self.both(Shape.self, #"{"amount_fen": 5, "paid_on": "2024-01-31"}"#).1
                == .success(Shape(amountFen: 5, paidOn: expected.paidOn)))
    }

    @Test("a number beyond its field's type names the field (JSONDecoder says only that the JSON is not valid)")
    func numberOutOfRange() {
        let text = #"{"amount_fen": 5, "paid_on": "2024-01-31", "parts": [{"kind_code": 300, "label": "x"}]}"#
        let (foundation, ours) = Self.both(Shape.self, text)
        #expect(foundation == .failure("The given data was not valid JSON."))
        #expect(ours == .failure("parts[0].kind_code: Number 300 is not representable in Swift."))
    }

    @Test("a stored event that does not decode is reported as malformed, naming the field")
    func malformedEvent() {
        #expect(throws: EventDecodingError.malformed(type: "RepaymentReceived", detail: "principal_fen: is required")) {
            try LedgerEvent.decode(
                type: "RepaymentReceived", schema: RepaymentReceived.schema, data: #"{"interest_fen": 0, "paid_on": "2024-01-31"}"#)
        }
        #expect(throws: EventDecodingError.self) {
            try LedgerEvent.decode(type: "RepaymentReceived", schema: RepaymentReceived.schema, data: "{not json")
        }
    }

    /// What `JSONDecoder` (keys from snake case) names `key`.
    static func foundationCamelCase(_ key: String) throws -> String {
        struct FirstKey: Decodable {
            let name: String
            init(from decoder: any Decoder) throws { name = try decoder.container(keyedBy: AnyKey.self).allKeys.first?.stringValue ?? "" }
        }
        let text = CanonicalJSON.string(.object(try JSONObject([(key, .null)])))
        return try EventCoding.decoder.decode(FirstKey.self, from: Data(text.utf8)).name
    }

    @Test("keys are converted as JSONDecoder converts them (those it keeps as they are too), and at most 4,096 are remembered")
    func keys() throws {
        let keys = [
            "amount_fen", "_leading", "trailing_", "a__b", "already", "alreadyCamel", "URL_value", "x_1_y", "", "_", "über_größe", "Über",
        ]
        for key in keys {
            #expect(JSONValueDecoder.camelCase(key) == (try Self.foundationCamelCase(key)), "\(key)")
            #expect(JSONValueDecoder.camelCase(key) == (try Self.foundationCamelCase(key)), "\(key), remembered")
        }
        #expect(JSONValueDecoder.camelCase("amount_fen") == "amountFen")
        #expect(JSONValueDecoder.camelCase("_leading_one") == "_leadingOne")
        for index in 0..<5000 { _ = JSONValueDecoder.camelCase("key_\(index)_of") }
        #expect(JSONValueDecoder.rememberedCamelCases <= 4096)
    }
}
