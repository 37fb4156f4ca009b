import Foundation
import PledgerDomain
import PledgerStore
import PledgerTestSupport
import Testing

@Suite("Command handling against the event store")
struct CommandHandlerTests {
    @Test("a loan's life through Postgres: multi-stream appends, state reloaded from the log")
    func lifeOfALoan() async throws {
        try await TestDatabase.withLedger { store, _ in
            let handler = CommandHandler(store: store)
            let district = SampleDistrict()
            for command in district.setup { try await handler.handle(command) }
            let originated = try await handler.handle(district.origination)
            #expect(
                originated.append.streamVersions.keys.sorted()
                    == [district.loan.stream, Streams.asset(district.patent), Streams.fund(district.fund)].sorted())
            #expect(
                originated.append.streamVersions[district.loan.stream] == 1
                    && originated.append.streamVersions[Streams.asset(district.patent)] == 3)
            try await handler.handle(
                .loan(
                    district.loan,
                    .repay(principal: try Money(parsing: "1,800,000.00"), interest: .zero, paidOn: try BusinessDate(parsing: "2024-09-01")))
            )
            try await handler.handle(
                .loan(
                    district.loan,
                    .markDefaulted(
                        on: try BusinessDate(parsing: "2024-10-01"), missedDueOn: try BusinessDate(parsing: "2024-06-28"), daysOverdue: 95,
                        classification: .loss)))
            try await handler.handle(
                .loan(
                    district.loan,
                    .claimCompensation(amount: try Money(parsing: "1,000,000.00"), claimedOn: try BusinessDate(parsing: "2024-10-02"))))
            let approved = try await handler.handle(
                .loan(
                    district.loan,
                    .approveClaim(amount: try Money(parsing: "1,000,000.00"), approvedOn: try BusinessDate(parsing: "2024-10-03"))))
            #expect(Set(approved.append.streamVersions.keys) == [district.loan.stream, Streams.fund(district.fund)])

            let states = try await handler.load(
                for: .loan(district.loan, .payClaim(paidOn: try BusinessDate(parsing: "2024-10-04"), paymentRef: "P")))
            #expect(states.loans[district.loan]?.outstanding == (try Money(parsing: "3,200,000.00")))
            #expect(states.funds[district.fund]?.committedByBorrower[district.borrower] == (try Money(parsing: "1,000,000.00")))

            // A refusal writes nothing.
            let head = try await store.head().position
            await #expect(throws: DomainError.self) {
                try await handler.handle(
                    .loan(
                        district.loan,
                        .approveClaim(amount: try Money(parsing: "1.00"), approvedOn: try BusinessDate(parsing: "2024-10-05"))))
            }
            #expect(try await store.head().position == head)
        }
    }

    @Test("concurrent commands on one fund: conflicts are retried, none is lost, and the balance never goes negative")
    func concurrentFundCommands() async throws {
        try await TestDatabase.withLedger(maxConnections: 8) { store, _ in
            let handler = CommandHandler(store: store)
            let district = SampleDistrict()
            for command in district.setup { try await handler.handle(command) }
            // 30 contributions racing on the same fund stream: every one lands.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...30 {
                    group.addTask {
                        try await handler.handle(
                            .fund(
                                district.fund,
                                .receiveContribution(
                                    amount: Money(fen: Int64(n) * 100), contributor: .other,
                                    receivedOn: try BusinessDate(parsing: "2023-06-01"), reference: "race-\(n)")))
                    }
                }
                try await group.waitForAll()
            }
            var states = AggregateStates()
            try await handler.load(.fund(district.fund), into: &states)
            let fund = try #require(states.funds[district.fund])
            #expect(fund.contributions.count == 33)
            #expect(fund.balance == Money(fen: 1_000_000_000 + (1...30).reduce(0) { $0 + Int64($1) * 100 }))
            #expect(states.versions[.fund(district.fund)] == 35)
        }
    }
}

/// The worked example's district as commands, for storage-level tests.
struct SampleDistrict {
    let fund = try! FundId("LC-IPRC")
    let bank = try! BankId("LCRCB")
    let borrower = try! Uscc("91512081MA62K0260E")
    let patent = try! AssetId("ZL202110000001")
    let loan = LoanKey(bank: try! BankId("LCRCB"), contract: try! ContractNo("LC-2024-0001"))

    var setup: [LedgerCommand] {
        let d = { (text: String) in try! BusinessDate(parsing: text) }
        let m = { (text: String) in try! Money(parsing: text) }
        let policy = FundPolicy(
            coverageBp: Bp(4000), perLoanCapFen: m("1,000,000.00"), perBorrowerCapFen: m("2,000,000.00"), maxLeverage: 10,
            claimAfterOverdueDays: 90, nplSuspendBp: Bp(500), eligibleKinds: [.patent, .trademark], maxTermMonths: 36,
            maxPledgeRateBp: Bp(6000))
        return [
            .fund(
                fund,
                .establish(
                    id: fund, name: "龙城区知识产权质押融资风险补偿资金", region: try! RegionCode("211303"), policy: policy, establishedOn: d("2023-01-01"))),
            .fund(
                fund, .receiveContribution(amount: m("3,000,000.00"), contributor: .province, receivedOn: d("2023-02-01"), reference: "省拨")),
            .fund(fund, .receiveContribution(amount: m("4,000,000.00"), contributor: .city, receivedOn: d("2023-02-01"), reference: "市拨")),
            .fund(
                fund, .receiveContribution(amount: m("3,000,000.00"), contributor: .district, receivedOn: d("2023-02-01"), reference: "区拨")),
            .bank(bank, .register(id: bank, name: "Longcheng Rural Commercial Bank", licence: "B1234H221130001")),
            .fund(fund, .joinBank(bank, agreement: "合作协议", effectiveOn: d("2023-03-01"))),
            .borrower(
                borrower,
                .register(
                    uscc: borrower, name: "Longcheng New Energy Battery Co.", industry: try! IndustryCode("C3841"),
                    region: try! RegionCode("211303"), techSme: true)),
            .asset(
                patent,
                .register(id: patent, kind: .patent, registryNo: "ZL2021 1 0000001.X", title: "Solid-state electrolyte", owner: borrower)),
            .asset(
                patent,
                .value(
                    id: try! ValuationId("V1"), appraiser: "Liaoning Appraisal Co.", method: .income, value: m("10,000,000.00"),
                    valuedOn: d("2024-01-15"), reportRef: "LNPG-2024-015")),
        ]
    }

    var origination: LedgerCommand {
        .loan(
            loan,
            .originate(
                .init(
                    key: loan, borrower: borrower, principal: try! Money(parsing: "5,000,000.00"), rate: Bp(385),
                    originatedOn: try! BusinessDate(parsing: "2024-03-01"), maturesOn: try! BusinessDate(parsing: "2025-03-01"),
                    collateral: [.init(asset: patent, registrationNo: "Y2024210000123")], fund: fund)))
    }
}
