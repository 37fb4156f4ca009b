import Foundation
import PledgerDomainTestSupport
import Synchronization
import Testing

@testable import PledgerDomain

/// Random command sequences against the rules. Each run starts from a small district and
/// throws hundreds of plausible and implausible commands at it — some with amounts at the
/// edges (0, 1 fen, the ledger's maximum and one fen less); whatever the rules accept, the
/// invariants must hold afterwards, no total may pass `Money.maximum`, nothing may trap, and
/// refusals must be `DomainError`s that change nothing.
@Suite("Properties of random command sequences")
struct PropertyTests {
    static let reached = Mutex<Set<String>>([])

    @Test("across all seeds, every kind of loan event was reached")
    func coverage() async throws {
        // Seeds 165–174 reach a queue payment of several claims, which 100–129 no longer do once risk sharing draws too.
        for seed: UInt64 in Array(100..<130) + Array(165..<175) { try await randomSequences(seed: seed) }
        let reached = Self.reached.withLock { $0 }
        for type in [
            "CompensationApproved", "CompensationPaid", "RecoveryReceived", "RecoveryReturnedToFund", "LoanWrittenOff",
            "LoanClosed", "LoanCancelled", "EntryReversed", "CompensationRejected", "FundSuspended",
            "CoverGranted", "CoverDefaulted", "CoverReleased", "BankEnrolmentSuspended", "BankEnrolmentResumed", "LprPublished",
            "BorrowerFirmSizeRecorded", "FundPolicyAmended new_enrolments", "FundPolicyAmended all_loans",
            "FundSuspended automatically", "BankEnrolmentSuspended automatically",
            "CompensationWithdrawn", "CompensationReleased", "FundInterestCredited", "FundBankCharged", "FundContributionReturned",
            "FundTransferredOut", "FundTransferredIn", "a partial payment", "a queue payment", "a queue payment paying several claims",
            "a payment completing a queued claim", "LoanEnrolledInScheme", "SchemeLoanEnrolled", "LossShared", "LossShareSettled",
            "SchemeShareDisbursed", "RecoveryShared", "SchemeRecoveryShareReceived", "a capped share",
            "LoanInsured", "PolicyIssued", "PolicyClaimSettled", "PremiumSubsidised", "PremiumSubsidyPaid", "LoanPolicyCancelled",
            "PolicyCancelled",
            "a share held to the sum insured", "a default the policy did not cover",
        ] {
            #expect(reached.contains(type), "no sequence reached \(type)")
        }
    }

