import Foundation

/// Where a loan stands in its life.
public enum LoanStatus: String, Sendable, Hashable, ClosedSet {
    case active, defaulted
    case writtenOff = "written_off"
    case closed, cancelled
}

/// A compensation claim on a defaulted loan and what became of it.
public struct Claim: Sendable, Hashable {
    /// An approved claim stays `approved` until paid in full (it is queued while money is
    /// owed on it); `withdrawn` ends a filed claim or the unpaid remainder of an approved one.
    public enum Status: String, Sendable, Hashable { case filed, approved, rejected, paid, withdrawn }
    public var number: Int
    public var amount: Money
    public var claimedOn: BusinessDate
    public var status: Status
    public var approved: Money = .zero
    public var approvedOn: BusinessDate?
    /// Paid so far (a fund pays up to its balance and queues the rest); `paidOn` is the last payment.
    public var paid: Money = .zero
    public var paidOn: BusinessDate?
    /// What a withdrawal took off the claim (`CompensationWithdrawn.amount_fen`).
    public var withdrawn: Money = .zero
    public var withdrawnOn: BusinessDate?
}

/// Money recovered from the borrower or the collateral after default.
public struct Recovery: Sendable, Hashable {
    public var number: Int
    public var eventId: UUID
    public var amount: Money
    public var receivedOn: BusinessDate
    public var reversed = false
    /// The fund's share, once returned to it.
    public var returnedShare: Money?
    /// Shared back among a scheme's parties (`RecoveryShared`).
    public var sharedAmongParties = false
}

/// Everything the loan stream says about one loan.
public struct LoanState: Sendable, Hashable {
    public var origination: LoanOriginated?
    public var status: LoanStatus = .active
    /// Principal not yet repaid, recovered or written off.
    public var outstanding: Money = .zero
    public var repaidPrincipal: Money = .zero
    public var repaidInterest: Money = .zero
    public var repayments: [UUID: RepaymentReceived] = [:]
    public var reversed: Set<UUID> = []
    public var defaulted: LoanDefaulted?
    public var claims: [Claim] = []
    public var recoveries: [Recovery] = []
    public var writtenOff: Money = .zero
    /// The latest business date of any entry: closing cannot precede it.
    public var lastActivity: BusinessDate?
    /// Risk sharing (Loan+Schemes.swift): the scheme the loan is enrolled under, the split
    /// of its loss, what each party settled and each recovery shared back.
    public var scheme: LoanEnrolledInScheme?
    public var lossShared: LossShared?
    public var settled: [SchemePartyRef: Money] = [:]
    public var lastSettledOn: BusinessDate?
    public var recoveredByParty: [SchemePartyRef: Money] = [:]
    /// Pledge insurance (Loan+Insurance.swift): one policy per insurer.
    public var policies: [InsurerId: LoanInsured] = [:]

    public init() {}

    public var exists: Bool { origination != nil }
    public var key: LoanKey? { origination.map { LoanKey(bank: $0.bankId, contract: $0.contractNo) } }
    public var compensationPaid: Money { claims.reduce(.zero) { $0.adding(saturating: $1.paid) } }
    public var recoveredTotal: Money { recoveries.filter { !$0.reversed }.reduce(.zero) { $0.adding(saturating: $1.amount) } }
    public var returnedToFund: Money { recoveries.reduce(.zero) { $0.adding(saturating: $1.returnedShare ?? .zero) } }
    /// The claim being decided or awaiting payment, if any.
    public var openClaim: Claim? { claims.last.flatMap { [.filed, .approved].contains($0.status) ? $0 : nil } }
}

extension LoanState {
    mutating func updateClaim(_ number: Int, _ change: (inout Claim) -> Void) {
        if let index = claims.firstIndex(where: { $0.number == number }) { change(&claims[index]) }
    }
}
