import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The events read straight from their canonical text (`CanonicalReader`) must be what
/// parsing the text gives: the same event, or the same error — for every text, canonical or
/// not, so that the fast reading can never let through what the parser refuses nor read a
/// member otherwise.
@Suite("Frequent events read straight from their canonical text")
struct CanonicalReaderTests {
    static let types: Set<String> = [
        LoanOriginated.type, RepaymentReceived.type, LoanClosed.type, BorrowerRegistered.type, CoverGranted.type, CoverReleased.type,
        CoverDefaulted.type,
    ]

    /// Events of those types: the samples of every type and those of random command sequences.
    static func events() throws -> [LedgerEvent] {
        var events = EventRoundTripTests.samples
        for seed in 0..<3 as Range<UInt64> {
            var generator = CommandGenerator(seed: seed)
            var ledger = InMemoryLedger()
            for command in generator.setup() { try ledger.run(command) }
            for _ in 0..<300 { _ = try? ledger.run(generator.next(ledger)) }
            events += ledger.log.map(\.event)
        }
        return events.filter { types.contains($0.type) }
    }

    /// `bytes` read as the log is read (straight from the text where it can be) and parsed
    /// alone: the same event, or errors that read the same.
    static func check(_ type: String, schema: Int32, _ bytes: [UInt8], _ comment: Comment) {
        func outcome(_ read: () throws -> LedgerEvent) -> MembersCodableTests.Read<LedgerEvent> {
            do { return .value(try read()) } catch { return .refused("\(error)") }
        }
        let read = outcome { try LedgerEvent.decode(type: type, schema: schema, utf8: bytes) }
        #expect(read == outcome { try LedgerEvent.parsed(type: type, schema: schema) { try JSONParser.parse(bytes) } }, comment)
    }

    @Test("every event of those types, as stored, is read straight from its text: the event it was")
    func canonicalIsRead() throws {
        var kinds = Set<String>()
        for event in try Self.events() {
            let bytes = Array(CanonicalJSON.string(try event.jsonData()).utf8)
            let read = bytes.withUnsafeBufferPointer { LedgerEvent.canonical(type: event.type, schema: event.schema, $0) }
            #expect(read == event, "\(event)")
            switch event {
            case .loanOriginated(let loan): kinds.insert(loan.fundId == nil ? "loan without fund" : "loan with fund")
            case .borrowerRegistered(let borrower): kinds.insert(borrower.firmSize == nil ? "borrower without size" : "borrower with size")
            default: kinds.insert(event.type)
            }
        }
        #expect(
            kinds == [
                "loan without fund", "loan with fund", "borrower without size", "borrower with size", RepaymentReceived.type,
                LoanClosed.type,
                CoverGranted.type, CoverReleased.type, CoverDefaulted.type,
            ])
        // Another schema of the type (an older one, upcast when parsed) is left to the parser.
        let closed = Array(#"{"closed_on":"2024-01-02"}"#.utf8)
        #expect(closed.withUnsafeBufferPointer { LedgerEvent.canonical(type: LoanClosed.type, schema: 2, $0) } == nil)
    }

    @Test("a member missing, null, of every other type, refused by its type or spelled otherwise: as parsed")
    func changedMembers() throws {
        var checked = 0
        for event in try Self.events().prefix(40) {
            guard case .object(let object) = try event.jsonData() else { continue }
            for variant in MembersCodableTests.variants(of: object, optionals: ["fund_id", "firm_size"]) {
                Self.check(event.type, schema: event.schema, Array(CanonicalJSON.string(.object(variant.object)).utf8), "\(variant.change)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test("the text changed byte by byte — whitespace, escapes, numbers spelled otherwise, cut short, bytes that are not UTF-8: as parsed")
    func changedText() throws {
        // Up to four events of each type.
        var seen: [String: Int] = [:]
        for event in try Self.events() where seen[event.type, default: 0] < 4 {
            seen[event.type, default: 0] += 1
            let text = Array(CanonicalJSON.string(try event.jsonData()).utf8)
            func check(_ bytes: [UInt8], _ change: String) { Self.check(event.type, schema: event.schema, bytes, "\(change): \(event)") }
            for index in 0...text.count {
                check(Array(text[..<index]), "cut at \(index)")
                for inserted: [UInt8] in [[0x20], [0x0A], [0x01], [0xFF], [0xC3], Array("0".utf8), Array("\\".utf8)] {
                    check(Array(text[..<index]) + inserted + Array(text[index...]), "\(inserted) at \(index)")
                }
                guard index < text.count else { continue }
                let byte = text[index]
                // The byte as a \u escape (inside a string the same text, elsewhere no JSON).
                let hex = Array("0123456789abcdef".utf8)
                check(
                    Array(text[..<index]) + Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]] + Array(text[(index + 1)...]),
                    "escaped at \(index)")
            }
            // Each number spelled otherwise or out of range.
            var index = 0
            while index < text.count {
                guard text[index] == UInt8(ascii: ":"), index + 1 < text.count,
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index + 1])
                else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[end]) { end += 1 }
                let digits = Array(text[(index + 1)..<end])
                for spelled in ["0", "-", "-0", "00"].map({ Array($0.utf8) + digits }) + [
                    digits + Array(".0".utf8), digits + Array("e1".utf8), digits + Array("E0".utf8), Array("-0".utf8),
                    Array("9007199254740991".utf8), Array("9007199254740992".utf8), Array("-9007199254740991".utf8),
                    Array("99999999999999999".utf8), Array("12345678901234567".utf8),
                ] {
                    check(Array(text[...index]) + spelled + Array(text[end...]), "\(String(decoding: spelled, as: UTF8.self)) for a number")
                }
                index = end
            }
            for trailing in [" ", "\n", "x", "}", ",", "{}"] { check(text + Array(trailing.utf8), "\(trailing) after it") }
        }
        #expect(Set(seen.keys) == Self.types)
    }
}
