import PledgerDomain

/// The demo district's risk-sharing programme, beside its own fund: a province fund (with
/// central money) and a city fund that cover loans in layers, an insurer and an appraiser
/// sharing losses with the district fund (54:26:16:4), and a guarantor scheme (政银担) for
/// two banks. Some loans each year are enrolled under a scheme instead of the district
/// fund; those that default have their loss shared, each party settles, recoveries are
/// shared back. Loans under the insured scheme carry a pledge-insurance policy of PICC-LC,
/// half of whose premium the city fund pays. Drawn from its own random stream.
extension DemoRun {
    static let province = try! FundId("LN-PROV")
    static let city = try! FundId("CY-CITY")
    static let insured = try! SchemeId("LC-INS")
    static let layered = try! SchemeId("LN-LAYER")
    static let guaranteed = try! SchemeId("LC-ZYD")
    static let insurer = try! SchemePartyId("PICC-LC")
    static let insurerBook = try! InsurerId("PICC-LC")
    static let appraiser = try! SchemePartyId("LNZZ")
    static let guarantor = try! SchemePartyId("LC-GUAR")
    /// Banks in the guarantor scheme.
    static let guaranteedBanks = ["LCRCB", "BOCY-LC"]

    enum RiskSharingStep {
        case newLoan(SchemeId)
        case loan(LoanKey, LoanStep)
        /// The city fund pays half the policy's premium to the insured firm.
        case premiumSubsidy(PolicyNo)
    }

    enum LoanStep {
        case defaulted, shareLoss
        case settle(SchemePartyRef)
        case recover
        case shareRecovery(Int)
        case repay, close
    }

    /// Runs `body` drawing from the risk-sharing stream.
    mutating func withSchemeDraws(_ body: (inout DemoRun) -> Void) {
        swap(&random, &schemeRandom)
        body(&self)
        swap(&random, &schemeRandom)
    }

    mutating func planRiskSharing() {
        func party(_ role: SchemePartyRole, _ id: String?, _ bp: Int64, cap: Int64? = nil) -> SchemeParty {
            SchemeParty(role: role, partyId: id.map { try! SchemePartyId($0) }, shareBp: Bp(bp), capFen: cap.map(yuan))
        }
        for (fund, name, region, wait, contributors) in [
            (Self.province, "辽宁省知识产权质押融资风险补偿资金", "210000", 60, [(Contributor.central, Int64(2_000_000)), (.province, 3_000_000)]),
            (Self.city, "朝阳市知识产权质押融资风险补偿资金", "211300", 90, [(Contributor.city, Int64(2_000_000))]),
        ] {
            let policy = FundPolicy(
                coverageBp: Bp(4000), perLoanCapFen: yuan(1_500_000), perBorrowerCapFen: yuan(3_000_000), maxLeverage: 10,
                claimAfterOverdueDays: wait, nplSuspendBp: Bp(800), eligibleKinds: [.patent, .utilityModel, .design, .trademark],
                maxTermMonths: 36, maxPledgeRateBp: Bp(6000))
            agenda.add(
                day("2022-01-01"),
                .command(
                    .fund(
                        fund,
                        .establish(id: fund, name: name, region: try! RegionCode(region), policy: policy, establishedOn: day("2022-01-01")))
                ))
            for bank in Self.banks {
                let id = try! BankId(bank.id)
                agenda.add(
                    day("2022-01-12"),
                    .command(.fund(fund, .joinBank(id, agreement: "\(name)合作协议（\(bank.id)）", effectiveOn: day("2022-01-12")))))
            }
            for year in 2022...2025 {
                for (contributor, base) in contributors {
                    agenda.add(
                        day("\(year)-02-10"),
                        .command(
                            .fund(
                                fund,
                                .receiveContribution(
                                    amount: yuan(base * Int64(scale)), contributor: contributor, receivedOn: day("\(year)-02-10"),
                                    reference:
                                        "\(contributor == .central ? "财建" : fund == Self.province ? "辽财指" : "朝财指")〔\(year)〕\(fund == Self.province ? 21 : 31)号"
                                ))))
                }
            }
        }
        agenda.add(
            day("2022-02-01"),
            .command(
                .scheme(
                    Self.layered,
                    .agree(
                        id: Self.layered, name: "省市分层风险补偿（省40%·市20%·银行40%）",
                        parties: [
                            party(.fund, Self.province.value, 4000, cap: 1_500_000), party(.fund, Self.city.value, 2000, cap: 800_000),
                            party(.bank, nil, 4000),
                        ],
                        effectiveOn: day("2022-02-01")))))
        agenda.add(
            day("2024-07-01"),
            .command(
                .scheme(
                    Self.layered,
                    .revise(
                        parties: [
                            party(.fund, Self.province.value, 4500, cap: 1_500_000), party(.fund, Self.city.value, 2000, cap: 800_000),
                            party(.bank, nil, 3500),
                        ],
                        effectiveOn: day("2024-07-01"), reason: "省级分担比例提高至45%（辽财金〔2024〕12号）"))))
        agenda.add(
            day("2023-01-01"),
            .command(
                .scheme(
                    Self.insured,
                    .agree(
                        id: Self.insured, name: "保险+风险补偿（基金54%·保险26%·银行16%·评估4%）",
                        parties: [
                            party(.fund, DemoDistrict.fund.value, 5400, cap: 2_000_000), party(.insurer, Self.insurer.value, 2600),
                            party(.bank, nil, 1600), party(.appraiser, Self.appraiser.value, 400),
                        ], effectiveOn: day("2023-01-01")))))
        agenda.add(
            day("2023-06-01"),
            .command(
                .scheme(
                    Self.guaranteed,
                    .agree(
                        id: Self.guaranteed, name: "政银担（基金30%·担保50%·银行20%）",
                        parties: [
                            party(.fund, DemoDistrict.fund.value, 3000, cap: 1_000_000), party(.guarantor, Self.guarantor.value, 5000),
                            party(.bank, nil, 2000),
                        ],
                        effectiveOn: day("2023-06-01")))))
        // Loans under the schemes: the layered scheme from 2022, the others from their start.
        for year in 2022...2025 {
            for scheme in [Self.layered, Self.insured, Self.guaranteed] where year >= (scheme == Self.layered ? 2022 : 2023) {
                for _ in 0..<(2 * scale) {
                    let start = scheme == Self.guaranteed && year == 2023 ? day("2023-06-01") : day("\(year)-02-15")
                    agenda.add(start.adding(days: Int.random(in: 0...300, using: &schemeRandom)), .riskSharing(.newLoan(scheme)))
                }
            }
        }
    }

