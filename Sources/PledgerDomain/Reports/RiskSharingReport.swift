/// What each party of a risk-sharing scheme bears: the table a district sends to the
/// province. Per party, over the scheme's loans: its contingent share of what is still
/// outstanding (an insurer held to its policy on each loan), the shares due on defaulted loans, what it paid, what it still owes, what
/// came back from recoveries and its net loss. Computed from the scheme's stream and its
/// loans' streams only, so its cost is the scheme's loans, not the ledger.
///
/// The bank bears its share by keeping it: its "paid" is its share; the other parties'
/// unpaid shares are their "owed". So Σ paid + Σ owed = Σ loss, and net loss = paid − recovered.
public struct RiskSharingReport: Sendable, Hashable {
    public var schemeId: SchemeId
    public var name: String
    public var versions: [SchemeState.Version]
    public var enrolledLoans = 0
    /// Enrolled loans still performing, and their outstanding principal.
    public var activeLoans = 0
    public var activeOutstandingFen = Money.zero
    /// Defaulted (or written off) loans whose loss is not shared yet.
    public var awaitingSharing = 0
    public var sharedLoans = 0
    public var lossFen = Money.zero
    public var recoveredFen = Money.zero
    public var parties: [PartyRow] = []

    public struct PartyRow: Sendable, Hashable {
        public var party: SchemePartyRef
        /// Loans whose loss it shares (shared so far).
        public var loans = 0
        /// Its share of the active loans' outstanding principal, were they all to default now.
        public var contingentFen = Money.zero
        public var dueFen = Money.zero
        public var paidFen = Money.zero
        public var owedFen = Money.zero
        public var recoveredFen = Money.zero
        public var cappedLoans = 0
        public var netLossFen: Money { paidFen.subtracting(saturating: recoveredFen) }
    }

    /// The totals of the party rows (contingent, due, paid, owed, recovered, net loss).
    public var total: PartyRow {
        var total = PartyRow(party: SchemePartyRef(role: .bank, partyId: nil))
        for row in parties {
            total.contingentFen = total.contingentFen.adding(saturating: row.contingentFen)
            total.dueFen = total.dueFen.adding(saturating: row.dueFen)
            total.paidFen = total.paidFen.adding(saturating: row.paidFen)
            total.owedFen = total.owedFen.adding(saturating: row.owedFen)
            total.recoveredFen = total.recoveredFen.adding(saturating: row.recoveredFen)
        }
        total.loans = sharedLoans
        return total
    }

    /// `asOf`: the day the contingent shares are for (whether an insurer's policy would cover a
    /// default then); nil counts every policy as covering.
    public static func compute(scheme: SchemeState, loans: some Sequence<LoanState>, asOf: BusinessDate? = nil) throws
        -> RiskSharingReport
    {
        var report = try RiskSharingReport(empty: scheme)
        for loan in loans { try report.count(loan, of: scheme, asOf: asOf) }
        return report
    }

    /// The table of `scheme` over no loan: a row for each party of any of its versions, the bank's first.
    public init(empty scheme: SchemeState) throws {
        guard let id = scheme.id else { throw DomainError(.notFound, field: "scheme_id", "no such scheme") }
        schemeId = id
        name = scheme.name
        versions = scheme.versions
        var order: [SchemePartyRef] = [.bank]
        for party in scheme.versions.flatMap(\.parties) where !order.contains(party.ref) { order.append(party.ref) }
        parties = order.map { PartyRow(party: $0) }
    }

    /// Counts `loan` into the table (`sign` 1), or out of it again (`sign` -1): a table kept
    /// beside a scheme's loans is brought forward by the loans that changed — each counted out
    /// as it was and in as it is — not computed again over every loan. A loan not enrolled in
    /// this scheme, or cancelled, counts for nothing. `scheme` is the one the table was made for.
    public mutating func count(_ loan: LoanState, of scheme: SchemeState, asOf: BusinessDate?, sign: Int = 1) throws {
        precondition(sign == 1 || sign == -1, "a loan is counted in or out")
        guard let enrolment = loan.scheme, enrolment.schemeId == schemeId, loan.status != .cancelled else { return }
        func plus(_ total: Money, _ amount: Money) throws -> Money { sign > 0 ? try total + amount : try total - amount }
        func update(_ ref: SchemePartyRef, _ change: (inout PartyRow) throws -> Void) rethrows {
            guard let index = parties.firstIndex(where: { $0.party == ref }) else { return }
            try change(&parties[index])
        }
        enrolledLoans += sign
        if let shared = loan.lossShared {
            sharedLoans += sign
            lossFen = try plus(lossFen, shared.lossFen)
            for share in shared.shares {
                let paid = share.role == .bank ? share.dueFen : loan.settled[share.ref] ?? .zero
                let recovered = loan.recoveredByParty[share.ref] ?? .zero
                recoveredFen = try plus(recoveredFen, recovered)
                try update(share.ref) { row in
                    if share.dueFen.isPositive { row.loans += sign }
                    if share.capped { row.cappedLoans += sign }
                    row.dueFen = try plus(row.dueFen, share.dueFen)
                    row.paidFen = try plus(row.paidFen, paid)
                    row.owedFen = try plus(row.owedFen, share.role == .bank ? .zero : loan.unsettled(share.ref))
                    row.recoveredFen = try plus(row.recoveredFen, recovered)
                }
            }
        } else if loan.status == .active, let version = scheme.version(enrolment.version) {
            activeLoans += sign
            activeOutstandingFen = try plus(activeOutstandingFen, loan.outstanding)
            let parties = Loan.partiesBearing(version.parties, loan, defaultedOn: asOf)
            for share in try LossSharing.split(loss: loan.outstanding, parties: parties) {
                try update(share.ref) { $0.contingentFen = try plus($0.contingentFen, share.dueFen) }
            }
        } else if [.defaulted, .writtenOff].contains(loan.status) {
            awaitingSharing += sign
        }
    }
}

