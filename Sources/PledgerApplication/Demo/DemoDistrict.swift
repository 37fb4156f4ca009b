import Foundation
import PledgerDomain
import PledgerStore
import Synchronization

/// A realistic district, generated deterministically from a seed: the Longcheng-style
/// risk-compensation fund (contributions from province, city and district), five partner
/// banks, new-energy and other borrowers with valid USCCs, patents and trademarks with
/// valuations, and four years of loans (2022–2025) growing around the 15% target, with
/// repayments, a few defaults, claims, payouts, recoveries, a cancellation and a reversal.
///
/// Every command goes through the same domain rules as the API; the history is decided in
/// memory (a `LedgerSession`) and recorded at its business dates, so the same seed and
/// scale always produce the same ledger, byte for byte, and the same head hash.
public struct DemoDistrict: Sendable {
    public let seed: UInt64
    /// 1 ≈ 120 loans and 1,200 events; the event count grows about linearly with it.
    public let scale: Int
    public static let fund = try! FundId("LC-IPRC")
    public static let endDate = try! BusinessDate(parsing: "2025-12-31")

    public init(seed: UInt64 = 2023, scale: Int = 1) {
        self.seed = seed
        self.scale = max(1, scale)
    }

    public struct Summary: Sendable {
        public var commands = 0
        public var refused: [String: Int] = [:]
        public var loans = 0
        public var defaults = 0
        public var claimsPaid = 0
    }

    /// Decides the whole history in memory.
    public func generate(progress: (Int, Int) -> Void = { _, _ in }) -> (session: LedgerSession, summary: Summary) {
        var run = DemoRun(seed: seed, scale: scale)
        run.plan()
        run.perform(untilDecided: .max, progress: progress)
        return (run.session, run.summary)
    }

    /// What `load` wrote: the states the history ends in, its events, and the seconds spent
    /// deciding (the rest of `seconds` went to appending, which overlapped it).
    public struct Loaded: Sendable {
        public var summary: Summary
        public var states: AggregateStates
        public var events: Int
        public var decidingSeconds: Double
        public var seconds: Double
    }

    /// Decides the history and appends it, recorded at its business dates, to an empty ledger
    /// (the head hash is then the same for the same seed and scale; a ledger with events is
    /// refused). Part by part: each part of about `partEvents` events is appended while the
    /// next is decided, so the two overlap and only two parts of the history are held at once.
    /// `progress`: commands decided, of about how many.
    public func load(into ledger: Ledger, partEvents: Int = 50_000, progress: (Int, Int) -> Void = { _, _ in }) async throws -> Loaded {
        precondition(partEvents > 0, "a part holds at least one event")
        let started = ContinuousClock.now
        let head = try await ledger.log.head()
        guard head.position == 0 else {
            throw ApplicationError.failure(
                "the demo loads into an empty ledger, and this one has \(head.position) events; use a fresh database (deploy/local/pg wipe, then start)"
            )
        }
        let meta = try JSONObject([("actor", .string("demo")), ("seed", .integer(Int64(seed)))])
        // Used by one task at a time: the next part is decided while the parent only appends.
        let run = Mutex(DemoRun(seed: seed, scale: scale))
        @Sendable func decideNext() -> (part: LedgerSession.Decided, commands: Int, of: Int, seconds: Double) {
            let started = ContinuousClock.now
            return run.withLock { run in
                run.perform(untilDecided: partEvents)
                let part = run.session.takeDecided()
                return (
                    part, run.summary.commands, run.planned + run.summary.commands - run.agenda.count,
                    (ContinuousClock.now - started).inSeconds
                )
            }
        }
        run.withLock { $0.plan() }
        var decided = decideNext()
        var (events, deciding) = (0, decided.seconds)
        while !decided.part.recorded.isEmpty {
            async let next = decideNext()
            try await ledger.batches.append(decided.part, meta: meta, backfill: true)
            events += decided.part.recorded.count
            progress(decided.commands, decided.of)
            decided = await next
            deciding += decided.seconds
        }
        return run.withLock {
            Loaded(
                summary: $0.summary, states: $0.session.states, events: events, decidingSeconds: deciding,
                seconds: (ContinuousClock.now - started).inSeconds)
        }
    }