    mutating func riskSharing(_ step: RiskSharingStep) {
        switch step {
        case .newLoan(let scheme): newSchemeLoan(scheme)
        case .loan(let key, let step): schemeLoanStep(key, step)
        case .premiumSubsidy(let number):
            guard let premium = session.states.insurers[Self.insurerBook]?.policies[number]?.issued.premiumFen else { return }
            run(
                .insurer(
                    Self.insurerBook,
                    .subsidisePremium(
                        policyNo: number, fund: Self.city, amount: Money(fen: premium.fen / 2), paidOn: today,
                        reference: "保费补贴-\(number)")))
        }
    }

    mutating func scheduleScheme(_ key: LoanKey, _ date: BusinessDate, _ step: LoanStep) {
        guard date <= DemoDistrict.endDate else { return }
        agenda.add(date, .riskSharing(.loan(key, step)))
    }

    mutating func newSchemeLoan(_ scheme: SchemeId) {
        guard !borrowers.isEmpty else { return }
        let borrower = borrowers[int(0...borrowers.count - 1)].uscc
        schemeLoans += 1
        let asset = try! AssetId("ZLRS\(today.year)\(padded(schemeLoans, to: 5))")
        let appraised = Money(fen: Int64(int(300...1500)) * 1_000_000)
        run(
            .asset(
                asset,
                .register(id: asset, kind: .patent, registryNo: "ZL \(today.year) 1 RS\(schemeLoans)", title: "动力电池热管理方法", owner: borrower))
        )
        run(
            .asset(
                asset,
                .value(
                    id: try! ValuationId("V1"), appraiser: Self.appraisers[int(0...2)], method: .income, value: appraised,
                    valuedOn: today.adding(days: -int(3...25)), reportRef: "PG-RS-\(schemeLoans)")))
        let banks = scheme == Self.guaranteed ? Self.guaranteedBanks : Self.banks.map(\.id)
        let bank = try! BankId(banks[int(0...banks.count - 1)])
        let key = LoanKey(bank: bank, contract: try! ContractNo("\(bank)-RS-\(today.year)-\(padded(schemeLoans, to: 4))"))
        let principal = yuan(min(5_000_000, max(500_000, appraised.fen / 100 * Int64(int(30...55)) / 100 / 10_000 * 10_000)))
        let months = weighted([(12, 60), (24, 30), (36, 10)])
        let origination = LoanCommand.Origination(
            key: key, borrower: borrower, principal: principal, rate: Bp(Int64(int(360...520))), originatedOn: today,
            maturesOn: today.adding(months: months), collateral: [.init(asset: asset, registrationNo: "YRS\(today.year)\(schemeLoans)")],
            fund: nil)
        guard run(.loan(key, .originate(origination))) != nil else { return }
        summary.loans += 1
        // Refused while a fund party takes no new loans from the bank: the loan stays uncovered and is repaid.
        let enrolled = run(.loan(key, .enrolInScheme(scheme, version: nil, enrolledOn: today))) != nil
        if enrolled && scheme == Self.insured { insure(key, principal: principal, months: months) }
        // Each scheme's first enrolled loan defaults, so every scheme has a loss to share; then three in ten.
        if enrolled && (schemesWithDefault.insert(scheme).inserted || chance(30)) {
            summary.defaults += 1
            scheduleScheme(key, today.adding(months: int(4...min(months, 10))), .defaulted)
        } else {
            scheduleScheme(key, today.adding(months: months), .repay)
            scheduleScheme(key, today.adding(months: months).adding(days: int(1...5)), .close)
        }
    }

