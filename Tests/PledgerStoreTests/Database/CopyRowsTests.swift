import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("COPY in, text format: what is sent is what the server stores")
struct CopyRowsTests {
    struct Row: Equatable {
        var label: String?
        var amount: Int64
        var day: BusinessDate
        var flag: Bool
    }

    static let awkward: [Row] = [
        Row(label: "plain", amount: 0, day: BusinessDate(dayNumber: 0), flag: true),
        Row(
            label: "tab\there, line\nend\r and \\ backslash \\N not null", amount: -1, day: try! BusinessDate(parsing: "2024-02-29"),
            flag: false),
        Row(label: nil, amount: .min, day: try! BusinessDate(parsing: "1900-01-01"), flag: true),
        Row(label: "", amount: .max, day: try! BusinessDate(parsing: "2200-12-31"), flag: false),
        Row(label: "\\.", amount: 1_234_567_890, day: try! BusinessDate(parsing: "2025-12-31"), flag: true),
        Row(
            label: "股权质押 \u{1F4B0} \"quoted\" {\"json\": \"a\\\\b\"}", amount: -987_654_321_012,
            day: try! BusinessDate(parsing: "1969-12-31"), flag: false),
    ]

    @Test("text with tabs, line ends and backslashes, NULL, the extreme integers and dates, in about a MiB at a time")
    func roundTrip() async throws {
        // Enough rows that the buffer is sent several times before the end.
        let rows = (0..<40_000).map { Self.awkward[$0 % Self.awkward.count] }
        let stored = try await TestDatabase.withDatabase { url in
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query(
                    "CREATE TABLE copied (n serial, label text, amount bigint NOT NULL, day date NOT NULL, flag bool NOT NULL)",
                    logger: .init(label: "test"))
                try await connection.copy(rows, into: "copied", columns: ["label", "amount", "day", "flag"], logger: .init(label: "test")) {
                    row, value in
                    row.text(value.label)
                    row.integer(value.amount)
                    row.date(value.day)
                    row.bool(value.flag)
                }
                var stored: [Row] = []
                for try await (label, amount, day, flag) in try await connection.query(
                    "SELECT label, amount, day::text, flag FROM copied ORDER BY n", logger: .init(label: "test")
                ).decode((String?, Int64, String, Bool).self) {
                    stored.append(Row(label: label, amount: amount, day: try BusinessDate(parsing: day), flag: flag))
                }
                return stored
            }
        }
        #expect(stored.count == rows.count)
        #expect(stored == rows)
    }

    @Test("a one-column row that is only a backslash sequence — \\N, \\., \\ — is text, not NULL or the end of the data")
    func loneMarkers() async throws {
        let values: [String?] = ["\\N", "\\.", "\\", "", nil, "after"]
        let stored = try await TestDatabase.withDatabase { url in
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("CREATE TABLE lone (n serial, value text)", logger: .init(label: "test"))
                try await connection.copy(values, into: "lone", columns: ["value"], logger: .init(label: "test")) { row, value in
                    row.text(value)
                }
                var stored: [String?] = []
                for try await value in try await connection.query("SELECT value FROM lone ORDER BY n", logger: .init(label: "test")).decode(
                    String?.self)
                {
                    stored.append(value)
                }
                return stored
            }
        }
        #expect(stored == values)
    }

    @Test("a row the server refuses fails the whole COPY with its reason, and the connection goes on")
    func refused() async throws {
        let (message, after) = try await TestDatabase.withDatabase { url in
            try await TestDatabase.asSuperuser(url) { connection in
                try await connection.query("CREATE TABLE small (n int2 NOT NULL)", logger: .init(label: "test"))
                let message: String
                do {
                    try await connection.copy([1, 2, 100_000], into: "small", columns: ["n"], logger: .init(label: "test")) { row, n in
                        row.integer(n)
                    }
                    message = "no error"
                } catch {
                    message = String(reflecting: error)
                }
                var count = -1
                for try await n in try await connection.query("SELECT count(*)::int FROM small", logger: .init(label: "test")).decode(
                    Int.self)
                {
                    count = n
                }
                return (message, count)
            }
        }
        #expect(message.contains("out of range"))
        #expect(after == 0)
    }
}
