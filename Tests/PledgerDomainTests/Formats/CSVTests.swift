import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("CSV")
struct CSVTests {
    @Test("a header naming a column twice (case and spaces aside) is refused on line 1, naming it")
    func duplicateColumn() throws {
        for header in ["contract_no,Contract_No", "contract_no,amount, CONTRACT_NO "] {
            let rows = try CSV.parse("\(header)\nC-1,C-2\n")
            #expect {
                try CSV.Table(rows, required: ["contract_no"], optional: ["amount"])
            } throws: { error in
                guard let error = error as? CSV.ParseError else { return false }
                return error.line == 1 && error.message.contains("column \"contract_no\" appears twice")
            }
        }
        // Distinct columns, and blank ones from a trailing comma, are fine.
        let table = try CSV.Table(try CSV.parse("contract_no,amount,,\nC-1,5,,\n"), required: ["contract_no"], optional: ["amount"])
        #expect(table.value(table.rows[0], "contract_no") == "C-1")
    }
}
