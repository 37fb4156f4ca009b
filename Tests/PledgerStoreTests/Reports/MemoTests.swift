import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("Reports kept until the ledger moves")
struct MemoTests {
    @Test("an answer is computed once per stamp: the same stamp gets the kept answer, a new stamp a fresh one")
    func keptPerStamp() async throws {
        let memo = Memo<Int>(capacity: 2)
        let computed = ReportGateTests.Shared(0)
        func ask(_ key: String, at stamp: Int) async throws -> String {
            try await memo.value(key, at: stamp) {
                computed { $0 += 1 }
                return "\(key)@\(stamp)"
            }
        }
        #expect(try await ask("a", at: 1) == "a@1")
        #expect(try await ask("a", at: 1) == "a@1")
        #expect(computed { $0 } == 1)
        #expect(try await ask("a", at: 2) == "a@2")
        #expect(try await ask("b", at: 2) == "b@2")
        #expect(computed { $0 } == 3)
        // Full: a third question empties it, and what was kept is computed again.
        #expect(try await ask("c", at: 2) == "c@2")
        #expect(try await ask("a", at: 2) == "a@2")
        #expect(computed { $0 } == 5)
        // A failed computation keeps nothing.
        await #expect(throws: CancellationError.self) {
            try await memo.value("d", at: 1) { () async throws -> String in throw CancellationError() }
        }
        #expect(try await ask("d", at: 1) == "d@1")
    }

    @Test("callers asking at once while an answer is computed share that one computation")
    func oneComputationForConcurrentCallers() async throws {
        let memo = Memo<Int>()
        let computed = ReportGateTests.Shared(0)
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await memo.value("slow", at: 1) {
                        computed { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(200))
                        return "answer"
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "answer", count: 16))
        #expect(computed { $0 } == 1)
    }

    @Test("a current report asked again after a write and its projection shows the write")
    func writesAreSeen() async throws {
        try await TestDatabase.withLedger { store, _ in
            let district = try ExampleDistrictCommands(policy: examplePolicy, contributions: [(.province, "3,000,000.00")])
            let handler = CommandHandler(store: store)
            for command in district.commands { try await handler.handle(command) }
            let projector = Projector(store: store)
            try await projector.catchUp()
            let reports = ReportService(store: store)
            let fund = fundId("LC-IPRC")

            let before = try await reports.growth(from: 2023, to: 2025)
            #expect(try await reports.growth(from: 2023, to: 2025) == before)
            #expect(before.years.map(\.loans).reduce(0, +) == 0)
            let exposure = try await reports.exposure(fund: fund)
            #expect(exposure.contributedFen == yuan("3,000,000.00"))
            // A rendering (a response body) is kept beside its answer, one per form.
            let renders = ReportGateTests.Shared(0)
            func rendered(_ form: String) async throws -> String {
                try await reports.growth(window: try MonthWindow.years(2023, 2025), as: form) { report in
                    renders { $0 += 1 }
                    return "\(form): \(report.years.map(\.loans).reduce(0, +))"
                }
            }
            func renderedExposure() async throws -> String {
                try await reports.exposure(fund: fund, as: "text") { report in
                    renders { $0 += 1 }
                    return "\(report.contributedFen)"
                }
            }
            #expect(try await rendered("json") == "json: 0")
            #expect(try await rendered("json") == "json: 0")
            #expect(try await rendered("csv") == "csv: 0")
            #expect(try await renderedExposure() == "\(yuan("3,000,000.00"))")
            #expect(try await renderedExposure() == "\(yuan("3,000,000.00"))")
            #expect(renders { $0 } == 3)

            try await handler.handle(district.origination)
            // Not projected yet: growth reads the sums as they stand, exposure sees the fund's stream.
            #expect(try await reports.growth(from: 2023, to: 2025) == before)
            try await projector.catchUp()
            #expect(try await reports.growth(from: 2023, to: 2025).years.map(\.loans).reduce(0, +) == 1)
            #expect(try await rendered("json") == "json: 1")
            #expect(try await rendered("csv") == "csv: 1")
            #expect(renders { $0 } == 5)

            try await handler.handle(
                .fund(
                    fund,
                    .receiveContribution(amount: yuan("1,000.00"), contributor: .city, receivedOn: date("2023-03-01"), reference: "拨付-追加")))
            #expect(try await reports.exposure(fund: fund).contributedFen == yuan("3,001,000.00"))
            #expect(try await renderedExposure() == "\(yuan("3,001,000.00"))")

            // Tables that drifted, then rebuilt at the same position: the answer kept from the
            // drifted tables is not served again.
            try await projector.catchUp()
            let right = try await reports.growth(from: 2023, to: 2025)
            try await store.client.withConnection { connection in
                try await connection.query("UPDATE rm_growth_months SET loans = loans + 5", logger: TestDatabase.logger)
            }
            let drifted = try await reports.growth(from: 2024, to: 2025)
            #expect(drifted.years.map(\.loans).reduce(0, +) > 1)
            try await Projector(store: store).rebuild()
            #expect(try await reports.growth(from: 2024, to: 2025).years.map(\.loans).reduce(0, +) == 1)
            #expect(try await reports.growth(from: 2023, to: 2025) == right)
        }
    }
}
