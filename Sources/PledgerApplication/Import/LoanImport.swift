import PledgerDomain

/// The loans CSV of `pledger import`, read as loans: one row per pledged asset, rows with
/// the same bank and contract number forming one loan with all their assets.
public enum LoanImport {
    public static let required = [
        "bank_id", "contract_no", "borrower_uscc", "borrower_name", "industry", "region", "tech_sme", "asset_id",
        "asset_kind", "registry_no", "asset_title", "valuation_id", "appraiser", "valuation_method", "value", "valued_on",
        "report_ref", "registration_no", "principal", "rate_bp", "originated_on", "matures_on", "fund_id",
    ]
    public static let optional = ["outstanding", "outstanding_on"]

    /// The column a refusal is about. The rules name the fields of their commands
    /// (`principal_fen`, `owner`, `collateral[0].valuation_id`); the file has its own columns
    /// (`principal`, `borrower_uscc`, `valuation_id`), and the same field can be two columns:
    /// `principal_fen` is `principal` on the loan and `outstanding` on the repayment it implies.
    static func column(for field: String, of command: LedgerCommand) -> String {
        let name = field.split(separator: ".").last.map(String.init) ?? field
        let columns: [String: String]
        switch command {
        case .borrower:
            columns = ["uscc": "borrower_uscc", "name": "borrower_name", "tech_sme": "tech_sme"]
        case .asset(_, .register):
            columns = ["kind": "asset_kind", "title": "asset_title", "owner": "borrower_uscc"]
        case .asset:
            columns = ["method": "valuation_method", "value_fen": "value"]
        case .loan(_, .repay):
            columns = ["principal_fen": "outstanding", "paid_on": "outstanding_on", "interest_fen": "outstanding"]
        default:
            columns = ["borrower": "borrower_uscc", "principal_fen": "principal", "collateral": "asset_id"]
        }
        let column = columns[name] ?? name
        return required.contains(column) || optional.contains(column) ? column : "\(column) (checked against the ledger)"
    }

    /// A row (or a loan of several rows) that cannot be imported; the message names the
    /// file and the line(s).
    public struct Problem: Sendable, Hashable {
        public var line: Int
        public var message: String
    }

    /// What a loan is, apart from its collateral; every row of one contract must agree on it.
    public struct Terms: Sendable, Hashable {
        public var borrower: Uscc
        public var borrowerName: String
        public var industry: IndustryCode
        public var region: RegionCode
        public var techSme: Bool
        public var principal: Money
        public var rate: Bp
        public var originatedOn: BusinessDate
        public var maturesOn: BusinessDate
        public var fund: FundId?
        public var outstanding: Money?
        public var outstandingOn: BusinessDate?

        /// Column names and printed values, to say which ones differ.
        var columns: [(String, String)] {
            [
                ("borrower_uscc", borrower.value), ("borrower_name", borrowerName), ("industry", industry.value), ("region", region.value),
                ("tech_sme", String(techSme)), ("principal", principal.description), ("rate_bp", String(rate.value)),
                ("originated_on", originatedOn.description), ("matures_on", maturesOn.description), ("fund_id", fund?.value ?? "(none)"),
                ("outstanding", outstanding?.description ?? "(none)"), ("outstanding_on", outstandingOn?.description ?? "(none)"),
            ]
        }
    }

    /// One row: the loan's terms and one pledged asset with its valuation.
    public struct Row: Sendable {
        public var line: Int
        public var key: LoanKey
        public var terms: Terms
        public var asset: AssetId
        public var assetCommands: [LedgerCommand]
        public var pledge: LoanCommand.Pledge

