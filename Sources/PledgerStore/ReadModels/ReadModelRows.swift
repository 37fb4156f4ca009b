import Foundation
import PledgerDomain

/// The rows of the read models, derived from folded state by pure functions — the same
/// functions for the projector and for `reconcile projections`, so a difference can only
/// mean the stored tables drifted from the log.
public struct LoanRow: Sendable, Hashable {
    public var stream: String
    public var snapshot: LoanSnapshot
    /// Canonical JSON of the snapshot, as stored.
    public var snapshotJSON: String

    public init(_ snapshot: LoanSnapshot) throws {
        stream = snapshot.key.stream
        self.snapshot = snapshot
        snapshotJSON = try snapshot.canonicalText()
    }

    public init(stream: String, snapshotJSON: String) throws {
        self.stream = stream
        self.snapshotJSON = snapshotJSON
        snapshot = try LoanSnapshot(json: JSONParser.parse(snapshotJSON))
    }
}

public struct FundRow: Sendable, Hashable {
    public var fundId: String
    public var name: String
    public var contributedFen: Int64
    public var paidOutFen: Int64
    public var returnedFen: Int64
    public var balanceFen: Int64
    public var suspended: Bool

    public init(
        fundId: String, name: String, contributedFen: Int64, paidOutFen: Int64, returnedFen: Int64, balanceFen: Int64, suspended: Bool
    ) {
        self.fundId = fundId
        self.name = name
        self.contributedFen = contributedFen
        self.paidOutFen = paidOutFen
        self.returnedFen = returnedFen
        self.balanceFen = balanceFen
        self.suspended = suspended
    }

    public init(_ fund: FundState) {
        let totals = fund.totals()
        self.init(
            fundId: fund.id?.value ?? "", name: fund.name, contributedFen: totals.contributed.fen, paidOutFen: totals.paidOut.fen,
            returnedFen: totals.returned.fen, balanceFen: fund.balance.fen, suspended: fund.isSuspendedNow)
    }
}

extension AggregateStates {
    /// Read-model rows for the given loans and funds (all of them when nil).
    public func rows(loans keys: Set<LoanKey>? = nil, funds ids: Set<FundId>? = nil) throws -> (loans: [LoanRow], funds: [FundRow]) {
        let loanRows = try (keys.map(Array.init) ?? Array(loans.keys)).sorted().compactMap { key -> LoanRow? in
            guard let snapshot = snapshot(of: key) else { return nil }
            return try LoanRow(snapshot)
        }
        let fundRows = (ids.map(Array.init) ?? Array(funds.keys)).sorted().compactMap { id in
            funds[id].flatMap { $0.exists ? FundRow($0) : nil }
        }
        return (loanRows, fundRows)
    }

    /// Every loan's and fund's row, the loans' snapshots encoded on every core (a rebuild and
    /// a reconciliation encode the whole ledger's).
    public func allRows() async throws -> (loans: [LoanRow], funds: [FundRow]) {
        let states = self
        let loanRows = try await loans.keys.sorted().mapOnEveryCore(minimum: 1000) { key in
            try states.snapshot(of: key).map(LoanRow.init)
        }
        return (loanRows.compactMap { $0 }, try rows(loans: [], funds: nil).funds)
    }
}
