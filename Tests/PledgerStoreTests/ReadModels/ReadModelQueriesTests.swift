import PledgerDomain
import PledgerDomainTestSupport
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("Read-model queries")
struct ReadModelQueriesTests {
    @Test("the loans a claim may be open on are the fund's defaulted and written-off ones, not its performing ones")
    func defaultedOrWrittenOff() async throws {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            let projector = Projector(store: store)
            let queries = ReadModelQueries(store: store)
            func listed(_ fund: FundId?) async throws -> [LoanKey: LoanSnapshot] {
                _ = try await projector.catchUp()
                return Dictionary(uniqueKeysWithValues: try await queries.defaultedOrWrittenOff(fund: fund).map { ($0.key, $0) })
            }
            let bankSide = FundMonth.bankSide
            let (performing, defaulting) = (bankSide.dropLast(2), bankSide[bankSide.count - 2])
            for command in performing { try await handler.handle(command) }
            #expect(try await listed(nil).isEmpty, "an active loan")

            try await handler.handle(defaulting)
            #expect(try await listed(FundMonth.fund)[FundMonth.loan]?.status == .defaulted)
            #expect(try await listed(fundId("CY-CITY")).isEmpty, "another fund's")

            try await handler.handle(.loan(FundMonth.loan, .writeOff(on: date("2024-12-01"), reason: "collateral sold short")))
            try await handler.handle(.loan(FundMonth.loan, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2024-12-30"))))
            let writtenOff = try await listed(nil)[FundMonth.loan]
            #expect(writtenOff?.status == .writtenOff)
            #expect(writtenOff?.pendingClaimFen == yuan("500,000.00") && writtenOff?.pendingClaimApproved == false)
        }
    }
}
