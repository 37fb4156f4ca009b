/// A subsidy programme's budget, what is committed (approved) and paid, by firm and year —
/// read from the programme's own stream. The year of an interest subsidy is the year whose
/// interest it pays; of an appraisal-fee subsidy, the year it was applied for.
public struct SubsidyReport: Sendable, Hashable {
    public var terms: SubsidyProgrammeEstablished
    public var committedFen: Money
    public var paidFen: Money
    public var remainingFen: Money
    public var pending: Int
    public var rows: [Row]

    public struct Row: Sendable, Hashable {
        public var borrower: Uscc
        public var year: Int
        public var applications = 0
        public var basisFen = Money.zero
        public var entitledFen = Money.zero
        public var approvedFen = Money.zero
        public var paidFen = Money.zero
    }

    public static func compute(_ state: SubsidyState) throws -> SubsidyReport {
        guard let terms = state.terms else { throw DomainError(.notFound, field: "programme_id", "no such subsidy programme") }
        var rows: [String: Row] = [:]
        for application in state.applications where application.status != .rejected {
            let year = application.year ?? application.appliedOn.year
            let key = "\(application.borrower)/\(year)"
            var row = rows[key] ?? Row(borrower: application.borrower, year: year)
            row.applications += 1
            row.basisFen = try row.basisFen + application.basisFen
            row.entitledFen = try row.entitledFen + application.entitlementFen
            row.approvedFen = try row.approvedFen + application.approvedFen
            row.paidFen = try row.paidFen + application.paidFen
            rows[key] = row
        }
        let committed = state.committedFen
        return SubsidyReport(
            terms: terms, committedFen: committed, paidFen: state.paidFen,
            remainingFen: max(.zero, terms.budgetFen.subtracting(saturating: committed)),
            pending: state.applications.filter { $0.status == .applied }.count,
            rows: rows.values.sorted { ($0.year, $0.borrower) < ($1.year, $1.borrower) })
    }

    public var json: JSONValue {
        object([
            ("programme_id", .string(terms.programmeId.value)), ("name", .string(terms.name)), ("kind", .string(terms.kind.rawValue)),
            ("rate_bp", .integer(terms.rateBp.value)), ("cap_fen", .integer(terms.capFen.fen)),
            ("budget_fen", .integer(terms.budgetFen.fen)),
            ("starts_on", .string(terms.startsOn.description)), ("ends_on", .string(terms.endsOn.description)),
            ("committed_fen", .integer(committedFen.fen)), ("paid_fen", .integer(paidFen.fen)),
            ("remaining_fen", .integer(remainingFen.fen)),
            ("pending_applications", .integer(Int64(pending))),
            (
                "rows",
                .array(
                    rows.map { row in
                        object([
                            ("borrower", .string(row.borrower.value)), ("year", .integer(Int64(row.year))),
                            ("applications", .integer(Int64(row.applications))), ("basis_fen", .integer(row.basisFen.fen)),
                            ("entitled_fen", .integer(row.entitledFen.fen)), ("approved_fen", .integer(row.approvedFen.fen)),
                            ("paid_fen", .integer(row.paidFen.fen)),
                        ])
                    })
            ),
        ])
    }

    /// One row per firm and year, then their total (budget and remaining are in the JSON).
    public var csv: String {
        var lines = ["borrower,year,applications,basis_fen,entitled_fen,approved_fen,paid_fen"]
        for row in rows {
            lines.append(
                "\(row.borrower),\(row.year),\(row.applications),\(row.basisFen.fen),\(row.entitledFen.fen),\(row.approvedFen.fen),\(row.paidFen.fen)"
            )
        }
        func sum(_ amount: (Row) -> Money) -> Int64 { rows.reduce(Money.zero) { $0.adding(saturating: amount($1)) }.fen }
        let applications = rows.reduce(0) { $0 + $1.applications }
        lines.append("total,,\(applications),\(sum(\.basisFen)),\(sum(\.entitledFen)),\(sum(\.approvedFen)),\(sum(\.paidFen))")
        return lines.joined(separator: "\n") + "\n"
    }
}
