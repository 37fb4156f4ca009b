import ArgumentParser
import Foundation
import PledgerDomain
import PledgerStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Onboard existing loans, with their borrowers, assets and valuations, from a CSV.",
        discussion: """
            One row per loan (one pledged asset per row). Columns: bank_id, contract_no, borrower_uscc, borrower_name, industry, region, tech_sme (true/false), asset_id, asset_kind, registry_no, asset_title, valuation_id, appraiser, valuation_method, value (yuan), valued_on, report_ref, registration_no, principal (yuan), rate_bp, originated_on, matures_on, fund_id (may be empty), and optionally outstanding (yuan) with outstanding_on (the principal repaid so far is then recorded on that date). Banks must already be registered. A sample is in deploy/samples/loans.csv.

            Every row is checked against the ledger's rules first. Nothing is written unless all rows are valid — or, with --skip-invalid, the valid rows are written and the rest listed. Re-running the same file writes nothing new (rows already imported are recognised). Exit 0 when all rows are in, 1 when rows were skipped, 2 on bad input.

            Example:
              pledger import loans-2024.csv
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("The loans CSV.", valueName: "file")) var file: String
    @Flag(help: "Write the valid rows and list the invalid ones.") var skipInvalid = false

    static let required = ["bank_id", "contract_no", "borrower_uscc", "borrower_name", "industry", "region", "tech_sme", "asset_id",
                           "asset_kind", "registry_no", "asset_title", "valuation_id", "appraiser", "valuation_method", "value", "valued_on",
                           "report_ref", "registration_no", "principal", "rate_bp", "originated_on", "matures_on", "fund_id"]

    func run() async throws {
        let csv = try StatementFile(path: file, required: Self.required, optional: ["outstanding", "outstanding_on"])
        // Parse every row first; a row that does not parse is reported with its line.
        var parsed: [(line: Int, commands: [LedgerCommand], loan: LoanKey, origination: LoanCommand.Origination)] = []
        var problems: [(line: Int, message: String)] = []
        for row in csv.table.rows {
            do {
                let (commands, key, origination) = try Self.commands(csv, row)
                parsed.append((row.line, commands, key, origination))
            } catch let error as CLIError {
                problems.append((row.line, error.description))
            }
        }
        let outcome = try await connection.withLedger { store in
            try await Self.importRows(parsed, store: store, file: file)
        }
        problems += outcome.refused
        problems.sort { $0.line < $1.line }
        for problem in problems { note(problem.message) }
        if !problems.isEmpty && !skipInvalid {
            throw CLIError.badInput("\(problems.count) of \(csv.table.rows.count) rows are invalid; nothing was written (fix them, or use --skip-invalid)")
        }
        let written = try await connection.withLedger { store in
            try await BatchAppender(store: store).append(outcome.session, meta: try JSONObject([("actor", .string("import")), ("file", .string(URL(fileURLWithPath: file).lastPathComponent))]), atomic: !skipInvalid)
        }
        print("imported \(outcome.imported) loans (\(outcome.session.recorded.count) events\(written.map { ", up to position \($0.lastPosition)" } ?? "")); \(outcome.alreadyThere) already in the ledger; \(problems.count) skipped")
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// Decides every row in one session; a row's commands are all accepted or all dropped.
    static func importRows(_ rows: [(line: Int, commands: [LedgerCommand], loan: LoanKey, origination: LoanCommand.Origination)], store: EventStore, file: String) async throws
        -> (session: LedgerSession, imported: Int, alreadyThere: Int, refused: [(line: Int, message: String)]) {
        let handler = CommandHandler(store: store)
        var session = LedgerSession()
        var imported = 0, alreadyThere = 0
        var refused: [(line: Int, message: String)] = []
        var progress = Progress("checking")
        for (index, row) in rows.enumerated() {
            progress.update(Int64(index), of: Int64(rows.count), unit: "rows")
            for command in row.commands { try await handler.prepare(&session, for: command) }
            if let existing = session.states.loans[row.loan]?.origination {
                let same = existing.borrower == row.origination.borrower && existing.principalFen == row.origination.principal
                    && existing.originatedOn == row.origination.originatedOn && existing.maturesOn == row.origination.maturesOn
                if same { alreadyThere += 1; continue }
                refused.append((row.line, "\(file): line \(row.line): loan \(row.loan) already exists with other terms"))
                continue
            }
            // What the ledger already has (a borrower with several loans, an asset revalued
            // earlier) is not registered again; the rest of the row is all-or-nothing.
            let needed = row.commands.filter { command in
                switch command {
                case .borrower(let uscc, _): session.states.borrowers[uscc]?.exists != true
                case .asset(let id, .register): session.states.assets[id]?.exists != true
                case .asset(let id, .value(let valuation, _, _, _, _, _)): session.states.assets[id]?.valuations[valuation] == nil
                default: true
                }
            }
            do {
                try session.runAll(needed, at: .now())
            } catch let error as DomainError {
                refused.append((row.line, "\(file): line \(row.line), \(error.field): \(error.message)"))
                continue
            }
            imported += 1
        }
        progress.finish()
        return (session, imported, alreadyThere, refused)
    }

    static func commands(_ csv: StatementFile, _ row: CSV.Row) throws -> ([LedgerCommand], LoanKey, LoanCommand.Origination) {
        let bank = try csv.parse(row, "bank_id") { try BankId($0) }!
        let key = LoanKey(bank: bank, contract: try csv.parse(row, "contract_no") { try ContractNo($0) }!)
        let uscc = try csv.parse(row, "borrower_uscc") { try Uscc($0) }!
        let techText = try csv.text(row, "tech_sme").lowercased()
        guard ["true", "false", "yes", "no", "1", "0"].contains(techText) else { throw csv.fail(row, "tech_sme", "must be true or false") }
        let asset = try csv.parse(row, "asset_id") { try AssetId($0) }!
        let kind = try csv.parse(row, "asset_kind") { text -> AssetKind in
            guard let kind = AssetKind(rawValue: text) else { throw DomainError.invalid("asset_kind", "\"\(text)\" is not one of \(AssetKind.allCases.map(\.rawValue).joined(separator: ", "))") }
            return kind
        }!
        let method = try csv.parse(row, "valuation_method") { text -> ValuationMethod in
            guard let method = ValuationMethod(rawValue: text) else { throw DomainError.invalid("valuation_method", "use income, market or cost") }
            return method
        }!
        let valuation = try csv.parse(row, "valuation_id") { try ValuationId($0) }!
        guard let rate = Int64(try csv.text(row, "rate_bp")) else { throw csv.fail(row, "rate_bp", "must be an integer number of basis points (385 = 3.85%)") }
        let origination = LoanCommand.Origination(
            key: key, borrower: uscc, principal: try csv.money(row, "principal")!, rate: Bp(rate),
            originatedOn: try csv.date(row, "originated_on"), maturesOn: try csv.date(row, "matures_on"),
            collateral: [.init(asset: asset, valuation: valuation, registrationNo: try csv.text(row, "registration_no"))],
            fund: try csv.parse(row, "fund_id", required: false) { try FundId($0) })
        var commands: [LedgerCommand] = [
            .borrower(uscc, .register(uscc: uscc, name: try csv.text(row, "borrower_name"), industry: try csv.parse(row, "industry") { try IndustryCode($0) }!,
                                      region: try csv.parse(row, "region") { try RegionCode($0) }!, techSme: ["true", "yes", "1"].contains(techText))),
            .asset(asset, .register(id: asset, kind: kind, registryNo: try csv.text(row, "registry_no"), title: try csv.text(row, "asset_title"), owner: uscc)),
            .asset(asset, .value(id: valuation, appraiser: try csv.text(row, "appraiser"), method: method, value: try csv.money(row, "value")!,
                                 valuedOn: try csv.date(row, "valued_on"), reportRef: try csv.text(row, "report_ref"))),
            .loan(key, .originate(origination)),
        ]
        if let outstanding = try csv.money(row, "outstanding", required: false), outstanding != origination.principal {
            guard outstanding < origination.principal, !outstanding.isNegative else {
                throw csv.fail(row, "outstanding", "must be between 0.00 and the principal")
            }
            commands.append(.loan(key, .repay(principal: try origination.principal - outstanding, interest: .zero, paidOn: try csv.date(row, "outstanding_on"))))
        }
        return (commands, key, origination)
    }
}
