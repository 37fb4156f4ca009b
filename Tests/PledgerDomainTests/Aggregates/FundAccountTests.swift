import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

/// The fund's bank account beyond contributions, payouts and recovery shares. The district's
/// fund holds 3,000,000.00 province + 4,000,000.00 city + 3,000,000.00 district = 10,000,000.00
/// from 2023-02-01.
@Suite("Fund account")
struct FundAccountTests {

    func secondFund(_ d: inout ExampleDistrict, established: String = "2023-02-15") throws -> FundId {
        let g = fundId("G")
        try d.ledger.run(
            .fund(
                g,
                .establish(
                    id: g, name: "市级知识产权风险补偿资金", region: try RegionCode("211300"), policy: examplePolicy, establishedOn: date(established)))
        )
        return g
    }

    @Test("interest credited adds to the balance; a bank charge takes from it, never below zero on a later day")
    func interestAndCharges() throws {
        var d = try ExampleDistrict()
        let credited = try d.ledger.run(
            .fund(d.fund, .creditInterest(amount: yuan("1,234.56"), creditedOn: date("2023-03-21"), reference: "结息-2023Q1")))
        #expect(
            credited.map(\.event) == [
                .fundInterestCredited(
                    FundInterestCredited(amountFen: yuan("1,234.56"), creditedOn: date("2023-03-21"), reference: "结息-2023Q1"))
            ])
        var fund = d.ledger.fund(d.fund)
        #expect(fund.balance == yuan("10,001,234.56"))
        #expect(fund.balance(on: date("2023-03-20")) == yuan("10,000,000.00"))
        #expect(fund.account().interestFen == yuan("1,234.56"))
        // Interest is not a contribution nor a recovery share.
        #expect(fund.totals() == (contributed: yuan("10,000,000.00"), paidOut: .zero, returned: .zero))
        refused(.invalidValue, "amount_fen") {
            try d.ledger.run(.fund(d.fund, .creditInterest(amount: .zero, creditedOn: date("2023-03-21"), reference: "r")))
        }
        refused(.dateOrder, "credited_on") {
            try d.ledger.run(.fund(d.fund, .creditInterest(amount: yuan("1.00"), creditedOn: date("2022-12-31"), reference: "r")))
        }
        refused(.invalidValue, "reference") {
            try d.ledger.run(.fund(d.fund, .creditInterest(amount: yuan("1.00"), creditedOn: date("2023-03-21"), reference: "")))
        }

