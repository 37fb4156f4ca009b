import Foundation
import PledgerBankClient
import Testing

/// A bank's month with nothing but the client generated from /openapi.json, against a live
/// server holding the demo district (`scripts/bank-clients` serves one and sets
/// PLEDGER_URL, PLEDGER_TOKEN — a `bank:{id}` token — and PLEDGER_BANK_ID). The demo ends in
/// 2025, so this month's loan is the bank's only one of 2026. Its default suspends the fund's
/// enrolments, so a second month needs a fresh demo; the same one again replays, since every
/// write carries a fixed Idempotency-Key.
@Suite("A bank through the generated Swift client")
struct BankMonthTests {
    let fund = "LC-IPRC"
    let principal: Int64 = 500_000_000
    let repaid: [(principal: Int64, interest: Int64, on: String)] = [
        (50_000_000, 1_604_167, "2026-02-10"), (50_000_000, 1_443_750, "2026-03-10"),
    ]
    /// The demo fund covers 40% of what is outstanding at default, at most 1,000,000.00 a loan.
    let claimed: Int64 = 100_000_000

    @Test("register, originate, repay, default and claim; read the loan, asset, fund and reports back")
    func month() async throws {
        let environment = ProcessInfo.processInfo.environment
        let server = try #require(environment["PLEDGER_URL"].flatMap(URL.init(string:)), "PLEDGER_URL: run scripts/bank-clients")
        let token = try #require(environment["PLEDGER_TOKEN"], "PLEDGER_TOKEN: a bank:{id} token")
        let bank = try #require(environment["PLEDGER_BANK_ID"], "PLEDGER_BANK_ID: the token's bank")
        let client = Client(serverURL: server, token: token)

        let borrower = "91211303MA0CL1ENT7"
        let asset = "ZL202510SWC01"
        let valuation = "V20260105"
        let contract = "\(bank)-2026-SWC01"
        let key = { (step: String) in "bank-clients-swift-\(step)" }

        _ = try await client.registerABorrower(
            headers: .init(idempotencyKey: key("borrower")),
            body: .json(
                .init(
                    firmSize: .small, industry: "C3841", name: "龙城客户端储能科技有限公司", region: "211303", techSme: true, uscc: borrower))
        ).created
        _ = try await client.registerAnIpAsset(
            headers: .init(idempotencyKey: key("asset")),
            body: .json(
                .init(
                    assetId: asset, kind: .patent, owner: borrower, registryNo: "ZL 2025 1 0SWC01.X", title: "储能电池热管理方法"))
        ).created
        _ = try await client.recordAValuation(
            path: .init(assetId: asset), headers: .init(idempotencyKey: key("valuation")),
            body: .json(
                .init(
                    appraiser: "辽宁中正资产评估有限公司", method: .income, reportRef: "PG-2026-00105", valuationId: valuation,
                    valueFen: 1_000_000_000, valuedOn: "2026-01-05"))
        ).ok
        let origination = Operations.OriginateALoan.Input.Body.json(
            .init(
                borrower: borrower, collateral: [.init(assetId: asset, registrationNo: "Y202621130300001", valuationId: valuation)],
                contractNo: contract, fundId: fund, maturesOn: "2027-01-10", originatedOn: "2026-01-10", principalFen: principal,
                rateBp: 385))
        let originated = try await client.originateALoan(
            path: .init(bankId: bank), headers: .init(idempotencyKey: key("originate")), body: origination
        ).created
        // A retry with the same key is answered from the first attempt, not written twice.
        let retried = try await client.originateALoan(
            path: .init(bankId: bank), headers: .init(idempotencyKey: key("originate")), body: origination
        ).created
        #expect(retried.headers.idempotentReplayed == ._true)
        #expect(try retried.body.json.position == originated.body.json.position)

        for (n, repayment) in repaid.enumerated() {
            _ = try await client.recordARepayment(
                path: .init(bankId: bank, contractNo: contract), headers: .init(idempotencyKey: key("repayment-\(n)")),
                body: .json(.init(interestFen: repayment.interest, paidOn: repayment.on, principalFen: repayment.principal))
            ).ok
        }
        _ = try await client.recordADefault(
            path: .init(bankId: bank, contractNo: contract), headers: .init(idempotencyKey: key("default")),
            body: .json(.init(classification: .substandard, daysOverdue: 66, defaultedOn: "2026-06-15", missedDueOn: "2026-04-10"))
        ).ok
        // 91 days after the missed due date: past the fund's 90-day wait.
        let claim = try await client.fileACompensationClaim(
            path: .init(bankId: bank, contractNo: contract), headers: .init(idempotencyKey: key("claim")),
            body: .json(.init(amountFen: claimed, claimedOn: "2026-07-10"))
        ).ok.body.json

        let state = try await client.getALoan(path: .init(bankId: bank, contractNo: contract)).ok.body.json
        let repaidPrincipal = repaid.reduce(0) { $0 + $1.principal }
        #expect(state.status == .defaulted)
        #expect(state.principalFen == principal)
        #expect(state.repaidPrincipalFen == repaidPrincipal)
        #expect(state.outstandingFen == principal - repaidPrincipal)
        #expect(state.repaidInterestFen == repaid.reduce(0) { $0 + $1.interest })
        #expect(state.repayments.map(\.paidOn) == repaid.map(\.on))
        #expect(state._default?.outstandingFen == principal - repaidPrincipal && state._default?.daysOverdue == 66)
        #expect(state.claims.map(\.amountFen) == [claimed] && state.claims.first?.status == .filed)
        #expect(state.fundId == fund)
        #expect(state.version == claim.version)

        let pledged = try await client.getAnAssetAndItsPledgeStatus(path: .init(assetId: asset)).ok.body.json
        #expect(pledged.kind == .patent && pledged.owner == borrower)
        #expect(pledged.pledge?.bankId == bank && pledged.pledge?.contractNo == contract)
        #expect(pledged.valuations.map(\.valueFen) == [1_000_000_000])

        let fundState = try await client.getAFund(path: .init(fundId: fund)).ok.body.json
        #expect(fundState.banks.contains { $0.bankId == bank })
        #expect(fundState.suspended && fundState.suspendedBanks.contains(bank))
        #expect(fundState.policy.coverageBp > 0 && fundState.policy.eligibleKinds.contains(.patent))

        // Reports come as JSON or CSV; the generated default Accept lists both, and the server
        // then answers JSON. Asking for it says what this client reads.
        let growth = try await client.annualFinancingGrowth(
            query: .init(from: 2025, to: 2026, minPosition: claim.position),
            headers: .init(accept: [.init(contentType: .json)])
        ).ok.body.json
        let year = try #require(growth.years.first { $0.year == 2026 })
        #expect(year.loans == 1 && year.principalFen == principal)
        func exposure(on day: String) async throws -> Components.Schemas.ExposureReport {
            try await client.fundExposure(
                query: .init(fundId: fund, asOf: day, minPosition: claim.position),
                headers: .init(accept: [.init(contentType: .json)])
            ).ok.body.json
        }
        let before = try await exposure(on: "2026-07-09")
        let after = try await exposure(on: "2026-07-10")
        #expect(after.pendingClaimsFen - before.pendingClaimsFen == claimed)
        #expect(after.byBank.map(\.bankId) == [bank])
        // The default took the non-performing ratio above the fund's 5% threshold, fund-wide and
        // for the bank: new enrolments stop.
        #expect(after.suspensionBreached && after.suspended && after.suspendedBanks == [bank])
    }
}
