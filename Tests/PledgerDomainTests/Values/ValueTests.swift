import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Value types")
struct ValueTests {
    @Test("USCC: valid codes pass", arguments: ["91512081MA62K0260E", "91110000100000000W"])
    func validUscc(code: String) throws {
        // The second one is built from its prefix to be sure the check algorithm agrees with itself.
        if code != "91512081MA62K0260E" {
            let made = String(code.prefix(17)) + String(Uscc.checkCharacter(for: String(code.prefix(17)))!)
            #expect(try Uscc(made).value == made)
        } else {
            #expect(try Uscc(code).value == code)
        }
    }

    @Test(
        "USCC: invalid codes are refused with the reason",
        arguments: [
            ("91512081MA62K0260F", "check"),  // wrong check character
            ("91512081ma62k0260e", "capital"),  // lowercase
            ("91512081MA62K026", "18"),  // too short
            ("91512081MA62K0260E0", "18"),  // too long
            ("91512081MI62K0260E", "'I'"),  // forbidden letter I
            ("9151208OMA62K0260E", "'O'"),  // forbidden letter O
            ("", "18"),
        ])
    func invalidUscc(code: String, reason: String) {
        #expect {
            try Uscc(code)
        } throws: { error in
            let error = error as! DomainError
            return error.field == "uscc" && error.message.contains(reason)
        }
    }

    @Test("USCC: packed, a code still reads back, compares, hashes and encodes as its text")
    func usccAsText() throws {
        var random = SeededRandom(state: 20_261_201)
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let texts = (0..<2000).map { _ in
            let prefix = String((0..<17).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
            return prefix + String(Uscc.checkCharacter(for: prefix)!)
        }
        let codes = try texts.map { try Uscc($0) }
        #expect(codes.map(\.value) == texts && codes.map(\.description) == texts)
        #expect(codes.sorted().map(\.value) == texts.sorted())
        for (a, b) in zip(codes, codes.dropFirst()) {
            #expect((a == b) == (a.value == b.value) && (a < b) == (a.value < b.value))
        }
        #expect(Set(codes).count == Set(texts).count)
        let again = try Uscc(texts[7])
        #expect(again == codes[7] && again.hashValue == codes[7].hashValue)
        let json = try JSONEncoder().encode(codes)
        #expect(try JSONDecoder().decode([Uscc].self, from: json) == codes)
        #expect(try JSONDecoder().decode([String].self, from: json) == texts)
        // U+212A KELVIN SIGN is "K" to Swift: such a code is the code with the letter.
        let letter = try #require(texts.first { $0.dropLast().contains("K") })
        let kelvin = try Uscc(letter.replacingOccurrences(of: "K", with: "\u{212A}"))
        let plain = try Uscc(letter)
        #expect(kelvin.value == letter && kelvin == plain)
    }

    @Test("Money parses yuan with and without thousands separators, exactly")
    func moneyParsing() throws {
        #expect(try Money(parsing: "12345.67").fen == 1_234_567)
        #expect(try Money(parsing: "12,345.67").fen == 1_234_567)
        #expect(try Money(parsing: "-0.5").fen == -50)
        #expect(try Money(parsing: "100").fen == 10_000)
        #expect(try Money(parsing: " 1,000,000.00 ").fen == 100_000_000)
        #expect(try Money(parsing: "90,071,992,547,409.91") == Money.maximum)
        #expect(try Money(parsing: "-90071992547409.91").fen == -Money.maximum.fen)
        for bad in ["12,34.5", "1.234", "abc", "", "1..2", "1,0000", "90071992547409.92", "92233720368547758.08", "1e5", "."] {
            #expect(throws: DomainError.self, "\(bad)") { try Money(parsing: bad) }
        }
    }

    @Test("Money prints with separators and exact fen")
    func moneyPrinting() {
        #expect(Money(fen: 1_234_567).description == "12,345.67")
        #expect(Money(fen: -5).description == "-0.05")
        #expect(Money(fen: 100_000_000_000).description == "1,000,000,000.00")
        #expect(Money(fen: -1_234_567).plainYuan == "-12345.67")
    }

    @Test("overflow is an error, never a wrap or a trap")
    func overflow() {
        #expect(throws: DomainError.self) { try Money(fen: .max) + Money(fen: 1) }
        #expect(throws: DomainError.self) { try Money(fen: .min) - Money(fen: 1) }
        #expect(throws: DomainError.self) { try Money(fen: .max).scaled(by: 3, over: 2, rounding: .down) }
    }

    @Test("saturating sums stay within ±maximum; report totals refuse to pass it")
    func limits() throws {
        #expect(Money.maximum.adding(saturating: Money.maximum) == .maximum)
        #expect(Money(fen: .max).adding(saturating: Money(fen: .max)) == .maximum)
        #expect(Money(fen: .min).subtracting(saturating: Money(fen: .max)) == Money(fen: -Money.maximum.fen))
        #expect(Money.zero.subtracting(saturating: Money(fen: .min)) == .maximum)
        #expect(yuan("1.00").adding(saturating: yuan("2.00")) == yuan("3.00"))
        #expect(try Money.total([Money.maximum, .zero], of: "x", field: "f") == .maximum)
        #expect(throws: DomainError(.limitExceeded, field: "f", "x exceeds the ledger's maximum of 90,071,992,547,409.91")) {
            try Money.total(Array(repeating: Money.maximum, count: 1_100), of: "x", field: "f")
        }
        #expect(throws: DomainError.self) { try Money.maximum.adding(Money(fen: 1), toTotal: "t", field: "f") }
        #expect(try Money.maximum.adding(.zero, toTotal: "t", field: "f") == .maximum)
    }

    @Test("ratios never trap, and are nil beyond what JSON carries exactly")
    func extremeRatios() {
        #expect(Bp.ratio(Money(fen: .min), Money(fen: -1), rounding: .down) == nil)
        #expect(Bp.ratio(Money(fen: 1_000_000_000_000), Money(fen: 1), rounding: .up) == nil)
        #expect(Bp.ratio(Money(fen: 900_000_000_000), Money(fen: 1), rounding: .up) == Bp(9_000_000_000_000_000))
        #expect(Bp.ratio(Money(fen: -6), Money(fen: -3), rounding: .up) == Bp(20_000))
    }

    @Test(
        "scaling rounds in the stated direction, for both signs",
        arguments: [
            (10, 1, 3, Rounding.down, 3), (10, 1, 3, .up, 4), (-10, 1, 3, .down, -4), (-10, 1, 3, .up, -3),
            (9, 1, 3, .up, 3), (50_000_000, 100_000_000, 320_000_000, .up, 15_625_000),
            (33_333_333, 100_000_000, 320_000_000, .up, 10_416_667), (33_333_333, 100_000_000, 320_000_000, .down, 10_416_666),
        ])
    func scaling(fen: Int64, numerator: Int64, denominator: Int64, rounding: Rounding, expected: Int64) throws {
        #expect(try Money(fen: fen).scaled(by: numerator, over: denominator, rounding: rounding).fen == expected)
    }

    @Test("basis points: ratios and percentages")
    func basisPoints() {
        #expect(Bp.ratio(yuan("5,000,000.00"), yuan("10,000,000.00"), rounding: .up) == Bp(5000))
        #expect(Bp.ratio(Money(fen: 1), Money(fen: 3), rounding: .up) == Bp(3334))
        #expect(Bp.ratio(Money(fen: 1), Money(fen: 3), rounding: .down) == Bp(3333))
        #expect(Bp.ratio(Money(fen: 1), .zero, rounding: .down) == nil)
        #expect(Bp(4000).percent == "40.00%")
        #expect(Bp(1549).percent == "15.49%")
        #expect(Bp(-250).percent == "-2.50%")
    }

    @Test("business dates: parsing, day counts, month arithmetic, China-time days")
    func dates() throws {
        #expect(date("2024-02-29").adding(months: 12).description == "2025-02-28")
        #expect(date("2024-01-31").adding(months: 1).description == "2024-02-29")
        #expect(date("2024-10-01").days(until: date("2024-12-30")) == 90)
        #expect(date("2024-03-01").wholeMonths(until: date("2025-03-01")) == 12)
        #expect(date("2024-03-15").wholeMonths(until: date("2025-03-14")) == 11)
        #expect(date("2024-01-31").wholeMonths(until: date("2024-02-29")) == 1)
        #expect(BusinessDate(containing: RecordedTime(parsing: "2024-12-31T16:00:00Z")!).description == "2025-01-01")
        #expect(BusinessDate(containing: RecordedTime(parsing: "2024-12-31T15:59:59.999999Z")!).description == "2024-12-31")
        for bad in ["2024-02-30", "2024-13-01", "24-01-01", "2024/01/01", "2024-1-1"] {
            #expect(throws: DomainError.self, "\(bad)") { try BusinessDate(parsing: bad) }
        }
    }

    @Test("codes and identifiers are validated at construction")
    func codes() {
        #expect((try? RegionCode("211303")) != nil)
        #expect((try? RegionCode("991303")) == nil)
        #expect((try? RegionCode("21130")) == nil)
        #expect((try? IndustryCode("C3841")) != nil)
        #expect((try? IndustryCode("C38")) != nil)
        #expect((try? IndustryCode("Z38")) == nil)
        #expect((try? IndustryCode("C38411")) == nil)
        #expect((try? IndustryCode("B\u{301}")) == nil)
        #expect((try? IndustryCode("C\u{0}38")) == nil)
        #expect((try? BankId("ICBC-CY")) != nil)
        #expect((try? BankId("bad id")) == nil)
        #expect((try? BankId("")) == nil)
        #expect((try? BankId("-lead")) == nil)
        #expect((try? BankId("a.b_c-D9")) != nil && (try? BankId("9a")) != nil)
        #expect((try? BankId(String(repeating: "x", count: 64))) != nil)
        for refused in [String(repeating: "x", count: 65), ".lead", "_lead", "é1", "a\u{301}", "１", "a/b", "a\u{0}"] {
            #expect((try? BankId(refused)) == nil, "\(refused)")
        }
    }
}
