import PledgerDomain

/// The demo district's subsidy programmes: an interest subsidy (贴息, 50% of the interest
/// paid, at most 500,000.00 per firm per year) for 2024–2025 and an appraisal-fee subsidy
/// (评估费补贴, 50% of the fee, at most 30,000.00 per valuation) from 2023. Each January the
/// firms that paid interest the year before apply, citing their loans; each half year the
/// firms with new valuations apply for the fee. Approved within the budget, paid a week later.
extension DemoRun {
    static let interestSubsidy = try! SubsidyProgrammeId("TX-LC")
    static let feeSubsidy = try! SubsidyProgrammeId("PG-LC")

    enum SubsidyStep {
        case interestApplications(year: Int)
        case feeApplications(from: BusinessDate)
        case decide(SubsidyProgrammeId, Int)
        case pay(SubsidyProgrammeId, Int)
    }

    mutating func planSubsidies() {
        agenda.add(
            day("2024-01-01"),
            .command(
                .subsidy(
                    Self.interestSubsidy,
                    .establish(
                        SubsidyProgrammeEstablished(
                            programmeId: Self.interestSubsidy, name: "龙城区知识产权质押贷款贴息", kind: .interest, rateBp: Bp(5000),
                            capFen: yuan(500_000), budgetFen: yuan(1_500_000 * Int64(scale)), startsOn: day("2024-01-01"),
                            endsOn: day("2025-12-31"))))))
        agenda.add(
            day("2023-01-01"),
            .command(
                .subsidy(
                    Self.feeSubsidy,
                    .establish(
                        SubsidyProgrammeEstablished(
                            programmeId: Self.feeSubsidy, name: "龙城区知识产权评估费补贴", kind: .appraisalFee, rateBp: Bp(5000),
                            capFen: yuan(30_000), budgetFen: yuan(400_000 * Int64(scale)), startsOn: day("2023-01-01"),
                            endsOn: day("2025-12-31"))))))
        agenda.add(day("2025-01-20"), .subsidies(.interestApplications(year: 2024)))
        for (date, from) in [
            ("2023-07-05", "2023-01-01"), ("2024-01-05", "2023-07-01"), ("2024-07-05", "2024-01-01"), ("2025-01-05", "2024-07-01"),
            ("2025-07-05", "2025-01-01"),
        ] {
            agenda.add(day(date), .subsidies(.feeApplications(from: day(from))))
        }
    }

    mutating func subsidies(_ step: SubsidyStep) {
        switch step {
        case .interestApplications(let year):
            var loansOf: [Uscc: [LoanKey]] = [:]
            for (key, loan) in session.states.loans
            where loan.repayments.contains(where: { $0.value.paidOn.year == year && $0.value.interestFen.isPositive }) {
                if let borrower = loan.origination?.borrower { loansOf[borrower, default: []].append(key) }
            }
            for borrower in loansOf.keys.sorted() where chance(70) {
                apply(
                    Self.interestSubsidy,
                    .applyForInterest(borrower: borrower, year: year, loans: loansOf[borrower]!.sorted(), appliedOn: today))
            }
        case .feeApplications(let from):
            for (id, asset) in session.states.assets.sorted(by: { $0.key < $1.key }) {
                guard let owner = asset.registration?.owner else { continue }
                for (valuationId, valuation) in asset.valuations.sorted(by: { $0.key < $1.key })
                where valuation.valuedOn >= from && valuation.valuedOn < today && chance(40) {
                    // Fees of 0.2–0.5% of the appraised value, in whole yuan.
                    let fee = Money(fen: valuation.valueFen.fen * Int64(int(20...50)) / 10_000 / 100 * 100)
                    guard fee.isPositive else { continue }
                    apply(
                        Self.feeSubsidy,
                        .applyForAppraisalFee(
                            borrower: owner, asset: id, valuation: valuationId, fee: fee, invoiceRef: "FP-\(id)-\(valuationId)",
                            appliedOn: today))
                }
            }
        case .decide(let programme, let number):
            guard let application = session.states.subsidies[programme]?.application(number) else { return }
            if application.entitlementFen.isPositive,
                run(.subsidy(programme, .approve(applicationNo: number, amount: nil, approvedOn: today))) != nil
            {
                agenda.add(today.adding(days: 7), .subsidies(.pay(programme, number)))
            } else {
                run(.subsidy(programme, .reject(applicationNo: number, rejectedOn: today, reason: "本年度补贴额度已用完或无可补贴金额")))
            }
        case .pay(let programme, let number):
            run(.subsidy(programme, .pay(applicationNo: number, amount: nil, paidOn: today, reference: "补贴拨付-\(programme)-\(number)")))
        }
    }

    mutating func apply(_ programme: SubsidyProgrammeId, _ command: SubsidyCommand) {
        guard run(.subsidy(programme, command)) != nil, let number = session.states.subsidies[programme]?.applications.count else { return }
        agenda.add(today.adding(days: int(5...15)), .subsidies(.decide(programme, number)))
    }
}