extension RiskSharingReport {
    /// Canonical JSON: integer fen and basis points.
    public var json: JSONValue {
        func party(_ row: PartyRow) -> [(String, JSONValue)] {
            [
                ("role", .string(row.party.role.rawValue)), ("party_id", row.party.partyId.map { .string($0.value) } ?? .null),
                ("loans", .integer(Int64(row.loans))), ("capped_loans", .integer(Int64(row.cappedLoans))),
                ("contingent_fen", .integer(row.contingentFen.fen)), ("due_fen", .integer(row.dueFen.fen)),
                ("paid_fen", .integer(row.paidFen.fen)), ("owed_fen", .integer(row.owedFen.fen)),
                ("recovered_fen", .integer(row.recoveredFen.fen)), ("net_loss_fen", .integer(row.netLossFen.fen)),
            ]
        }
        let total = self.total
        return object([
            ("scheme_id", .string(schemeId.value)), ("name", .string(name)),
            (
                "versions",
                .array(
                    versions.map { version in
                        object([
                            ("version", .integer(Int64(version.number))), ("effective_on", .string(version.effectiveOn.description)),
                            (
                                "parties",
                                .array(
                                    version.parties.map { p in
                                        object([
                                            ("role", .string(p.role.rawValue)), ("party_id", p.partyId.map { .string($0.value) } ?? .null),
                                            ("share_bp", .integer(p.shareBp.value)),
                                            ("cap_fen", p.capFen.map { .integer($0.fen) } ?? .null),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
            ("enrolled_loans", .integer(Int64(enrolledLoans))), ("active_loans", .integer(Int64(activeLoans))),
            ("active_outstanding_fen", .integer(activeOutstandingFen.fen)), ("awaiting_sharing", .integer(Int64(awaitingSharing))),
            ("shared_loans", .integer(Int64(sharedLoans))), ("loss_fen", .integer(lossFen.fen)),
            ("recovered_fen", .integer(recoveredFen.fen)),
            ("parties", .array(parties.map { object(party($0)) })),
            (
                "total",
                object([
                    ("contingent_fen", .integer(total.contingentFen.fen)), ("due_fen", .integer(total.dueFen.fen)),
                    ("paid_fen", .integer(total.paidFen.fen)), ("owed_fen", .integer(total.owedFen.fen)),
                    ("recovered_fen", .integer(total.recoveredFen.fen)), ("net_loss_fen", .integer(total.netLossFen.fen)),
                ])
            ),
        ])
    }

    /// One row per party, then the total: what a spreadsheet at the province reads.
    public var csv: String {
        var lines = ["role,party_id,loans,capped_loans,contingent_fen,due_fen,paid_fen,owed_fen,recovered_fen,net_loss_fen"]
        func line(_ role: String, _ id: String, _ row: PartyRow) -> String {
            "\(role),\(CSV.field(id)),\(row.loans),\(row.cappedLoans),\(row.contingentFen.fen),\(row.dueFen.fen),\(row.paidFen.fen),\(row.owedFen.fen),\(row.recoveredFen.fen),\(row.netLossFen.fen)"
        }
        for row in parties { lines.append(line(row.party.role.rawValue, row.party.partyId?.value ?? "", row)) }
        lines.append(line("total", "", total))
        return lines.joined(separator: "\n") + "\n"
    }
}

extension RiskSharingReport {
    /// One party's row of a scheme's table, named by the scheme: how a fund's exposure report
    /// lists its part in each scheme.
    public struct SchemeShare: Sendable, Hashable {
        public var schemeId: SchemeId
        public var name: String
        public var row: PartyRow
    }

    /// `party`'s row, when the scheme names it in any version.
    public func share(of party: SchemePartyRef) -> SchemeShare? {
        parties.first { $0.party == party }.map { SchemeShare(schemeId: schemeId, name: name, row: $0) }
    }
}

extension ExposureReport {
    /// Adds the fund's row of each scheme in `schemes` that names it, over `loans` (the
    /// schemes' loans; with `bank`, that bank's only), as of the report's date.
    public mutating func addSchemeShares(schemes: [SchemeState], loans: [LoanKey: LoanState], bank: BankId? = nil) throws {
        try addSchemeShares(from: Self.schemeTables(fund: fundId, schemes: schemes, loans: loans, bank: bank, asOf: asOf))
    }

    /// The fund's row of each of `tables` (`schemeTables`) that names it.
    public mutating func addSchemeShares(from tables: [RiskSharingReport]) throws {
        let party = SchemePartyRef(role: .fund, partyId: try SchemePartyId(fundId.value))
        schemeShares = tables.compactMap { $0.share(of: party) }
    }

    /// The risk-sharing table of each scheme in `schemes` that names `fund`, in the order of
    /// their ids, over `loans` (any loans; each table counts its scheme's, with `bank` that
    /// bank's only) as of `asOf`: what a fund's scheme shares are read from.
    public static func schemeTables(
        fund: FundId, schemes: [SchemeState], loans: [LoanKey: LoanState], bank: BankId?, asOf: BusinessDate
    ) throws -> [RiskSharingReport] {
        try schemes.filter { $0.funds.contains(fund) }.sorted { ($0.id?.value ?? "") < ($1.id?.value ?? "") }.map { scheme in
            try RiskSharingReport.compute(
                scheme: scheme, loans: scheme.loanOrder.lazy.filter { bank == nil || $0.bank == bank }.compactMap { loans[$0] }, asOf: asOf)
        }
    }
}
