import Foundation
import HTTPTypes
import PledgerStore
import Testing

@Suite("HTTP: bulk monthly reports")
struct BulkReportTests {
    static func operations(_ count: Int, badIndex: Int? = nil) -> String {
        var items: [String] = []
        for n in 0..<count {
            let principal = n == badIndex ? -1 : 100_000
            items.append(
                #"{"op":"repayment","contract_no":"LC-2024-0001","principal_fen":\#(principal),"interest_fen":500,"paid_on":"2024-04-01"}"#)
        }
        return #"{"operations":[\#(items.joined(separator: ","))]}"#
    }

    @Test("atomic: one bad item and nothing is written, with the item's index and field")
    func atomic() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let head = try await api.store.head().position
            let reply = try await api.send(.post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB", json: Self.operations(50, badIndex: 37))
            #expect(reply.status == 422 && reply.problem == "report-rejected")
            let rejected = reply.json["items"]?.arrayValue?.filter { $0["status"] == .string("rejected") }
            #expect(rejected?.count == 1)
            #expect(rejected?.first?["index"] == .integer(37))
            #expect(rejected?.first?["error"]?["field"] == .string("principal_fen"))
            #expect(try await api.store.head().position == head)
        }
    }

    @Test("non-atomic: valid items are written in one append, invalid ones listed; thousands are fast")
    func partial() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let head = try await api.store.head().position
            let started = ContinuousClock.now
            let reply = try await api.send(
                .post, "/v1/banks/LCRCB/reports?atomic=false", as: "bank:LCRCB", json: Self.operations(3000, badIndex: 5))
            let elapsed = ContinuousClock.now - started
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            #expect(reply.integer("accepted") == 2999 && reply.integer("rejected") == 1)
            #expect(try await api.store.head().position == head + 2999)
            let loan = try await api.send(.get, "/v1/banks/LCRCB/loans/LC-2024-0001", as: "bank:LCRCB")
            #expect(loan.integer("outstanding_fen") == Int64(500_000_000 - 2999 * 100_000))
            print("bulk report: 3000 items in \(elapsed)")
        }
    }

    @Test("CSV reports: rows become operations; errors carry the CSV line")
    func csv() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let csv = """
                op,contract_no,borrower,principal_fen,rate_bp,originated_on,matures_on,fund_id,asset_id,registration_no,interest_fen,paid_on
                originate,CSV-1,91512081MA62K0260E,200000000,400,2024-05-01,2025-05-01,LC-IPRC,ZL1,Y-1,,
                repayment,CSV-1,,50000000,,,,,,,1000,2024-06-01
                repayment,CSV-1,,abc,,,,,,,0,2024-07-01
                """
            let rejected = try await api.send(.post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB", json: csv, contentType: "text/csv")
            #expect(rejected.status == 422)
            let bad = rejected.json["items"]?.arrayValue?.first { $0["status"] == .string("rejected") }
            #expect(bad?["line"] == .integer(4))
            let good = try await api.send(
                .post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB",
                json: csv.split(separator: "\n").dropLast().joined(separator: "\n"), contentType: "text/csv")
            #expect(good.status == 200, "\(good.text)")
            let loan = try await api.send(.get, "/v1/banks/LCRCB/loans/CSV-1", as: "bank:LCRCB")
            #expect(loan.integer("outstanding_fen") == 150_000_000)
        }
    }

    @Test("CSV reports carry a default like the single call: missed_due_on is a column")
    func csvDefault() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            let csv = """
                op,contract_no,borrower,principal_fen,rate_bp,originated_on,matures_on,fund_id,asset_id,registration_no,defaulted_on,missed_due_on,classification
                originate,CSV-2,91512081MA62K0260E,200000000,400,2024-05-01,2025-05-01,LC-IPRC,ZL1,Y-1,,,
                default,CSV-2,,,,,,,,,2024-09-15,2024-06-01,substandard
                """
            let reply = try await api.send(.post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB", json: csv, contentType: "text/csv")
            #expect(reply.status == 200, "\(reply.text)")
            let loan = try await api.send(.get, "/v1/banks/LCRCB/loans/CSV-2", as: "bank:LCRCB")
            #expect(loan.string("status") == "defaulted", "\(loan.text)")
            #expect(loan.json["default"]?["missed_due_on"] == .string("2024-06-01"), "\(loan.text)")
        }
    }
}