        try d.ledger.run(
            .fund(d.fund, .chargeBank(amount: yuan("15.00"), chargedOn: date("2023-03-22"), reference: "FEE-0322", description: "账户管理费")))
        fund = d.ledger.fund(d.fund)
        #expect(fund.balance == yuan("10,001,219.56") && fund.account().bankChargesFen == yuan("15.00"))
        refused(.invalidValue, "description") {
            try d.ledger.run(
                .fund(d.fund, .chargeBank(amount: yuan("1.00"), chargedOn: date("2023-03-22"), reference: "FEE", description: " ")))
        }
        // Everything leaves on 2023-06-01; a charge dated before then would make that day negative.
        let g = try secondFund(&d)
        try d.ledger.run(
            .fund(d.fund, .transferOut(to: g, amount: yuan("10,001,219.56"), transferredOn: date("2023-06-01"), reference: "划转-全部")))
        #expect(d.ledger.fund(d.fund).balance(on: date("2023-04-01")) == yuan("10,001,219.56"))
        refused(
            .limitExceeded, "amount_fen",
            containing:
                "a bank charge of 0.01 on 2023-04-01 would take fund LC-IPRC below zero: it can pay out at most 0.00 from 2023-04-01 on"
        ) {
            try d.ledger.run(
                .fund(d.fund, .chargeBank(amount: yuan("0.01"), chargedOn: date("2023-04-01"), reference: "FEE", description: "fee")))
        }
    }

    @Test("money returned to a contributor: never more than its net contributions, never below zero on a later day; reversals still hold")
    func contributionsReturned() throws {
        var d = try ExampleDistrict()
        let returned = try d.ledger.run(
            .fund(
                d.fund,
                .returnContribution(
                    amount: yuan("1,000,000.00"), contributor: .province, returnedOn: date("2023-04-01"), reference: "退回-省级",
                    reason: "budget adjustment")))
        #expect(
            returned.map(\.event) == [
                .fundContributionReturned(
                    FundContributionReturned(
                        amountFen: yuan("1,000,000.00"), contributor: .province, returnedOn: date("2023-04-01"), reference: "退回-省级",
                        reason: "budget adjustment"))
            ])
        var fund = d.ledger.fund(d.fund)
        #expect(fund.balance == yuan("9,000,000.00"))
        #expect(
            fund.netContributions(of: .province) == yuan("2,000,000.00") && fund.returnedToContributors[.province] == yuan("1,000,000.00"))
        #expect(fund.account().contributionsReturnedFen == yuan("1,000,000.00") && fund.totals().contributed == yuan("10,000,000.00"))

        refused(
            .limitExceeded, "amount_fen",
            containing:
                "the province contributor's net contributions to fund LC-IPRC by 2023-04-02 are 2,000,000.00; 2,000,000.01 cannot be returned"
        ) {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .returnContribution(
                        amount: yuan("2,000,000.01"), contributor: .province, returnedOn: date("2023-04-02"), reference: "R", reason: "r")))
        }
        // Nothing had been contributed yet on 2023-01-15.
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .returnContribution(
                        amount: yuan("0.01"), contributor: .city, returnedOn: date("2023-01-15"), reference: "R", reason: "r")))
        }
        refused(.invalidValue, "reason") {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .returnContribution(
                        amount: yuan("1.00"), contributor: .city, returnedOn: date("2023-04-02"), reference: "R", reason: "")))
        }
        // Reversing the province's 3,000,000.00 would leave it 1,000,000.00 returned of nothing.
        let contributions = d.ledger.streams[.fund(d.fund)]!.filter { $0.event.type == "FundContributionReceived" }
        refused(.limitExceeded, "reversed_event_id", containing: "got back more than it put in") {
            try d.ledger.run(
                .fund(d.fund, .reverseContribution(eventId: contributions[0].id, on: date("2023-04-03"), reason: "entered twice")))
        }
        try d.ledger.run(.fund(d.fund, .reverseContribution(eventId: contributions[1].id, on: date("2023-04-03"), reason: "entered twice")))
        #expect(d.ledger.fund(d.fund).balance == yuan("5,000,000.00") && d.ledger.fund(d.fund).netContributions(of: .city) == .zero)

        // 4,000,000.00 leaves on 2023-06-01: from 2023-05-01 on the fund can return at most 1,000,000.00.
        let g = try secondFund(&d)
        try d.ledger.run(
            .fund(d.fund, .transferOut(to: g, amount: yuan("4,000,000.00"), transferredOn: date("2023-06-01"), reference: "T")))
        refused(.limitExceeded, "amount_fen", containing: "it can pay out at most 1,000,000.00 from 2023-05-01 on") {
            try d.ledger.run(
                .fund(
                    d.fund,
                    .returnContribution(
                        amount: yuan("1,000,000.01"), contributor: .district, returnedOn: date("2023-05-01"), reference: "R", reason: "r")))
        }
        try d.ledger.run(
            .fund(
                d.fund,
                .returnContribution(
                    amount: yuan("1,000,000.00"), contributor: .district, returnedOn: date("2023-05-01"), reference: "R", reason: "r")))
        fund = d.ledger.fund(d.fund)
        #expect(fund.balance == .zero && fund.lowestBalance(from: date("2023-01-01")) == .zero)
    }

    @Test("a transfer between funds writes both streams in one act, refused whole if either side refuses")
    func transfers() throws {
        var d = try ExampleDistrict()
        let g = try secondFund(&d)
        let written = try d.ledger.run(
            .fund(d.fund, .transferOut(to: g, amount: yuan("1,000,000.00"), transferredOn: date("2023-03-01"), reference: "划转-001")))
        #expect(written.map(\.stream) == ["fund-LC-IPRC", "fund-G"])
        #expect(
            written.map(\.event) == [
                .fundTransferredOut(
                    FundTransferredOut(toFundId: g, amountFen: yuan("1,000,000.00"), transferredOn: date("2023-03-01"), reference: "划转-001")
                ),
                .fundTransferredIn(
                    FundTransferredIn(
                        fromFundId: d.fund, amountFen: yuan("1,000,000.00"), transferredOn: date("2023-03-01"), reference: "划转-001")),
            ])
        #expect(
            d.ledger.fund(d.fund).balance == yuan("9,000,000.00") && d.ledger.fund(d.fund).account().transfersOutFen == yuan("1,000,000.00")
        )
        #expect(d.ledger.fund(g).balance == yuan("1,000,000.00") && d.ledger.fund(g).account().transfersInFen == yuan("1,000,000.00"))

        let before = d.ledger.log.count
        refused(.invalidValue, "to_fund_id") {
            try d.ledger.run(
                .fund(d.fund, .transferOut(to: d.fund, amount: yuan("1.00"), transferredOn: date("2023-03-02"), reference: "T")))
        }
        refused(.notFound, "to_fund_id") {
            try d.ledger.run(
                .fund(d.fund, .transferOut(to: fundId("NOPE"), amount: yuan("1.00"), transferredOn: date("2023-03-02"), reference: "T")))
        }
        refused(.limitExceeded, "amount_fen") {
            try d.ledger.run(
                .fund(d.fund, .transferOut(to: g, amount: yuan("9,000,000.01"), transferredOn: date("2023-03-02"), reference: "T")))
        }
        // The source may send on 2023-02-10, but the destination did not exist until 2023-02-15.
        refused(.dateOrder, "transferred_on", containing: "fund G was established") {
            try d.ledger.run(.fund(d.fund, .transferOut(to: g, amount: yuan("1.00"), transferredOn: date("2023-02-10"), reference: "T")))
        }
        refused(.invalidState, "from_fund_id") {
            try d.ledger.run(.fund(g, .transferIn(from: d.fund, amount: yuan("1.00"), transferredOn: date("2023-03-02"), reference: "T")))
        }
        #expect(d.ledger.log.count == before)

        // G sends it all back on 2023-05-01: it cannot send anything dated earlier.
        try d.ledger.run(
            .fund(g, .transferOut(to: d.fund, amount: yuan("1,000,000.00"), transferredOn: date("2023-05-01"), reference: "划转-002")))
        refused(.limitExceeded, "amount_fen", containing: "at most 0.00 from 2023-04-01 on") {
            try d.ledger.run(.fund(g, .transferOut(to: d.fund, amount: yuan("0.01"), transferredOn: date("2023-04-01"), reference: "T")))
        }
        #expect(d.ledger.fund(d.fund).balance == yuan("10,000,000.00") && d.ledger.fund(g).balance == .zero)
    }

    /// 10,000,000.00 + 1,234.56 interest − 15.00 charges − 100,000.00 returned − 500,000.00 out
    /// + 200,000.00 in = 9,601,219.56.
    @Test("every kind of movement is shown apart, in the fund's account totals and the exposure report")
    func breakdown() throws {
        var d = try ExampleDistrict()
        let g = try secondFund(&d)
        try d.ledger.run(
            .fund(g, .receiveContribution(amount: yuan("300,000.00"), contributor: .city, receivedOn: date("2023-03-01"), reference: "G-1"))
        )
        try d.ledger.run(.fund(d.fund, .creditInterest(amount: yuan("1,234.56"), creditedOn: date("2023-03-21"), reference: "I")))
        try d.ledger.run(
            .fund(d.fund, .chargeBank(amount: yuan("15.00"), chargedOn: date("2023-03-22"), reference: "C", description: "fee")))
        try d.ledger.run(
            .fund(
                d.fund,
                .returnContribution(
                    amount: yuan("100,000.00"), contributor: .district, returnedOn: date("2023-04-01"), reference: "R", reason: "r")))
        try d.ledger.run(.fund(d.fund, .transferOut(to: g, amount: yuan("500,000.00"), transferredOn: date("2023-05-01"), reference: "T1")))
        try d.ledger.run(.fund(g, .transferOut(to: d.fund, amount: yuan("200,000.00"), transferredOn: date("2023-06-01"), reference: "T2")))
        let fund = d.ledger.fund(d.fund)
        let account = fund.account()
        #expect(
            account
                == FundState.AccountTotals(
                    contributedFen: yuan("10,000,000.00"), contributionsReturnedFen: yuan("100,000.00"), compensationPaidFen: .zero,
                    recoverySharesFen: .zero,
                    interestFen: yuan("1,234.56"), bankChargesFen: yuan("15.00"), transfersInFen: yuan("200,000.00"),
                    transfersOutFen: yuan("500,000.00"),
                    balanceFen: yuan("9,601,219.56")))
        #expect(account.balanceFen == fund.balance)
        #expect(fund.account(through: date("2023-04-30")).balanceFen == yuan("9,901,219.56"))
        #expect(
            CanonicalJSON.string(account.json)
                == #"{"balance_fen":960121956,"bank_charges_fen":1500,"contributed_fen":1000000000,"contributions_returned_fen":10000000,"interest_fen":123456,"paid_out_fen":0,"premium_subsidies_fen":0,"recoveries_returned_fen":0,"transfers_in_fen":20000000,"transfers_out_fen":50000000}"#
        )

        let report = try ExposureReport.compute(fund: fund, loans: [], asOf: date("2023-12-31"))
        #expect(report.balanceFen == yuan("9,601,219.56"))
        #expect(
            [report.interestFen, report.bankChargesFen, report.contributionsReturnedFen, report.transfersInFen, report.transfersOutFen]
                == [yuan("1,234.56"), yuan("15.00"), yuan("100,000.00"), yuan("200,000.00"), yuan("500,000.00")])
        let json = CanonicalJSON.string(report.json)
        for key in [
            "\"interest_fen\":123456", "\"bank_charges_fen\":1500", "\"contributions_returned_fen\":10000000",
            "\"transfers_in_fen\":20000000", "\"transfers_out_fen\":50000000",
        ] {
            #expect(json.contains(key), "\(key) missing from \(json)")
        }
        // As of a date before the transfers, they are not there.
        let earlier = try ExposureReport.compute(fund: fund, loans: [], asOf: date("2023-04-30"))
        #expect(earlier.transfersOutFen == .zero && earlier.balanceFen == yuan("9,901,219.56"))
    }
}
