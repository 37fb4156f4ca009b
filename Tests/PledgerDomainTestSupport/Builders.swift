import PledgerDomain

/// Short constructors for tests: amounts in yuan, dates as text. They trap on bad input,
/// which in a test is a bug in the test.
public func yuan(_ text: String) -> Money { try! Money(parsing: text) }
public func date(_ text: String) -> BusinessDate { try! BusinessDate(parsing: text) }
public func fundId(_ text: String) -> FundId { try! FundId(text) }
public func bankId(_ text: String) -> BankId { try! BankId(text) }
public func assetId(_ text: String) -> AssetId { try! AssetId(text) }
public func valuationId(_ text: String) -> ValuationId { try! ValuationId(text) }
public func loanKey(_ bank: String, _ contract: String) -> LoanKey { LoanKey(bank: bankId(bank), contract: try! ContractNo(contract)) }
public func uscc(_ text: String) -> Uscc { try! Uscc(text) }
public func schemeId(_ text: String) -> SchemeId { try! SchemeId(text) }
public func partyId(_ text: String) -> SchemePartyId { try! SchemePartyId(text) }
public func insurerId(_ text: String) -> InsurerId { try! InsurerId(text) }
public func policyNo(_ text: String) -> PolicyNo { try! PolicyNo(text) }

/// Makes a valid USCC from a 17-character prefix by appending its check character.
public func validUscc(_ prefix: String) -> Uscc { try! Uscc(prefix + String(Uscc.checkCharacter(for: prefix)!)) }

/// The policy of the worked example: coverage 40%, per-loan cap 1,000,000.00.
public let examplePolicy = FundPolicy(
    coverageBp: Bp(4000), perLoanCapFen: yuan("1,000,000.00"), perBorrowerCapFen: yuan("2,000,000.00"), maxLeverage: 10,
    claimAfterOverdueDays: 90, nplSuspendBp: Bp(500), eligibleKinds: [.patent, .trademark], maxTermMonths: 36,
    maxPledgeRateBp: Bp(6000))

/// The example policy for a fund whose thin balance is the point of a test (the claim
/// queue): leverage 100×, so that a few hundred thousand yuan still carry the example loans.
public let thinFundPolicy: FundPolicy = {
    var policy = examplePolicy
    policy.maxLeverage = 100
    return policy
}()

/// A district with a funded fund, one joined bank, a borrower and a valued patent.
public struct ExampleDistrict {
    public var ledger = InMemoryLedger()
    public let fund = fundId("LC-IPRC")
    public let bank = bankId("LCRCB")
    public let borrower = uscc("91512081MA62K0260E")
    public let patent = assetId("ZL202110000001")
    public let loan = loanKey("LCRCB", "LC-2024-0001")

    /// The district with its fund's contributions of 2023-02-01 (by default 3,000,000.00
    /// province + 4,000,000.00 city + 3,000,000.00 district = 10,000,000.00).
    public init(
        contributions: [(Contributor, String)] = [(.province, "3,000,000.00"), (.city, "4,000,000.00"), (.district, "3,000,000.00")],
        policy: FundPolicy = examplePolicy
    ) throws {
        var commands: [LedgerCommand] = [
            .fund(
                fund,
                .establish(
                    id: fund, name: "龙城区知识产权质押融资风险补偿资金", region: try RegionCode("211303"), policy: policy, establishedOn: date("2023-01-01")
                ))
        ]
        for (contributor, amount) in contributions {
            commands.append(
                .fund(
                    fund,
                    .receiveContribution(
                        amount: yuan(amount), contributor: contributor, receivedOn: date("2023-02-01"),
                        reference: "拨付-\(contributor.rawValue)")))
        }
        commands += [
            .bank(bank, .register(id: bank, name: "Longcheng Rural Commercial Bank", licence: "B1234H221130001")),
            .fund(fund, .joinBank(bank, agreement: "合作协议 2023-01", effectiveOn: date("2023-03-01"))),
            .borrower(
                borrower,
                .register(
                    uscc: borrower, name: "Longcheng New Energy Battery Co.", industry: try IndustryCode("C3841"),
                    region: try RegionCode("211303"), techSme: true)),
            .asset(
                patent,
                .register(id: patent, kind: .patent, registryNo: "ZL2021 1 0000001.X", title: "Solid-state electrolyte", owner: borrower)),
            .asset(
                patent,
                .value(
                    id: valuationId("V1"), appraiser: "Liaoning Appraisal Co.", method: .income, value: yuan("10,000,000.00"),
                    valuedOn: date("2024-01-15"), reportRef: "LNPG-2024-015")),
        ]
        for command in commands { try ledger.run(command) }
        setupCommands = commands
    }

    /// The commands that set the district up, to run them elsewhere (through a real store).
    public let setupCommands: [LedgerCommand]

    /// The borrower's second enrolled loan, `LC-2024-0002`: 2,000,000.00 from 2024-03-05 for a
    /// year, pledging a trademark valued 4,000,000.00 (for rules across one borrower's loans);
    /// `enrolled` false: not covered by the fund (to enrol it under a scheme).
    public mutating func originateSecondLoan(enrolled: Bool = true) throws -> LoanKey {
        let second = loanKey("LCRCB", "LC-2024-0002")
        let trademark = assetId("TM-1")
        try ledger.run(.asset(trademark, .register(id: trademark, kind: .trademark, registryNo: "TM 1", title: "龙城电池", owner: borrower)))
        try ledger.run(
            .asset(
                trademark,
                .value(
                    id: valuationId("V1"), appraiser: "A", method: .market, value: yuan("4,000,000.00"), valuedOn: date("2024-02-01"),
                    reportRef: "r")))
        try ledger.run(
            .loan(
                second,
                .originate(
                    .init(
                        key: second, borrower: borrower, principal: yuan("2,000,000.00"), rate: Bp(400), originatedOn: date("2024-03-05"),
                        maturesOn: date("2025-03-05"), collateral: [.init(asset: trademark, registrationNo: "Y2")],
                        fund: enrolled ? fund : nil))))
        return second
    }

    /// The worked example's loan up to an approved claim: 5,000,000.00 originated 2024-03-01,
    /// 1,800,000.00 repaid 2024-09-01, defaulted 2024-10-01 (30 days overdue) with
    /// 3,200,000.00 outstanding, `claim` claimed 2024-12-30 and approved on `approvedOn`.
    public mutating func approvedClaim(_ claim: String, approvedOn: String = "2025-01-06") throws {
        try ledger.run(origination())
        try ledger.run(.loan(loan, .repay(principal: yuan("1,800,000.00"), interest: yuan("96,250.00"), paidOn: date("2024-09-01"))))
        try ledger.run(
            .loan(
                loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-09-01"), daysOverdue: 30, classification: .substandard)
            ))
        try ledger.run(.loan(loan, .claimCompensation(amount: yuan(claim), claimedOn: date("2024-12-30"))))
        try ledger.run(.loan(loan, .approveClaim(amount: yuan(claim), approvedOn: date(approvedOn))))
    }

    /// The 5,000,000.00 loan of the worked example.
    public func origination(
        principal: String = "5,000,000.00", on: String = "2024-03-01", matures: String = "2025-03-01", enrolled: Bool = true
    ) -> LedgerCommand {
        .loan(
            loan,
            .originate(
                .init(
                    key: loan, borrower: borrower, principal: yuan(principal), rate: Bp(385), originatedOn: date(on),
                    maturesOn: date(matures),
                    collateral: [.init(asset: patent, registrationNo: "Y2024210000123")], fund: enrolled ? fund : nil)))
    }
}