    /// The read models of a ledger `load` has loaded with `events` events, computed from
    /// the states their session decided: while the ledger holds only those events, the states
    /// are the fold of its log, and reading the log back to fold it again was half the work.
    /// A ledger holding more (a writer came in after the load) is rebuilt from its log.
    public func project(
        _ states: consuming AggregateStates, events: Int, in ledger: Ledger, progress: (Int64, Int64) -> Void = { _, _ in },
        stage: @Sendable (Projector.RebuildStage) -> Void = { _ in }
    ) async throws -> Int64 {
        guard try await ledger.log.head().position == Int64(events) else {
            _ = consume states
            return try await ledger.projector.rebuild(progress: progress, stage: stage)
        }
        return try await ledger.projector.rebuild(from: consume states, through: Int64(events), stage: stage)
    }
}

// MARK: - The simulation

/// The simulation's state; the risk-sharing part is in DemoDistrict+RiskSharing.swift.
struct DemoRun {
    var random: SeededRandom
    let scale: Int
    var session = LedgerSession(missingStreamsAreEmpty: true)
    var summary = DemoDistrict.Summary()
    var agenda = DemoAgenda()
    var borrowers: [(uscc: Uscc, name: String)] = []
    var assetsOf: [Uscc: [AssetId]] = [:]
    var assetCount = 0
    var today = DemoDistrict.endDate
    var secondOfDay: Int64 = 0
    var contractCount: [BankId: Int] = [:]
    var paymentRefs = 0
    /// Risk sharing draws apart, so the rest of the district is decided as it was without it.
    var schemeRandom: SeededRandom
    var schemeLoans = 0
    var schemesWithDefault: Set<SchemeId> = []
    /// The agenda's items when planned (each command performed may add more).
    var planned = 0

    static let banks: [(id: String, name: String, licence: String, weight: Int)] = [
        ("LCRCB", "龙城农村商业银行股份有限公司", "B1262H221130001", 35),
        ("ICBC-LC", "中国工商银行股份有限公司朝阳龙城支行", "B0001S221130012", 20),
        ("CCB-LC", "中国建设银行股份有限公司朝阳龙城支行", "B0004S221130008", 18),
        ("BOC-LC", "中国银行股份有限公司朝阳龙城支行", "B0003S221130015", 15),
        ("BOCY-LC", "朝阳银行股份有限公司龙城支行", "B0278S221130002", 12),
    ]
    static let industries: [(code: String, core: String, weight: Int)] = [
        ("C3841", "锂电", 22), ("C3849", "储能", 12), ("C3825", "光伏装备", 12), ("D4416", "光伏发电", 8),
        ("D4415", "风电", 6), ("C3562", "半导体装备", 8), ("C3411", "氢能装备", 6), ("I6513", "工业软件", 10),
        ("C2761", "生物医药", 6), ("C1391", "农产品加工", 5), ("C3360", "新材料", 5),
    ]
    static let places = ["龙城", "朝阳", "辽西", "燕都", "凌河", "大凌河", "龙山", "七道泉"]
    static let appraisers = ["辽宁中正资产评估有限公司", "北京中和资产评估有限公司", "沈阳华信资产评估有限公司"]