    @Test("invariants hold and folds are deterministic", arguments: 0..<40)
    func randomSequences(seed: UInt64) async throws {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        var accepted = 0
        // A quarter of the commands are the claim queue's and the fund account's, and a sixth risk sharing, drawn apart.
        for step in 0..<480 {
            // Seconds of CPU per sequence: give the cooperative pool's threads back now and then,
            // or the suites that wait on a projector or a deadline meanwhile starve on two cores.
            if step % 8 == 0 { await Task.yield() }
            let command = generator.next(ledger)
            let before = ledger.log.count
            let fundBefore = ledger.decided.funds[generator.fund] ?? FundState()
            do {
                // Deciding twice on the same state gives the same events.
                let states = ledger.states(for: command)
                let first = try? Workflow.decide(command, states)
                let second = try? Workflow.decide(command, states)
                #expect(first == second)
                let written = try ledger.run(command)
                Invariants.fundRules(written, before: fundBefore, ledger, generator)
                accepted += 1
                var labels: Set<String> = []
                if case .fund(_, .payQueue) = command {
                    labels.insert("a queue payment")
                    if written.filter({ $0.event.type == "CompensationPaid" }).count > 1 {
                        labels.insert("a queue payment paying several claims")
                    }
                }
                for recorded in written {
                    if case .lossShared(let shared) = recorded.event, shared.shares.contains(where: \.capped) {
                        labels.insert("a capped share")
                    }
                    if case .lossShared(let shared) = recorded.event,
                        let key = generator.loans.first(where: { Streams.loan($0) == recorded.stream }),
                        let insurer = shared.shares.first(where: { $0.role == .insurer }),
                        let policy = ledger.loan(key).policy(of: insurer.ref)
                    {
                        // The sum insured caps the insurer; a default outside the period leaves it nothing.
                        #expect(insurer.dueFen <= policy.sumInsuredFen)
                        let on = ledger.loan(key).defaulted!.defaultedOn
                        if on < policy.startsOn || on > policy.endsOn {
                            #expect(insurer.dueFen == .zero)
                            labels.insert("a default the policy did not cover")
                        } else if insurer.capped && insurer.dueFen == policy.sumInsuredFen {
                            labels.insert("a share held to the sum insured")
                        }
                    }
                    guard case .compensationPaid(let paid) = recorded.event else { continue }
                    if paid.remainingFen.isPositive {
                        labels.insert("a partial payment")
                    } else if ledger.loan(generator.loans.first { Streams.loan($0) == recorded.stream }!).claims.first(where: {
                        $0.number == paid.claimNo
                    })!.paid != paid.amountFen {
                        labels.insert("a payment completing a queued claim")
                    }
                }
                PropertyTests.reached.withLock { $0.formUnion(labels) }
            } catch is DomainError {
                #expect(ledger.log.count == before, "a refused command wrote events")
            }
            try Invariants.check(ledger, generator)
            Invariants.totalsWithinMaximum(ledger, generator)
            if step % 160 == 159 { Invariants.balancesAreTheFlowsSums(ledger, generator) }
        }
        Invariants.partsBroughtForward(ledger, generator)
        // The sequences must reach the deep states, or the invariants are checked on nothing.
        var types = Set(ledger.log.map(\.event.type))
        for recorded in ledger.log {
            switch recorded.event {
            case .fundPolicyAmended(let e): types.insert("FundPolicyAmended \(e.appliesTo.rawValue)")
            case .fundSuspended(let e) where e.reason.hasPrefix("automatic"): types.insert("FundSuspended automatically")
            case .bankEnrolmentSuspended(let e) where e.reason.hasPrefix("automatic"): types.insert("BankEnrolmentSuspended automatically")
            default: break
            }
        }
        // An insurer's book: claims within each sum insured, subsidies within each premium, and
        // what the funds paid out as premium subsidies is what the book says was subsidised.
        if let book = ledger.decided.insurers[insurerId("INS")] {
            for policy in book.inOrder {
                #expect(policy.claimsPaidFen <= policy.issued.sumInsuredFen && policy.subsidisedFen <= policy.issued.premiumFen)
            }
            let paid = [generator.fund, generator.otherFund].map { ledger.fund($0).account().premiumSubsidiesFen }
            #expect(Invariants.exactSum(paid) == Invariants.exactSum(book.inOrder.map(\.subsidisedFen)))
        }
        #expect(accepted > 40, "accepted only \(accepted) of 480")
        #expect(types.contains("LoanOriginated"), "reached only \(types.sorted())")
        try Invariants.replayIsDeterministic(ledger)
        try Invariants.storedStatesReadBack(ledger, generator)
        Invariants.reportsDoNotTrap(ledger, generator)
        PropertyTests.reached.withLock { $0.formUnion(types) }
    }
}

enum Invariants {
    /// Each fund's stored parts (`FundState.storedForm`) read back as the same state.
    static func storedStatesReadBack(_ ledger: InMemoryLedger, _ generator: CommandGenerator) throws {
        for id in generator.funds {
            let fund = ledger.fund(id)
            #expect(try FundState(storedParts: fund.storedParts(loansPerPart: 3)) == fund, "fund \(id)")
        }
    }