    /// A policy for 20–30% of the principal (rounded down to 10,000.00) over the loan's term,
    /// at a 2% premium; the city fund pays half the premium within weeks. Drawn from nothing
    /// random, so the rest of the programme is the same with or without insurance.
    mutating func insure(_ key: LoanKey, principal: Money, months: Int) {
        let number = try! PolicyNo("PICC-LC-\(today.year)-\(padded(schemeLoans, to: 4))")
        let sum = Money(fen: principal.fen * Int64(20 + schemeLoans % 11) / 100 / 1_000_000 * 1_000_000)
        let terms = LoanCommand.PolicyTerms(
            insurer: Self.insurerBook, policyNo: number, sumInsured: sum, premium: Money(fen: sum.fen / 50), startsOn: today,
            endsOn: today.adding(months: months), issuedOn: today)
        guard run(.loan(key, .insure(terms))) != nil else { return }
        let on = today.adding(days: 15 + schemeLoans % 31)
        if on <= DemoDistrict.endDate { agenda.add(on, .riskSharing(.premiumSubsidy(number))) }
    }

    mutating func schemeLoanStep(_ key: LoanKey, _ step: LoanStep) {
        guard let loan = session.states.loans[key], loan.exists else { return }
        switch step {
        case .defaulted:
            run(.loan(key, .markDefaulted(on: today, missedDueOn: today.adding(days: -int(30...60)), classification: .substandard)))
            scheduleScheme(key, today.adding(days: int(5...15)), .shareLoss)
        case .shareLoss:
            guard run(.loan(key, .shareLoss(sharedOn: today))) != nil, let shared = session.states.loans[key]?.lossShared else { return }
            for share in shared.shares where share.role != .bank && share.dueFen.isPositive {
                // A fund pays after its waiting period (from the missed due date); the others within two months.
                var on = today.adding(days: int(20...60))
                if let fund = share.ref.fundId, let wait = session.states.funds[fund]?.currentPolicy?.claimAfterOverdueDays,
                    let missed = loan.defaulted?.missedDueOn
                {
                    on = max(on, missed.adding(days: wait + int(1...10)))
                }
                scheduleScheme(key, on, .settle(share.ref))
            }
            if chance(60) { scheduleScheme(key, today.adding(days: int(150...300)), .recover) }
        case .settle(let party):
            run(
                .loan(
                    key,
                    .settleLossShare(
                        party: party, amount: nil, settledOn: today, reference: "分担-\(party.partyId?.value ?? "")-\(key.contract)")))
        case .recover:
            guard let defaulted = loan.defaulted else { return }
            let amount = Money(fen: defaulted.outstandingFen.fen * Int64(int(10...40)) / 100)
            if run(.loan(key, .receiveRecovery(amount: amount, receivedOn: today, source: "质押专利拍卖处置款"))) != nil {
                scheduleScheme(key, today.adding(days: int(5...20)), .shareRecovery(loan.recoveries.count + 1))
            }
        case .shareRecovery(let number):
            run(.loan(key, .shareRecovery(recoveryNo: number, sharedOn: today, reference: "追偿分配-\(key.contract)-\(number)")))
        case .repay:
            run(.loan(key, .repay(principal: loan.outstanding, interest: Money(fen: loan.outstanding.fen / 20), paidOn: today)))
        case .close:
            run(.loan(key, .close(on: today)))
        }
    }
}