        public init(_ csv: SpreadsheetFile, _ row: CSV.Row) throws {
            line = row.line
            let bank = try csv.parse(row, "bank_id") { try BankId($0) }!
            key = LoanKey(bank: bank, contract: try csv.parse(row, "contract_no") { try ContractNo($0) }!)
            let uscc = try csv.parse(row, "borrower_uscc") { try Uscc($0) }!
            let techText = try csv.text(row, "tech_sme").lowercased()
            guard ["true", "false", "yes", "no", "1", "0"].contains(techText) else {
                throw csv.fail(row, "tech_sme", "must be true or false")
            }
            guard let rate = Int64(try csv.text(row, "rate_bp")) else {
                throw csv.fail(row, "rate_bp", "must be an integer number of basis points (385 = 3.85%)")
            }
            let outstanding = try csv.money(row, "outstanding", required: false)
            terms = Terms(
                borrower: uscc, borrowerName: try csv.text(row, "borrower_name"),
                industry: try csv.parse(row, "industry") { try IndustryCode($0) }!,
                region: try csv.parse(row, "region") { try RegionCode($0) }!, techSme: ["true", "yes", "1"].contains(techText),
                principal: try csv.money(row, "principal")!, rate: Bp(rate),
                originatedOn: try csv.date(row, "originated_on"), maturesOn: try csv.date(row, "matures_on"),
                fund: try csv.parse(row, "fund_id", required: false) { try FundId($0) },
                outstanding: outstanding, outstandingOn: outstanding == nil ? nil : try csv.date(row, "outstanding_on"))
            if let outstanding, outstanding > terms.principal || outstanding.isNegative {
                throw csv.fail(row, "outstanding", "must be between 0.00 and the principal")
            }
            asset = try csv.parse(row, "asset_id") { try AssetId($0) }!
            let kind = try csv.parse(row, "asset_kind") { text -> AssetKind in
                guard let kind = AssetKind(rawValue: text) else {
                    throw DomainError.invalid(
                        "asset_kind", "\"\(text)\" is not one of \(AssetKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }!
            let method = try csv.parse(row, "valuation_method") { text -> ValuationMethod in
                guard let method = ValuationMethod(rawValue: text) else {
                    throw DomainError.invalid("valuation_method", "use income, market or cost")
                }
                return method
            }!
            let valuation = try csv.parse(row, "valuation_id") { try ValuationId($0) }!
            assetCommands = [
                .asset(
                    asset,
                    .register(
                        id: asset, kind: kind, registryNo: try csv.text(row, "registry_no"), title: try csv.text(row, "asset_title"),
                        owner: uscc)),
                .asset(
                    asset,
                    .value(
                        id: valuation, appraiser: try csv.text(row, "appraiser"), method: method, value: try csv.money(row, "value")!,
                        valuedOn: try csv.date(row, "valued_on"), reportRef: try csv.text(row, "report_ref"))),
            ]
            pledge = .init(asset: asset, valuation: valuation, registrationNo: try csv.text(row, "registration_no"))
        }
    }

    /// One loan and the rows it came from.
    public struct Loan: Sendable {
        public var key: LoanKey
        public var terms: Terms
        public var rows: [Row]

        public var line: Int { rows[0].line }
        public var lines: String { rows.count == 1 ? "line \(line)" : "lines \(rows.map { String($0.line) }.joined(separator: ", "))" }

        public var origination: LoanCommand.Origination {
            LoanCommand.Origination(
                key: key, borrower: terms.borrower, principal: terms.principal, rate: terms.rate, originatedOn: terms.originatedOn,
                maturesOn: terms.maturesOn, collateral: rows.map(\.pledge), fund: terms.fund)
        }

        /// Borrower, assets and valuations, the origination, and the principal repaid so far.
        public var commands: [LedgerCommand] {
            get throws {
                var commands: [LedgerCommand] = [
                    .borrower(
                        terms.borrower,
                        .register(
                            uscc: terms.borrower, name: terms.borrowerName, industry: terms.industry,
                            region: terms.region, techSme: terms.techSme))
                ]
                for row in rows { commands += row.assetCommands }
                commands.append(.loan(key, .originate(origination)))
                if let outstanding = terms.outstanding, outstanding != terms.principal, let on = terms.outstandingOn {
                    commands.append(.loan(key, .repay(principal: try terms.principal - outstanding, interest: .zero, paidOn: on)))
                }
                return commands
            }
        }

        /// Whether the ledger's loan is this one (a re-run of the same file): same terms
        /// and the same pledged assets.
        public func matches(_ existing: LoanOriginated) -> Bool {
            existing.borrower == terms.borrower && existing.principalFen == terms.principal
                && existing.originatedOn == terms.originatedOn && existing.maturesOn == terms.maturesOn
                && Set(existing.collateral.map(\.assetId)) == Set(rows.map(\.asset))
        }
    }

    /// The file read as loans. Every row is parsed first, a row that does not parse being a
    /// problem on its line; rows of one contract then form one loan with all their pledged
    /// assets. Problems are in line order.
    public static func read(_ file: SpreadsheetFile) throws -> (loans: [Loan], problems: [Problem]) {
        var rows: [Row] = []
        var problems: [Problem] = []
        for row in file.table.rows {
            do {
                rows.append(try Row(file, row))
            } catch let error as ApplicationError {
                problems.append(Problem(line: row.line, message: error.description))
            }
        }
        let grouped = loans(rows, file: file.path)
        return (grouped.loans, (problems + grouped.conflicts).sorted { $0.line < $1.line })
    }

    /// Rows grouped into loans, in the order their first rows appear. A row that disagrees
    /// with the first row of its contract, or pledges an asset twice, is a conflict naming
    /// both lines; its loan is left out.
    static func loans(_ rows: [Row], file: String) -> (loans: [Loan], conflicts: [Problem]) {
        var loans: [Loan] = []
        var index: [LoanKey: Int] = [:]
        var broken = Set<LoanKey>()
        var conflicts: [Problem] = []
        for row in rows {
            guard let at = index[row.key] else {
                index[row.key] = loans.count
                loans.append(Loan(key: row.key, terms: row.terms, rows: [row]))
                continue
            }
            let first = loans[at].rows[0]
            if row.terms != first.terms {
                let differing = zip(first.terms.columns, row.terms.columns).filter { $0.0.1 != $0.1.1 }
                let detail = differing.map { "\($0.0.0) is \($0.0.1) on line \(first.line) but \($0.1.1) on line \(row.line)" }.joined(
                    separator: "; ")
                conflicts.append(
                    Problem(
                        line: row.line,
                        message:
                            "\(file): lines \(first.line) and \(row.line): contract \(row.key) — \(detail); all rows of one contract must agree on the loan (one row per pledged asset)"
                    ))
                broken.insert(row.key)
            } else if let earlier = loans[at].rows.first(where: { $0.asset == row.asset }) {
                conflicts.append(
                    Problem(
                        line: row.line,
                        message: "\(file): lines \(earlier.line) and \(row.line): contract \(row.key) pledges asset \(row.asset) twice"))
                broken.insert(row.key)
            } else {
                loans[at].rows.append(row)
            }
        }
        return (loans.filter { !broken.contains($0.key) }, conflicts)
    }
}