    init(seed: UInt64, scale: Int) {
        random = SeededRandom(state: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        schemeRandom = SeededRandom(state: seed &* 0x9E37_79B9_7F4A_7C15 &+ 29)
        self.scale = scale
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        var roll = int(1...items.reduce(0) { $0 + $1.1 })
        for (item, weight) in items {
            roll -= weight
            if roll <= 0 { return item }
        }
        return items.last!.0
    }
    func day(_ text: String) -> BusinessDate { try! BusinessDate(parsing: text) }

    /// `number` in decimal, zeros in front up to `width` digits (`String(format:)` through
    /// Foundation was a fortieth of deciding the demo).
    func padded(_ number: Int, to width: Int) -> String {
        let digits = String(number)
        return digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
    }
    func yuan(_ amount: Int64) -> Money { Money(fen: amount * 100) }

    // MARK: Plan

    mutating func plan() {
        let policy = FundPolicy(
            coverageBp: Bp(4000), perLoanCapFen: yuan(1_000_000), perBorrowerCapFen: yuan(2_000_000), maxLeverage: 10,
            claimAfterOverdueDays: 90, nplSuspendBp: Bp(500), eligibleKinds: [.patent, .utilityModel, .design, .trademark],
            maxTermMonths: 36, maxPledgeRateBp: Bp(6000))
        let fund = DemoDistrict.fund
        agenda.add(
            day("2022-01-01"),
            .command(
                .fund(
                    fund,
                    .establish(
                        id: fund, name: "龙城区知识产权质押融资风险补偿资金", region: try! RegionCode("211303"), policy: policy,
                        establishedOn: day("2022-01-01")))))
        for bank in Self.banks {
            let id = try! BankId(bank.id)
            agenda.add(day("2022-01-04"), .command(.bank(id, .register(id: id, name: bank.name, licence: bank.licence))))
            agenda.add(
                day("2022-01-10"),
                .command(.fund(fund, .joinBank(id, agreement: "龙城区知识产权质押融资合作协议（\(bank.id)）", effectiveOn: day("2022-01-10")))))
        }
        // Contributions grow 10% a year; the district matches the city.
        for (index, year) in (2022...2025).enumerated() {
            let factor = [1000, 1100, 1210, 1331][index] as Int64
            for (contributor, base) in [(Contributor.province, Int64(3_000_000)), (.city, 4_000_000), (.district, 3_000_000)] {
                let amount = yuan(base * Int64(scale) * factor / 1000)
                let document = contributor == .province ? "辽财指" : contributor == .city ? "朝财指" : "龙财指"
                agenda.add(
                    day("\(year)-01-15"),
                    .command(
                        .fund(
                            fund,
                            .receiveContribution(
                                amount: amount, contributor: contributor, receivedOn: day("\(year)-01-15"),
                                reference: "\(document)〔\(year)〕\(index * 3 + 1)号"))))
            }
        }
        // Borrowers join over time; loans per year grow around the 15% target.
        let borrowerCount = 36 * scale
        for n in 0..<borrowerCount {
            let date = day("2022-01-01").adding(days: int(0...(n < borrowerCount / 3 ? 30 : 1200)))
            agenda.add(date, .newBorrower)
        }
        var loans = 20 * scale
        for year in 2022...2025 {
            for _ in 0..<loans { agenda.add(day("\(year)-01-20").adding(days: int(0...335)), .newLoan) }
            loans = loans * [121, 112, 119, 116][year - 2022] / 100
        }
        // The bank credits interest on the fund's account every quarter (on the 21st of its last month).
        for year in 2022...2025 {
            for quarter in 1...4 { agenda.add(day("\(year)-\(padded(quarter * 3, to: 2))-21"), .interest(quarter)) }
        }
        // One loan entered in error and one mistaken repayment, to show how history corrects itself.
        agenda.add(day("2024-05-20"), .mistake)
        planRiskSharing()
        planSubsidies()
        planned = agenda.count
    }

    /// Performs the agenda's items in date order until `events` events are decided and not
    /// yet handed over (`session.takeDecided()`), or the agenda is done.
    mutating func perform(untilDecided events: Int, progress: (Int, Int) -> Void = { _, _ in }) {
        while session.recorded.count < events, let item = agenda.pop() {
            perform(item)
            if summary.commands % 2000 == 0 { progress(summary.commands, planned + summary.commands - agenda.count) }
        }
    }

    // MARK: Perform

    mutating func perform(_ item: DemoAgenda.Item) {
        if item.date != today {
            today = item.date
            secondOfDay = 0
        }
        switch item.action {
        case .command(let command): run(command)
        case .newBorrower: newBorrower()
        case .newLoan: newLoan()
        case .loanStep(let key, let step): loanStep(key, step)
        case .mistake: mistake()
        case .review: review()
        case .interest(let quarter): creditInterest(quarter)
        case .riskSharing(let step): withSchemeDraws { $0.riskSharing(step) }
        case .subsidies(let step): withSchemeDraws { $0.subsidies(step) }
        }
    }

    @discardableResult
    mutating func run(_ command: LedgerCommand) -> [RecordedEvent]? {
        summary.commands += 1
        // Recorded at 10:00 China time on the business day, a microsecond apart.
        secondOfDay += 1
        let time = RecordedTime(microseconds: (Int64(today.dayNumber) * 86_400 + 2 * 3600) * 1_000_000 + secondOfDay)
        do {
            return try session.run(command, at: time) { UUID.timeOrdered(at: time, using: &random) }
        } catch let error as DomainError {
            summary.refused["\(error.code.rawValue) \(error.field)", default: 0] += 1
            return nil
        } catch {
            summary.refused["\(error)", default: 0] += 1
            return nil
        }
    }

    mutating func newBorrower() {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let region = chance(80) ? "211303" : "211302"
        let prefix = "91" + region + String((0..<9).map { _ in alphabet[int(0...30)] })
        let uscc = try! Uscc(prefix + String(Uscc.checkCharacter(for: prefix)!))
        let industry = weighted(Self.industries.map { ($0, $0.weight) })
        let name = "\(Self.places[int(0...Self.places.count - 1)])\(industry.core)\(["科技", "新能源", "实业", "技术"][int(0...3)])有限公司"
        guard
            run(
                .borrower(
                    uscc,
                    .register(
                        uscc: uscc, name: name, industry: try! IndustryCode(industry.code), region: try! RegionCode(region),
                        techSme: chance(70)))) != nil
        else { return }
        borrowers.append((uscc, name))
        for _ in 0..<int(1...3) { newAsset(for: uscc) }
    }

    @discardableResult
    mutating func newAsset(for owner: Uscc) -> AssetId {
        assetCount += 1
        let kind = weighted([(AssetKind.patent, 60), (.utilityModel, 15), (.trademark, 20), (.design, 5)])
        let year = today.year - int(0...4)
        let number = padded(assetCount, to: 7)
        let (id, registry, title): (String, String, String) =
            switch kind {
            case .trademark: ("TM\(year)\(number)", "第\(40_000_000 + assetCount)号", "\(Self.places[assetCount % Self.places.count])牌注册商标")
            case .utilityModel: ("ZL\(year)2\(number)", "ZL \(year) 2 \(number).\(assetCount % 10)", "一种储能电池模组散热结构")
            case .design: ("ZL\(year)3\(number)", "ZL \(year) 3 \(number).\(assetCount % 10)", "充电桩外观设计")
            default:
                (
                    "ZL\(year)1\(number)", "ZL \(year) 1 \(number).\(assetCount % 10)",
                    ["固态电解质制备方法", "光伏组件串焊工艺", "氢燃料电池双极板", "锂电池正极材料包覆方法"][assetCount % 4]
                )
            }
        let asset = try! AssetId(id)
        run(.asset(asset, .register(id: asset, kind: kind, registryNo: registry, title: title, owner: owner)))
        revalue(asset)
        assetsOf[owner, default: []].append(asset)
        return asset
    }

    mutating func revalue(_ asset: AssetId) {
        let value = Money(fen: Int64(int(300...3000)) * 1_000_000)
        let method = weighted([(ValuationMethod.income, 60), (.market, 25), (.cost, 15)])
        let valuation = try! ValuationId("V\(today.description.replacingOccurrences(of: "-", with: ""))")
        run(
            .asset(
                asset,
                .value(
                    id: valuation, appraiser: Self.appraisers[int(0...2)], method: method, value: value,
                    valuedOn: today.adding(days: -int(3...25)), reportRef: "PG-\(today.year)-\(padded(int(1...99_999), to: 5))")))
    }

    mutating func newLoan() {
        guard !borrowers.isEmpty else { return }
        let borrower = borrowers[int(0...borrowers.count - 1)].uscc
        // A free asset with a valuation less than eleven months old; else register or revalue one.
        var free = (assetsOf[borrower] ?? []).filter { session.states.assets[$0]?.activePledge == nil }
        if free.isEmpty { free = [newAsset(for: borrower)] }
        let asset = free[int(0...free.count - 1)]
        if let valuation = session.states.assets[asset]?.valuation(before: today), valuation.valuedOn.adding(months: 11) < today {
            revalue(asset)
        }
        guard let appraised = session.states.assets[asset]?.valuation(before: today)?.valueFen else { return }
        let bank = try! BankId(weighted(Self.banks.map { ($0.id, $0.weight) }))
        contractCount[bank, default: 0] += 1
        let key = LoanKey(bank: bank, contract: try! ContractNo("\(bank)-\(today.year)-\(padded(contractCount[bank]!, to: 5))"))
        // Principal 30–58% of the appraised value, in whole ten-thousands, 0.3–5 million.
        let raw = appraised.fen / 100 * Int64(int(30...58)) / 100
        let principal = yuan(min(5_000_000, max(300_000, raw / 10_000 * 10_000)))
        let months = weighted([(12, 70), (24, 20), (36, 10)])
        // While the fund (or this bank) takes no new enrolments, banks still lend, uncovered.
        let fund = session.states.funds[DemoDistrict.fund]
        let open = fund.map { !$0.isSuspendedNow && !$0.isBankSuspendedNow(bank) } ?? false
        let enrolled = open && chance(85)
        let origination = LoanCommand.Origination(
            key: key, borrower: borrower, principal: principal, rate: Bp(Int64(int(345...560))), originatedOn: today,
            maturesOn: today.adding(months: months),
            collateral: [.init(asset: asset, registrationNo: "Y\(today.year)211303\(padded(assetCount + summary.loans, to: 5))")],
            fund: enrolled ? DemoDistrict.fund : nil)
        guard run(.loan(key, .originate(origination))) != nil else { return }
        summary.loans += 1
        if chance(8) {
            summary.defaults += 1
            let defaultOn = today.adding(months: int(4...min(months, 10)))
            schedule(key, defaultOn, .defaulted(daysOverdue: int(30...80)))
        } else {
            if chance(35) { schedule(key, today.adding(months: months / 2), .repay(percent: int(20...50))) }
            schedule(key, today.adding(months: months), .repay(percent: 100))
            schedule(key, today.adding(months: months).adding(days: int(1...5)), .close)
        }
    }

    mutating func schedule(_ key: LoanKey, _ date: BusinessDate, _ step: DemoAgenda.LoanStep) {
        guard date <= DemoDistrict.endDate else { return }
        agenda.add(date, .loanStep(key, step))
    }

    mutating func loanStep(_ key: LoanKey, _ step: DemoAgenda.LoanStep) {
        guard let loan = session.states.loans[key], let origination = loan.origination else { return }
        switch step {
        case .repay(let percent):
            let principal =
                percent == 100
                ? loan.outstanding : loan.outstanding.fen > 0 ? Money(fen: loan.outstanding.fen * Int64(percent) / 100 / 100 * 100) : .zero
            let interest =
                (try? origination.principalFen.applying(origination.rateBp, rounding: .down)).map {
                    Money(fen: $0.fen * Int64(percent) / 200)
                } ?? .zero
            run(.loan(key, .repay(principal: principal, interest: interest, paidOn: today)))
        case .close:
            run(.loan(key, .close(on: today)))
        case .defaulted(let days):
            // The instalment missed `days` ago (never before the loan began).
            let missed = max(today.adding(days: -days), origination.originatedOn.adding(days: 1))
            run(
                .loan(
                    key,
                    .markDefaulted(
                        on: today, missedDueOn: missed,
                        classification: weighted([(LoanClassification.substandard, 50), (.doubtful, 35), (.loss, 15)]))))
            // A default that took the NPL ratio over the threshold suspended enrolments; the
            // administrator reviews the files and reopens a few weeks later.
            if let fund = session.states.funds[DemoDistrict.fund], fund.isSuspendedNow || !fund.suspendedBanks.isEmpty {
                agenda.add(today.adding(days: int(20...45)), .review)
            }
            if origination.fundId != nil {
                schedule(key, today.adding(days: 95 - min(days, 60)), .claim)
            } else {
                schedule(key, today.adding(days: int(90...240)), .recover)
            }
        case .claim:
            guard let fund = session.states.funds[DemoDistrict.fund], let defaulted = loan.defaulted,
                let limit = try? Loan.claimLimit(loan: origination, defaulted: defaulted, fund: fund, asOf: today), limit.amount.isPositive
            else { return }
            if run(.loan(key, .claimCompensation(amount: limit.amount, claimedOn: today))) != nil {
                schedule(key, today.adding(days: int(10...25)), .decide)
            }
        case .decide:
            guard let claim = loan.openClaim else { return }
            if chance(8) {
                run(.loan(key, .rejectClaim(rejectedOn: today, reason: "诉讼材料不完整，请补充法院受理通知书后重新申请")))
            } else if run(.loan(key, .approveClaim(amount: claim.amount, approvedOn: today))) != nil {
                schedule(key, today.adding(days: int(5...15)), .pay)
            }
        case .pay:
            paymentRefs += 1
            if run(.loan(key, .payClaim(paidOn: today, paymentRef: "龙财补〔\(today.year)〕\(paymentRefs)号"))) != nil {
                summary.claimsPaid += 1
                if chance(60) { schedule(key, today.adding(days: int(60...200)), .recover) }
            }
        case .recover:
            guard let defaulted = loan.defaulted else { return }
            let amount = Money(fen: defaulted.outstandingFen.fen * Int64(int(10...40)) / 100)
            guard run(.loan(key, .receiveRecovery(amount: amount, receivedOn: today, source: "质押专利拍卖处置款"))) != nil else { return }
            if loan.compensationPaid.isPositive {
                schedule(key, today.adding(days: int(5...20)), .returnShare(loan.recoveries.count + 1))
            } else {
                schedule(key, today.adding(days: int(60...120)), .writeOff)
            }
        case .returnShare(let number):
            if run(.loan(key, .returnRecoveryShare(recoveryNo: number, returnedOn: today, reference: "返还风险补偿资金-\(key.contract)"))) != nil {
                schedule(key, today.adding(days: int(60...150)), .writeOff)
            }
        case .writeOff:
            if run(.loan(key, .writeOff(on: today, reason: "经诉讼及处置后无法收回"))) != nil {
                schedule(key, today.adding(days: 1), .close)
            }
        }
    }

    /// The administrator's review after an automatic suspension: enrolments reopen.
    mutating func review() {
        guard let fund = session.states.funds[DemoDistrict.fund] else { return }
        if fund.isSuspendedNow {
            run(.fund(DemoDistrict.fund, .resume(on: today, reason: "经审查：不良贷款已进入代偿和处置程序，风险可控，恢复受理新增备案")))
        }
        for bank in fund.suspendedBanks.sorted(by: { $0.value < $1.value }) {
            run(.fund(DemoDistrict.fund, .resumeBank(bank, on: today, reason: "经审查：该行不良贷款已落实处置措施，恢复受理新增备案")))
        }
    }

    /// The account's quarterly interest (结息, 0.35% a year on the balance, to the fen).
    mutating func creditInterest(_ quarter: Int) {
        guard let fund = session.states.funds[DemoDistrict.fund],
            let interest = try? fund.balance(on: today).scaled(by: 35, over: 40_000, rounding: .down), interest.isPositive
        else { return }
        run(.fund(DemoDistrict.fund, .creditInterest(amount: interest, creditedOn: today, reference: "结息\(today.year)Q\(quarter)")))
    }

    /// A loan entered twice by mistake is cancelled; a repayment booked to the wrong loan is reversed.
    mutating func mistake() {
        let active = session.states.loans.filter { $0.value.status == .active && $0.value.repayments.isEmpty }.keys.sorted()
        if let key = active.first {
            run(.loan(key, .cancel(on: today, reason: "重复录入，合同号已作废")))
        }
        if let key = active.dropFirst().first,
            let events = run(.loan(key, .repay(principal: Money(fen: 10_000_000), interest: .zero, paidOn: today))),
            let repayment = events.first
        {
            run(.loan(key, .reverse(eventId: repayment.id, on: today.adding(days: 1), reason: "还款误记入本笔贷款，应为他行贷款")))
        }
    }
}

/// Future actions ordered by date (then by when they were planned): a binary heap.
struct DemoAgenda {
    enum LoanStep {
        case repay(percent: Int)
        case close
        case defaulted(daysOverdue: Int)
        case claim, decide, pay, recover
        case returnShare(Int)
        case writeOff
    }
    enum Action {
        case command(LedgerCommand)
        case newBorrower, newLoan
        case loanStep(LoanKey, LoanStep)
        case mistake, review
        case interest(Int)
        case riskSharing(DemoRun.RiskSharingStep)
        case subsidies(DemoRun.SubsidyStep)
    }
    struct Item {
        var date: BusinessDate
        var sequence: Int
        var action: Action
    }

    /// When each item is due, ordered as a heap; its action is kept apart (`actions`, by
    /// sequence): an action can carry a whole command, and moving items that held theirs up
    /// and down the heap was a tenth of deciding the demo at `--scale 1400`.
    private var heap: [(date: BusinessDate, sequence: Int)] = []
    private var actions: [Int: Action] = [:]
    private var sequence = 0
    var count: Int { heap.count }

    mutating func add(_ date: BusinessDate, _ action: Action) {
        sequence += 1
        actions[sequence] = action
        heap.append((date, sequence))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Item? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < heap.count, Self.before(heap[left], heap[first]) { first = left }
            if right < heap.count, Self.before(heap[right], heap[first]) { first = right }
            if first == parent { break }
            heap.swapAt(parent, first)
            parent = first
        }
        return Item(date: top.date, sequence: top.sequence, action: actions.removeValue(forKey: top.sequence)!)
    }

    private static func before(_ a: (date: BusinessDate, sequence: Int), _ b: (date: BusinessDate, sequence: Int)) -> Bool {
        (a.date, a.sequence) < (b.date, b.sequence)
    }
}
