import Foundation
import Synchronization
import Testing
@testable import PledgerDomain
import PledgerDomainTestSupport

/// Random command sequences against the rules. Each run starts from a small district and
/// throws hundreds of plausible and implausible commands at it — some with amounts at the
/// edges (0, 1 fen, the ledger's maximum and one fen less); whatever the rules accept, the
/// invariants must hold afterwards, no total may pass `Money.maximum`, nothing may trap, and
/// refusals must be `DomainError`s that change nothing.
@Suite("Properties of random command sequences")
struct PropertyTests {
    static let reached = Mutex<Set<String>>([])

    @Test("across all seeds, every kind of loan event was reached")
    func coverage() throws {
        for seed: UInt64 in 100..<130 { try randomSequences(seed: seed) }
        let reached = Self.reached.withLock { $0 }
        for type in ["CompensationApproved", "CompensationPaid", "RecoveryReceived", "RecoveryReturnedToFund", "LoanWrittenOff",
                     "LoanClosed", "LoanCancelled", "EntryReversed", "CompensationRejected", "FundSuspended"] {
            #expect(reached.contains(type), "no sequence reached \(type)")
        }
    }

    @Test("invariants hold and folds are deterministic", arguments: 0..<40)
    func randomSequences(seed: UInt64) throws {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        var accepted = 0
        for _ in 0..<300 {
            let command = generator.next(ledger)
            let before = ledger.log.count
            do {
                // Deciding twice on the same state gives the same events.
                let states = ledger.states(for: command)
                let first = try? Workflow.decide(command, states)
                let second = try? Workflow.decide(command, states)
                #expect(first == second)
                try ledger.run(command)
                accepted += 1
            } catch is DomainError {
                #expect(ledger.log.count == before, "a refused command wrote events")
            }
            try Invariants.check(ledger, generator)
            Invariants.totalsWithinMaximum(ledger, generator)
        }
        // The sequences must reach the deep states, or the invariants are checked on nothing.
        let types = Set(ledger.log.map(\.event.type))
        #expect(accepted > 40, "accepted only \(accepted) of 300")
        #expect(types.contains("LoanOriginated"), "reached only \(types.sorted())")
        try Invariants.replayIsDeterministic(ledger)
        Invariants.reportsDoNotTrap(ledger, generator)
        PropertyTests.reached.withLock { $0.formUnion(types) }
    }
}

enum Invariants {
    static func check(_ ledger: InMemoryLedger, _ generator: CommandGenerator) throws {
        let fund = ledger.fund(generator.fund)
        // The fund never goes below zero on any day.
        if let first = fund.flows.map(\.on).min() {
            #expect(fund.lowestBalance(from: first.adding(days: -1)) >= .zero)
        }
        var contributed: Int64 = 0, disbursed: Int64 = 0, returned: Int64 = 0
        for flow in fund.flows {
            if flow.amount.isNegative { disbursed -= flow.amount.fen } else if fund.contributions[flow.source!] != nil { contributed += flow.amount.fen } else { returned += flow.amount.fen }
        }
        #expect(disbursed <= contributed + returned)
        let maxBorrowerCap = fund.policies.map(\.policy.perBorrowerCapFen).max()!
        for (_, committed) in fund.committedByBorrower { #expect(committed <= maxBorrowerCap) }

        for key in generator.loans {
            let loan = ledger.loan(key)
            guard let origination = loan.origination else { continue }
            #expect(loan.outstanding >= .zero)
            #expect(loan.outstanding <= origination.principalFen)
            #expect(loan.returnedToFund <= loan.compensationPaid)
            for claim in loan.claims {
                #expect(claim.paid <= claim.approved)
                #expect(claim.approved <= claim.amount)
            }
            if let defaulted = loan.defaulted { #expect(loan.recoveredTotal <= defaulted.outstandingFen) }
        }
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
            for (total, what) in [(loan.outstanding, "outstanding"), (loan.repaidPrincipal, "repaid principal"), (loan.repaidInterest, "repaid interest"),
                                  (loan.compensationPaid, "compensation paid"), (loan.recoveredTotal, "recovered"), (loan.returnedToFund, "returned"),
                                  (loan.writtenOff, "written off")] {
                within(total, "\(what) of \(key)")
            }
        }
        let fund = ledger.fund(generator.fund)
        let contributions = fund.contributions.filter { !fund.reversed.contains($0.key) }.map(\.value)
        let totals = fund.totals()
        #expect(exactSum(contributions.map(\.amountFen)) == totals.contributed)
        #expect(exactSum(fund.flows.map(\.amount)) == fund.balance)
        for contributor in Contributor.allCases {
            within(exactSum(contributions.filter { $0.contributor == contributor }.map(\.amountFen)) ?? Money(fen: .max), "\(contributor) contributions")
        }
        for (total, what) in [(totals.contributed, "contributed"), (totals.paidOut, "paid out"), (totals.returned, "returned"), (fund.balance, "balance")] {
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
    }

    /// Folding the whole log from scratch gives the same states as stream-by-stream folds.
    static func replayIsDeterministic(_ ledger: InMemoryLedger) throws {
        var once = AggregateStates(), twice = AggregateStates()
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

