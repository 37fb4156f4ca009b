import PledgerDomain

/// The loans CSV of `pledger import`, read as loans: one row per pledged asset, rows with
/// the same bank and contract number forming one loan with all their assets.
enum LoanImport {
    /// What a loan is, apart from its collateral; every row of one contract must agree on it.
    struct Terms: Hashable {
        var borrower: Uscc
        var borrowerName: String
        var industry: IndustryCode
        var region: RegionCode
        var techSme: Bool
        var principal: Money
        var rate: Bp
        var originatedOn: BusinessDate
        var maturesOn: BusinessDate
        var fund: FundId?
        var outstanding: Money?
        var outstandingOn: BusinessDate?

        /// Column names and printed values, to say which ones differ.
        var columns: [(String, String)] {
            [("borrower_uscc", borrower.value), ("borrower_name", borrowerName), ("industry", industry.value), ("region", region.value),
             ("tech_sme", String(techSme)), ("principal", principal.description), ("rate_bp", String(rate.value)),
             ("originated_on", originatedOn.description), ("matures_on", maturesOn.description), ("fund_id", fund?.value ?? "(none)"),
             ("outstanding", outstanding?.description ?? "(none)"), ("outstanding_on", outstandingOn?.description ?? "(none)")]
        }
    }

    /// One row: the loan's terms and one pledged asset with its valuation.
    struct Row {
        var line: Int
        var key: LoanKey
        var terms: Terms
        var asset: AssetId
        var assetCommands: [LedgerCommand]
        var pledge: LoanCommand.Pledge

        init(_ csv: StatementFile, _ row: CSV.Row) throws {
            line = row.line
            let bank = try csv.parse(row, "bank_id") { try BankId($0) }!
            key = LoanKey(bank: bank, contract: try csv.parse(row, "contract_no") { try ContractNo($0) }!)
            let uscc = try csv.parse(row, "borrower_uscc") { try Uscc($0) }!
            let techText = try csv.text(row, "tech_sme").lowercased()
            guard ["true", "false", "yes", "no", "1", "0"].contains(techText) else { throw csv.fail(row, "tech_sme", "must be true or false") }
            guard let rate = Int64(try csv.text(row, "rate_bp")) else { throw csv.fail(row, "rate_bp", "must be an integer number of basis points (385 = 3.85%)") }
            let outstanding = try csv.money(row, "outstanding", required: false)
            terms = Terms(
                borrower: uscc, borrowerName: try csv.text(row, "borrower_name"), industry: try csv.parse(row, "industry") { try IndustryCode($0) }!,
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
                    throw DomainError.invalid("asset_kind", "\"\(text)\" is not one of \(AssetKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }!
            let method = try csv.parse(row, "valuation_method") { text -> ValuationMethod in
                guard let method = ValuationMethod(rawValue: text) else { throw DomainError.invalid("valuation_method", "use income, market or cost") }
                return method
            }!
            let valuation = try csv.parse(row, "valuation_id") { try ValuationId($0) }!
            assetCommands = [
                .asset(asset, .register(id: asset, kind: kind, registryNo: try csv.text(row, "registry_no"), title: try csv.text(row, "asset_title"), owner: uscc)),
                .asset(asset, .value(id: valuation, appraiser: try csv.text(row, "appraiser"), method: method, value: try csv.money(row, "value")!,
                                     valuedOn: try csv.date(row, "valued_on"), reportRef: try csv.text(row, "report_ref"))),
            ]
            pledge = .init(asset: asset, valuation: valuation, registrationNo: try csv.text(row, "registration_no"))
        }
    }

    /// One loan and the rows it came from.
    struct Loan {
        var key: LoanKey
        var terms: Terms
        var rows: [Row]

        var line: Int { rows[0].line }
        var lines: String { rows.count == 1 ? "line \(line)" : "lines \(rows.map { String($0.line) }.joined(separator: ", "))" }

        var origination: LoanCommand.Origination {
            LoanCommand.Origination(
                key: key, borrower: terms.borrower, principal: terms.principal, rate: terms.rate, originatedOn: terms.originatedOn,
                maturesOn: terms.maturesOn, collateral: rows.map(\.pledge), fund: terms.fund)
        }

        /// Borrower, assets and valuations, the origination, and the principal repaid so far.
        var commands: [LedgerCommand] {
            get throws {
                var commands: [LedgerCommand] = [
                    .borrower(terms.borrower, .register(uscc: terms.borrower, name: terms.borrowerName, industry: terms.industry,
                                                        region: terms.region, techSme: terms.techSme)),
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
        func matches(_ existing: LoanOriginated) -> Bool {
            existing.borrower == terms.borrower && existing.principalFen == terms.principal
                && existing.originatedOn == terms.originatedOn && existing.maturesOn == terms.maturesOn
                && Set(existing.collateral.map(\.assetId)) == Set(rows.map(\.asset))
        }
    }

    /// Rows grouped into loans, in the order their first rows appear. A row that disagrees
    /// with the first row of its contract, or pledges an asset twice, is a conflict naming
    /// both lines; its loan is left out.
    static func loans(_ rows: [Row], file: String) -> (loans: [Loan], conflicts: [(line: Int, message: String)]) {
        var loans: [Loan] = []
        var index: [LoanKey: Int] = [:]
        var broken = Set<LoanKey>()
        var conflicts: [(line: Int, message: String)] = []
        for row in rows {
            guard let at = index[row.key] else {
                index[row.key] = loans.count
                loans.append(Loan(key: row.key, terms: row.terms, rows: [row]))
                continue
            }
            let first = loans[at].rows[0]
            if row.terms != first.terms {
                let differing = zip(first.terms.columns, row.terms.columns).filter { $0.0.1 != $0.1.1 }
                let detail = differing.map { "\($0.0.0) is \($0.0.1) on line \(first.line) but \($0.1.1) on line \(row.line)" }.joined(separator: "; ")
                conflicts.append((row.line, "\(file): lines \(first.line) and \(row.line): contract \(row.key) — \(detail); all rows of one contract must agree on the loan (one row per pledged asset)"))
                broken.insert(row.key)
            } else if let earlier = loans[at].rows.first(where: { $0.asset == row.asset }) {
                conflicts.append((row.line, "\(file): lines \(earlier.line) and \(row.line): contract \(row.key) pledges asset \(row.asset) twice"))
                broken.insert(row.key)
            } else {
                loans[at].rows.append(row)
            }
        }
        return (loans.filter { !broken.contains($0.key) }, conflicts)
    }
}
