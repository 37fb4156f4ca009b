import Foundation
import PledgerApplication
import PledgerDomainTestSupport
import Testing

@Suite("A spreadsheet's CSV: every problem names the file, the line and the column")
struct SpreadsheetFileTests {
    static let columns = ["date", "amount", "reference"]

    static func file(_ text: String, bytes: [UInt8]? = nil) throws -> SpreadsheetFile {
        try SpreadsheetFile(path: "march.csv", contents: Data(bytes ?? Array(text.utf8)), required: columns, optional: ["note"])
    }

    @Test(
        "whole-file problems",
        arguments: [
            ("", "march.csv: line 1: the file is empty; it needs a header row: date,amount,reference"),
            (
                "date,amount\n2025-01-01,1.00\n",
                "march.csv: line 1: missing column(s) reference; the header must name: date,amount,reference"
            ),
            ("date,amount,reference\n", "march.csv: the file has a header but no rows"),
            (
                "date,amount,reference,colour\n2025-01-01,1.00,R,red\n",
                #"march.csv: line 1: unknown column "colour"; the columns are: date,amount,reference,note"#
            ),
            ("date,amount,reference\n2025-01-01,\"1.00,R\n", "march.csv: line 2: a quoted field is not closed"),
        ])
    func wholeFile(text: String, message: String) throws {
        #expect(throws: ApplicationError.badInput(message)) { try Self.file(text) }
    }

    @Test("values: the line and the column in every message")
    func values() throws {
        let file = try Self.file("date,amount,reference,note\n2025-02-30,\"12,345.67\",,x\n2025-03-01,12.345,R-2,\n")
        let (first, second) = (file.table.rows[0], file.table.rows[1])
        #expect(try file.money(first, "amount") == yuan("12,345.67"))
        #expect(try file.text(second, "note", required: false) == "")
        #expect(try file.money(second, "note", required: false) == nil)
        #expect(throws: ApplicationError.badInput("march.csv: line 2, column reference: is empty")) { try file.text(first, "reference") }
        #expect(throws: ApplicationError.badInput("march.csv: line 3, column note: is empty; give an amount in yuan like 12345.67")) {
            try file.money(second, "note")
        }
        #expect { try file.date(first, "date") } throws: { "\($0)".hasPrefix("march.csv: line 2, column date: ") }
        #expect { try file.money(second, "amount") } throws: { "\($0)".hasPrefix("march.csv: line 3, column amount: ") }
        #expect(try file.date(second, "date") == date("2025-03-01"))
    }

    @Test("encodings: a UTF-8 byte-order mark is fine; GBK bytes are refused on their line")
    func encodings() throws {
        let bom = try Self.file("", bytes: [0xEF, 0xBB, 0xBF] + Array("date,amount,reference\n2025-01-01,1.00,R\n".utf8))
        #expect(bom.table.rows.count == 1 && bom.table.value(bom.table.rows[0], "date") == "2025-01-01")
        let gbk = Array("date,amount,reference\n2025-01-01,1.00,".utf8) + [0xC1, 0xFA, 0xB3, 0xC7] + Array("\n".utf8)
        #expect { try Self.file("", bytes: gbk) } throws: { "\($0)".hasPrefix("march.csv: line 2: ") && "\($0)".contains("not UTF-8") }
    }

    @Test("a file that cannot be read says so")
    func missingFile() {
        #expect(throws: ApplicationError.badInput("/nonexistent/march.csv: cannot read the file (does it exist?)")) {
            try SpreadsheetFile(path: "/nonexistent/march.csv", required: Self.columns)
        }
    }
}