    static func check(_ ledger: InMemoryLedger, _ generator: CommandGenerator) throws {
        for id in generator.funds {
            let fund = ledger.fund(id)
            // No fund ever goes below zero on any day: everything that left was there to leave.
            if let first = fund.flows.map(\.on).min() {
                #expect(fund.lowestBalance(from: first.adding(days: -1)) >= .zero, "fund \(id) goes negative")
            }
            let outflows = fund.flows.filter(\.amount.isNegative).reduce(0) { $0 - $1.amount.fen }
            let inflows = fund.flows.filter { !$0.amount.isNegative }.reduce(0) { $0 + $1.amount.fen }
            #expect(outflows <= inflows)
            // No contributor gets back more than it put in.
            for contributor in Contributor.allCases { #expect(fund.netContributions(of: contributor) >= .zero) }
            // Σ paid + released per claim ≤ approved.
            for record in fund.compensations { #expect(try record.paid + record.released <= record.approved, "\(record)") }
        }
        let fund = ledger.fund(generator.fund)
        let maxBorrowerCap = fund.policies.map(\.policy.perBorrowerCapFen).max()!
        for (_, committed) in fund.committedByBorrower { #expect(committed <= maxBorrowerCap) }
        // Committed per borrower = approved − released, on the fund's stream and by the loans' claims.
        var approvedByBorrower: [Uscc: Int64] = [:]
        var byLoanClaims: [Uscc: Int64] = [:]
        for recorded in ledger.streams[.fund(generator.fund)] ?? [] {
            if case .compensationCommitted(let e) = recorded.event { approvedByBorrower[e.borrower, default: 0] += e.amountFen.fen }
            if case .compensationReleased(let e) = recorded.event { approvedByBorrower[e.borrower, default: 0] -= e.amountFen.fen }
        }
        let loans = Dictionary(uniqueKeysWithValues: generator.loans.map { ($0, ledger.loan($0)) })
        for key in generator.loans {
            let loan = loans[key]!
            guard let origination = loan.origination else { continue }
            for claim in loan.claims where claim.approvedOn != nil {
                byLoanClaims[origination.borrower, default: 0] +=
                    claim.approved.fen - (claim.status == .withdrawn ? claim.withdrawn.fen : 0)
            }
        }
        for (borrower, committed) in fund.committedByBorrower {
            #expect(committed.fen == approvedByBorrower[borrower] ?? 0, "committed to \(borrower)")
            #expect(committed.fen == byLoanClaims[borrower] ?? 0, "committed to \(borrower) against the loans' claims")
        }
        #expect(Set(approvedByBorrower.filter { $0.value != 0 }.keys).isSubset(of: Set(fund.committedByBorrower.keys)))
        // The fund's queue is exactly the loans' approved claims not paid in full, owed alike.
        var open: [LoanKey: Money] = [:]
        for key in generator.loans {
            if let claim = loans[key]!.openClaim, claim.status == .approved { open[key] = claim.unpaid }
        }
        #expect(Dictionary(uniqueKeysWithValues: fund.queue.map { ($0.loan, $0.remaining) }) == open)
        #expect(fund.queue.map(\.approvedOn) == fund.queue.map(\.approvedOn).sorted())

        for key in generator.loans {
            let loan = loans[key]!
            guard let origination = loan.origination else { continue }
            #expect(loan.outstanding >= .zero)
            #expect(loan.outstanding <= origination.principalFen)
            #expect(loan.returnedToFund <= loan.compensationPaid)
            // `claims list` reads only these loans for the claims awaiting a decision.
            if loan.openClaim != nil { #expect([.defaulted, .writtenOff].contains(loan.status), "open claim on a \(loan.status) loan") }
            for claim in loan.claims {
                #expect(claim.paid <= claim.approved || claim.status == .withdrawn && claim.approvedOn == nil)
                #expect(claim.approved <= claim.amount)
                #expect(claim.status != .paid || claim.paid == claim.approved)
                if claim.approvedOn != nil, let record = fund.compensation(key, claimNo: claim.number) {
                    #expect(
                        record.paid == claim.paid && record.approved == claim.approved,
                        "fund and loan disagree on claim \(claim.number) of \(key)")
                    #expect(record.released == (claim.status == .withdrawn ? claim.withdrawn : .zero))
                } else {
                    #expect(claim.approvedOn == nil, "the fund does not know approved claim \(claim.number) of \(key)")
                }
            }
            // What the bank owes the fund from recoveries: never negative, never more than the
            // fund has still to get back, and nothing once every recovery is returned or reversed.
            let owed = loan.owedToFund
            #expect(owed >= .zero)
            #expect(owed <= max(.zero, try loan.compensationPaid - loan.returnedToFund))
            if loan.recoveries.allSatisfy({ $0.reversed || $0.returnedShare != nil }) { #expect(owed == .zero) }
            for recovery in loan.recoveries where recovery.returnedShare != nil {
                #expect(!loan.sharesOwedToFund.contains { $0.recoveryNo == recovery.number })
            }
            if let defaulted = loan.defaulted { #expect(loan.recoveredTotal <= defaulted.outstandingFen) }
        }
        coverBookAgrees(fund, ledger, generator)
        try schemesAgree(loans, ledger, generator)
        for id in generator.assets {
            let asset = ledger.asset(id)
            guard let pledge = asset.activePledge else { continue }
            let loan = ledger.loan(LoanKey(bank: pledge.bankId, contract: pledge.contractNo))
            #expect([.active, .defaulted, .writtenOff].contains(loan.status), "asset \(id) pledged to a \(loan.status) loan")
            #expect(loan.origination?.collateral.contains { $0.assetId == id } == true)
        }
        for (_, events) in ledger.streams {
            #expect(events.map(\.version) == Array(1...Int32(events.count)))
        }
        #expect(ledger.log.map(\.position) == Array(1...Int64(max(ledger.log.count, 1))).prefix(ledger.log.count).map { $0 })
    }

    /// Kept in part after any of its events and brought forward by the rest (none of which the
    /// part cannot take), a loan's part is its whole state's part. Every cut of every loan:
    /// checked once a sequence ends, not after each command.
    static func partsBroughtForward(_ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        for key in generator.loans {
            let events = ledger.streams[.loan(key)] ?? []
            let expected = ledger.loan(key).riskSharingPart
            for cut in events.indices.dropFirst() {
                let rest = events[cut...]
                if rest.contains(where: { LoanState.eventsTheRiskSharingPartCannotTake.contains($0.event.type) }) { continue }
                let part = events[..<cut].reduce(LoanState(), Loan.evolve).riskSharingPart
                #expect(rest.reduce(part, Loan.evolve).riskSharingPart == expected, "\(key) kept after version \(cut)")
            }
        }
    }

    /// Under the scheme: the shares add up to the loss; no party settles more than its share
    /// nor gets back more than it paid; the recoveries shared add up to the parts; a fund
    /// party's payments and receipts on its own stream are the loan's; such a loan never claims.
    static func schemesAgree(_ loans: [LoanKey: LoanState], _ ledger: InMemoryLedger, _ generator: CommandGenerator) throws {
        // A server keeps only the part of each loan the risk-sharing figures read.
        let whole = generator.loans.compactMap { loans[$0] }
        if !whole.isEmpty {
            let scheme = ledger.scheme(generator.scheme)
            #expect(
                try RiskSharingReport.compute(scheme: scheme, loans: whole.map(\.riskSharingPart))
                    == RiskSharingReport.compute(scheme: scheme, loans: whole))
        }
        var paidByFund: [FundId: Money] = [:]
        var recoveredByFund: [FundId: Money] = [:]
        for key in generator.loans {
            let loan = loans[key]!
            #expect(loan.scheme == nil || loan.claims.isEmpty, "\(key) claimed although under a scheme")
            #expect((ledger.scheme(generator.scheme).loans[key] != nil) == (loan.scheme != nil))
            guard let shared = loan.lossShared else { continue }
            #expect(try Money.total(shared.shares.map(\.dueFen), of: "shares", field: "x") == shared.lossFen)
            for share in shared.shares where share.role != .bank {
                #expect((loan.settled[share.ref] ?? .zero) <= share.dueFen)
                if let fund = share.ref.fundId {
                    paidByFund[fund] = try (paidByFund[fund] ?? .zero) + (loan.settled[share.ref] ?? .zero)
                    recoveredByFund[fund] = try (recoveredByFund[fund] ?? .zero) + (loan.recoveredByParty[share.ref] ?? .zero)
                }
            }
            let paid = loan.paidByParty
            for (party, recovered) in loan.recoveredByParty { #expect(recovered <= paid[party] ?? .zero, "\(party) on \(key)") }
            let sharedRecoveries = loan.recoveries.filter(\.sharedAmongParties).map(\.amount)
            #expect(
                try Money.total(sharedRecoveries, of: "r", field: "x") == Money.total(loan.recoveredByParty.values, of: "p", field: "x"))
        }
        for id in generator.funds {
            var out = Money.zero
            var back = Money.zero
            for recorded in ledger.streams[.fund(id)] ?? [] {
                if case .schemeShareDisbursed(let e) = recorded.event { out = try out + e.amountFen }
                if case .schemeRecoveryShareReceived(let e) = recorded.event { back = try back + e.amountFen }
            }
            #expect(out == paidByFund[id] ?? .zero, "fund \(id) paid under the scheme")
            #expect(back == recoveredByFund[id] ?? .zero, "fund \(id) got back under the scheme")
        }
    }

    /// The fund's cover book is the loans it covers, seen from the fund stream: one entry per
    /// enrolled loan, with its principal and date, released exactly when the loan is closed or
    /// cancelled, defaulted exactly when the loan is, and running totals equal to the sums.
    static func coverBookAgrees(_ fund: FundState, _ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        for key in generator.loans {
            let loan = ledger.loan(key)
            guard let o = loan.origination, o.fundId == generator.fund else {
                #expect(fund.cover.loans[key] == nil, "cover for \(key), which is not enrolled")
                continue
            }
            guard let entry = fund.cover.loans[key] else {
                Issue.record("no cover for enrolled loan \(key)")
                continue
            }
            #expect(entry.principal == o.principalFen && entry.enrolledOn == o.originatedOn && entry.borrower == o.borrower)
            #expect(entry.isOpen == ![.closed, .cancelled].contains(loan.status), "cover of \(key) vs a \(loan.status) loan")
            #expect(entry.defaultedOutstanding == loan.defaulted?.outstandingFen, "default of \(key)")
        }
        let open = fund.cover.loans.filter { $0.value.isOpen }
        #expect(exactSum(open.map(\.value.principal)) == fund.cover.total.coveredPrincipal)
        #expect(exactSum(open.compactMap(\.value.defaultedOutstanding)) == fund.cover.total.nonPerforming)
        for bank in generator.banks {
            let mine = open.filter { $0.key.bank == bank }
            #expect(exactSum(mine.map(\.value.principal)) == fund.cover.byBank[bank]?.coveredPrincipal ?? .zero)
            #expect(exactSum(mine.compactMap(\.value.defaultedOutstanding)) == fund.cover.byBank[bank]?.nonPerforming ?? .zero)
        }
        for (year, granted) in fund.cover.grantedByBorrowerYear {
            let counted = fund.cover.loans.values.filter {
                $0.borrower == year.borrower && $0.enrolledOn.year == year.year && $0.released != .cancelled
            }
            #expect(exactSum(counted.map(\.principal)) == granted)
        }
    }

    /// What one accepted command wrote obeys the fund rules: an enrolment while neither the fund
    /// nor the bank was suspended, within leverage, the bank's quota, the yearly cap and the
    /// eligibility rules; a default that took a ratio over the threshold suspended in the same
    /// append; a loan's default inside its own dates; a claim no earlier than the missed due
    /// date + the waiting period of the loan's terms.
    static func fundRules(_ written: [RecordedEvent], before: FundState, _ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        guard !written.isEmpty else { return }
        let fund = ledger.fund(generator.fund)
        func key(_ stream: String) -> LoanKey? { generator.loans.first { Streams.loan($0) == stream } }
        for recorded in written {
            switch recorded.event {
            case .coverGranted(let e):
                #expect(!before.isSuspendedNow && !before.isSuspended(on: e.enrolledOn), "enrolled while the fund was suspended")
                #expect(
                    !before.isBankSuspendedNow(e.bankId) && !before.isBankSuspended(e.bankId, on: e.enrolledOn),
                    "enrolled while bank \(e.bankId) was suspended")
                let policy = fund.policy(on: e.enrolledOn)!
                let (limit, overflow) = fund.balance(on: e.enrolledOn).fen.multipliedReportingOverflow(by: policy.maxLeverage)
                #expect(overflow || fund.cover.total.coveredPrincipal.fen <= max(0, limit), "covered principal above balance × leverage")
                if let quota = policy.bankQuotaFen { #expect(fund.cover.byBank[e.bankId]!.coveredPrincipal <= quota) }
                if let cap = policy.maxPrincipalPerFirmPerYearFen {
                    #expect(fund.cover.grantedByBorrowerYear[.init(borrower: e.borrower, year: e.enrolledOn.year)]! <= cap)
                }
                let loan = ledger.loan(LoanKey(bank: e.bankId, contract: e.contractNo)).origination!
                if let caps = policy.maxPrincipalFenByFirmSize {
                    let size = ledger.borrower(e.borrower).firmSize(on: e.enrolledOn)
                    #expect(size.flatMap { caps[$0] }.map { e.principalFen <= $0 } == true, "principal above the firm-size cap")
                }
                if let spread = policy.maxRateOverLprBp {
                    let lpr = ledger.lpr().rate(.oneYear, on: e.enrolledOn)
                    #expect(lpr.map { loan.rateBp.value <= $0.rateBp.value + spread.value } == true, "rate above LPR + \(spread.value) bp")
                }
                if policy.borrowerInRegion, let region = ledger.borrower(e.borrower).registration?.region {
                    #expect(region.value.hasPrefix(Loan.regionPrefix(fund.region!)))
                }
            case .coverDefaulted(let e):
                let threshold = fund.policy(on: e.defaultedOn)!.nplSuspendBp
                if let ratio = fund.cover.total.nplRatio, ratio > threshold {
                    #expect(fund.isSuspendedNow, "NPL \(ratio) over \(threshold) and the fund not suspended")
                }
                if let ratio = fund.cover.byBank[e.bankId]?.nplRatio, ratio > threshold { #expect(fund.isBankSuspendedNow(e.bankId)) }
            case .loanDefaulted(let e):
                let loan = ledger.loan(key(recorded.stream)!).origination!
                #expect(e.missedDueOn > loan.originatedOn && e.missedDueOn <= loan.maturesOn && e.missedDueOn < e.defaultedOn)
                #expect(e.daysOverdue == e.missedDueOn.days(until: e.defaultedOn))
            case .compensationClaimed(let e):
                let loan = ledger.loan(key(recorded.stream)!)
                let terms = fund.terms(forLoanEnrolledOn: loan.origination!.originatedOn, asOf: e.claimedOn)!
                #expect(
                    loan.defaulted!.missedDueOn.days(until: e.claimedOn) >= terms.claimAfterOverdueDays, "claim before the waiting period")
            default:
                break
            }
        }
    }

    /// The sums a fund keeps by date are its movements' own: on, and the day before, each
    /// date with one (quadratic in the movements, so checked now and then).
    static func balancesAreTheFlowsSums(_ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        for id in generator.funds {
            // The fold of the stream and the state the rules decided on (kept across refusals).
            for fund in [ledger.fund(id), ledger.decided.funds[id] ?? FundState()] {
                flowSums(fund, id)
            }
        }
    }

    static func flowSums(_ fund: FundState, _ id: FundId) {
        func summed(through date: BusinessDate) -> Money {
            fund.flows.filter { $0.on <= date }.reduce(.zero) { $0.adding(saturating: $1.amount) }
        }
        for date in Set(fund.flows.flatMap { [$0.on, $0.on.adding(days: -1)] }) {
            #expect(fund.balance(on: date) == summed(through: date), "fund \(id) on \(date)")
            let lowest = ([date] + fund.flows.map(\.on).filter { $0 > date }).map(summed(through:)).min()!
            #expect(fund.lowestBalance(from: date) == lowest, "fund \(id) from \(date)")
        }
        #expect(fund.balance == fund.flows.reduce(.zero) { $0.adding(saturating: $1.amount) })
    }

    /// Every total the folds keep is within ±maximum and equals the exact (overflow-checked)
    /// sum of the events behind it — so no decision ever let a total pass the maximum, and
    /// saturation, which would hide that, never happened.
    static func totalsWithinMaximum(_ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        func within(_ total: Money, _ what: String) {
            #expect(total >= .zero && total <= .maximum, "\(what) is \(total)")
        }
        for key in generator.loans {
            let loan = ledger.loan(key)
            guard loan.exists else { continue }
            let repayments = (ledger.streams[.loan(key)] ?? []).compactMap { recorded -> RepaymentReceived? in
                guard case .repaymentReceived(let e) = recorded.event, !loan.reversed.contains(recorded.id) else { return nil }
                return e
            }
            #expect(exactSum(repayments.map(\.interestFen)) == loan.repaidInterest, "repaid interest of \(key)")
            #expect(exactSum(repayments.map(\.principalFen)) == loan.repaidPrincipal, "repaid principal of \(key)")
            #expect(exactSum(loan.claims.map(\.paid)) == loan.compensationPaid)
            #expect(exactSum(loan.recoveries.filter { !$0.reversed }.map(\.amount)) == loan.recoveredTotal)
            #expect(exactSum(loan.recoveries.compactMap(\.returnedShare)) == loan.returnedToFund)
            for (total, what) in [
                (loan.outstanding, "outstanding"), (loan.repaidPrincipal, "repaid principal"), (loan.repaidInterest, "repaid interest"),
                (loan.compensationPaid, "compensation paid"), (loan.recoveredTotal, "recovered"), (loan.returnedToFund, "returned"),
                (loan.writtenOff, "written off"),
            ] {
                within(total, "\(what) of \(key)")
            }
        }
        let fund = ledger.fund(generator.fund)
        let contributions = fund.contributions.filter { !fund.reversed.contains($0.key) }.map(\.value)
        let totals = fund.totals()
        let account = fund.account()
        #expect(account.balanceFen == fund.balance)
        for (total, what) in [
            (account.interestFen, "interest"), (account.bankChargesFen, "charges"),
            (account.contributionsReturnedFen, "returned to contributors"),
            (account.transfersInFen, "transfers in"), (account.transfersOutFen, "transfers out"),
        ] {
            within(total, what)
        }
        #expect(exactSum(contributions.map(\.amountFen)) == totals.contributed)
        #expect(exactSum(fund.flows.map(\.amount)) == fund.balance)
        for contributor in Contributor.allCases {
            within(
                exactSum(contributions.filter { $0.contributor == contributor }.map(\.amountFen)) ?? Money(fen: .max),
                "\(contributor) contributions")
        }
        for (total, what) in [
            (totals.contributed, "contributed"), (totals.paidOut, "paid out"), (totals.returned, "returned"), (fund.balance, "balance"),
        ] {
            within(total, what)
        }
        for flow in fund.flows { within(fund.balance(on: flow.on), "balance on \(flow.on)") }
        for (borrower, committed) in fund.committedByBorrower { within(committed, "committed to \(borrower)") }
        for (loan, committed) in fund.committedByLoan { within(committed, "committed to \(loan)") }
    }

    /// The sum with overflow detected, nil when it does not fit in Int64.
    static func exactSum(_ amounts: [Money]) -> Money? {
        var sum: Int64 = 0
        for amount in amounts {
            let (value, overflow) = sum.addingReportingOverflow(amount.fen)
            if overflow { return nil }
            sum = value
        }
        return Money(fen: sum)
    }

    /// The reports over whatever the sequence built either compute or refuse with
    /// `.limitExceeded` (many loans near the maximum can sum past it); they never trap.
    static func reportsDoNotTrap(_ ledger: InMemoryLedger, _ generator: CommandGenerator) {
        var fold = LedgerFold()
        for recorded in ledger.log { fold.apply(recorded) }
        let snapshots = fold.states.loanSnapshots
        for dimension in [nil] + GrowthReport.Dimension.allCases.map(Optional.some) {
            do { _ = try GrowthReport.compute(snapshots, from: 2023, to: 2026, by: dimension) } catch {
                #expect((error as? DomainError)?.code == .limitExceeded, "\(error)")
            }
        }
        do { _ = try ExposureReport.compute(fund: fold.states.funds[generator.fund]!, loans: snapshots, asOf: generator.day) } catch {
            #expect((error as? DomainError)?.code == .limitExceeded, "\(error)")
        }
        do {
            let due = try RecoveriesDue.compute(fold.states, asOf: generator.day)
            #expect(due.rows.map(\.receivedOn) == due.rows.map(\.receivedOn).sorted())
            #expect(due.rows.allSatisfy { $0.shareDueFen.isPositive && $0.overdue == ($0.daysSinceReceipt > 30) })
        } catch {
            #expect((error as? DomainError)?.code == .limitExceeded, "\(error)")
        }
    }

    /// Folding the whole log from scratch gives the same states as stream-by-stream folds.
    static func replayIsDeterministic(_ ledger: InMemoryLedger) throws {
        var once = AggregateStates()
        var twice = AggregateStates()
        for recorded in ledger.log {
            let ref = ledger.streams.first { $0.value.contains(recorded) }!.key
            once.apply(recorded, to: ref)
            twice.apply(recorded, to: ref)
        }
        #expect(once.loans == twice.loans && once.funds == twice.funds && once.assets == twice.assets)
        for (ref, _) in ledger.streams {
            if case .loan(let key) = ref { #expect(once.loans[key] == ledger.loan(key)) }
            if case .fund(let id) = ref { #expect(once.funds[id] == ledger.fund(id)) }
        }
    }
}
