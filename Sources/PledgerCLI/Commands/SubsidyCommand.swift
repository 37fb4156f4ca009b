import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// `pledger subsidy …`: interest (贴息) and appraisal-fee (评估费补贴) subsidy programmes.
struct SubsidyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subsidy",
        abstract: "Subsidy programmes: establish one, record applications, approve, reject and pay them.",
        discussion: """
            A programme pays a share (--rate) of what firms paid — the interest on their IP pledge loans in a year, or the fee for a valuation of their IP — at most --cap per firm per year (interest) or per valuation (fees), within --budget. The ledger computes each application's entitlement from what it already recorded: the interest of the repayments on the loans the firm cites (reversed ones left out), or the valuation it cites; less what was approved before for that firm and year, or that valuation. An approval beyond the entitlement or the budget left is refused, and so is a payment beyond what was approved. Each act is idempotent on its --reference. `pledger report subsidies --programme ID` shows budget, committed and paid by firm and year.

            Examples:
              pledger subsidy establish --programme TX-2024 --name 知识产权质押贷款贴息 --kind interest --rate 50% --cap 500,000.00 --budget 10,000,000.00 --from 2024-01-01 --to 2025-12-31 --reference 龙财〔2024〕9号
              pledger subsidy apply-interest --programme TX-2024 --borrower 91211303MA0DC00024 --year 2024 --loan LCRCB/LCRCB-2024-00022 --on 2025-01-10 --reference SQ-2025-001
              pledger subsidy approve --programme TX-2024 --application 1 --on 2025-01-20 --reference SP-2025-001
              pledger subsidy pay --programme TX-2024 --application 1 --on 2025-01-25 --reference 贴息拨付-2025-001
            """,
        subcommands: [Establish.self, ApplyInterest.self, ApplyFee.self, Approve.self, Reject.self, Pay.self])

    struct ProgrammeOption: ParsableArguments {
        @Option(help: ArgumentHelp("The programme's id.", valueName: "id")) var programme: String
        func id() throws -> SubsidyProgrammeId { try ActInput.id(programme, flag: "--programme") { try SubsidyProgrammeId($0) } }
    }

    struct ApplicationOption: ParsableArguments {
        @Option(help: ArgumentHelp("The application's number in the programme.", valueName: "n")) var application: Int
        func number() throws -> Int {
            guard application > 0 else { throw ApplicationError.badInput("--application: numbers start at 1") }
            return application
        }
    }

    /// Performs the act and prints the programme's budget line.
    static func perform(_ deed: AdministratorAct, programme: SubsidyProgrammeId, options: ActOptions, connection: ConnectionOptions)
        async throws
    {
        try await connection.withLedger { ledger in
            let result = try await deed.perform(options, ledger: ledger)
            let report = try await ledger.reads.reports.subsidies(programme: programme)
            note(
                "\(result.replayed ? "" : "recorded at position \(result.lastPosition); ")programme \(programme): budget \(report.terms.budgetFen), committed \(report.committedFen), paid \(report.paidFen), left \(report.remainingFen)"
            )
        }
    }

    struct Establish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Establish a subsidy programme.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @Option(help: "The programme's name.") var name: String
        @Option(help: "interest (贴息) or appraisal_fee (评估费补贴).") var kind: SubsidyKind
        @Option(help: ArgumentHelp("Share of what was paid, in percent, e.g. 50%.", valueName: "percent")) var rate: String
        @Option(help: ArgumentHelp("At most this much per firm per year (interest) or per valuation (fees), in yuan.", valueName: "yuan"))
        var cap: String
        @Option(help: ArgumentHelp("The programme's budget in yuan.", valueName: "yuan")) var budget: String
        @Option(help: ArgumentHelp("First day of payments it subsidises.", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("Last day of payments it subsidises.", valueName: "date")) var to: String
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            guard rate.hasSuffix("%"), let share = SchemeCommand.percentBp(String(rate.dropLast())) else {
                throw ApplicationError.badInput("--rate: a percentage with at most two decimals, e.g. 50%")
            }
            let terms = SubsidyProgrammeEstablished(
                programmeId: id, name: try ActInput.text(name, flag: "--name"), kind: kind, rateBp: share,
                capFen: try ActInput.money(cap, flag: "--cap"), budgetFen: try ActInput.money(budget, flag: "--budget"),
                startsOn: try ActInput.date(from, flag: "--from"), endsOn: try ActInput.date(to, flag: "--to"))
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary:
                        "Establish \(kind.rawValue) subsidy programme \(id) (\(terms.name)): \(share.percent), at most \(terms.capFen) \(kind == .interest ? "per firm per year" : "per valuation"), budget \(terms.budgetFen), \(terms.startsOn)–\(terms.endsOn).",
                    command: .subsidy(id, .establish(terms)),
                    fields: [
                        ("programme_id", .string(id.value)), ("kind", .string(kind.rawValue)), ("rate_bp", .integer(share.value)),
                        ("cap_fen", .integer(terms.capFen.fen)), ("budget_fen", .integer(terms.budgetFen.fen)),
                        ("starts_on", .string(terms.startsOn.description)), ("ends_on", .string(terms.endsOn.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }

    struct ApplyInterest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply-interest", abstract: "Record a firm's application for its interest subsidy of one year.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @Option(help: ArgumentHelp("The firm's USCC.", valueName: "uscc")) var borrower: String
        @Option(help: "The year whose interest is subsidised.") var year: Int
        @Option(help: ArgumentHelp("A loan of the firm, BANK/CONTRACT (repeat for each).", valueName: "loan")) var loan: [String]
        @Option(help: ArgumentHelp("Date of the application (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            let firm = try ActInput.id(borrower, flag: "--borrower") { try Uscc($0) }
            let loans = try loan.map { text -> LoanKey in
                let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ApplicationError.badInput("--loan \(text): write BANK/CONTRACT") }
                return LoanKey(
                    bank: try ActInput.id(parts[0], flag: "--loan") { try BankId($0) },
                    contract: try ActInput.id(parts[1], flag: "--loan") { try ContractNo($0) })
            }
            let date = try ActInput.date(on, flag: "--on")
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary:
                        "Record \(firm)'s application for the interest it paid in \(year) on \(loans.map(\.description).joined(separator: ", ")).",
                    command: .subsidy(id, .applyForInterest(borrower: firm, year: year, loans: loans, appliedOn: date)),
                    fields: [
                        ("programme_id", .string(id.value)), ("borrower", .string(firm.value)), ("year", .integer(Int64(year))),
                        ("loans", .array(loans.map { .string($0.description) })), ("applied_on", .string(date.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }

    struct ApplyFee: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply-fee", abstract: "Record a firm's application for the subsidy of a valuation's fee.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @Option(help: ArgumentHelp("The firm's USCC.", valueName: "uscc")) var borrower: String
        @Option(help: ArgumentHelp("The valued asset.", valueName: "id")) var asset: String
        @Option(help: ArgumentHelp("The valuation.", valueName: "id")) var valuation: String
        @Option(help: ArgumentHelp("The fee paid, in yuan.", valueName: "yuan")) var fee: String
        @Option(help: ArgumentHelp("The appraiser's invoice number.", valueName: "no")) var invoice: String
        @Option(help: ArgumentHelp("Date of the application (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            let firm = try ActInput.id(borrower, flag: "--borrower") { try Uscc($0) }
            let assetId = try ActInput.id(asset, flag: "--asset") { try AssetId($0) }
            let valuationId = try ActInput.id(valuation, flag: "--valuation") { try ValuationId($0) }
            let amount = try ActInput.money(fee, flag: "--fee")
            let date = try ActInput.date(on, flag: "--on")
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary:
                        "Record \(firm)'s application for the fee of \(amount) for valuation \(valuationId) of \(assetId) (invoice \(invoice)).",
                    command: .subsidy(
                        id,
                        .applyForAppraisalFee(
                            borrower: firm, asset: assetId, valuation: valuationId, fee: amount, invoiceRef: invoice, appliedOn: date)),
                    fields: [
                        ("programme_id", .string(id.value)), ("borrower", .string(firm.value)), ("asset_id", .string(assetId.value)),
                        ("valuation_id", .string(valuationId.value)), ("fee_fen", .integer(amount.fen)), ("invoice_ref", .string(invoice)),
                        ("applied_on", .string(date.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an application, for its entitlement or less, within the budget left.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @OptionGroup var application: ApplicationOption
        @Option(help: ArgumentHelp("Approve this much in yuan (default: the whole entitlement).", valueName: "yuan")) var amount: String?
        @Option(help: ArgumentHelp("Date of the approval (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            let number = try application.number()
            let money = try amount.map { try ActInput.money($0, flag: "--amount") }
            let date = try ActInput.date(on, flag: "--on")
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary:
                        "Approve application \(number) of programme \(id) for \(money.map { "\($0)" } ?? "its entitlement") on \(date).",
                    command: .subsidy(id, .approve(applicationNo: number, amount: money, approvedOn: date)),
                    fields: [
                        ("programme_id", .string(id.value)), ("application_no", .integer(Int64(number))),
                        ("amount_fen", money.map { .integer($0.fen) } ?? .null), ("approved_on", .string(date.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject an application, with the reason.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @OptionGroup var application: ApplicationOption
        @Option(help: "Why it is rejected.") var reason: String
        @Option(help: ArgumentHelp("Date of the decision (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            let number = try application.number()
            let date = try ActInput.date(on, flag: "--on")
            let why = try ActInput.text(reason, flag: "--reason")
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary: "Reject application \(number) of programme \(id) on \(date): \(why).",
                    command: .subsidy(id, .reject(applicationNo: number, rejectedOn: date, reason: why)),
                    fields: [
                        ("programme_id", .string(id.value)), ("application_no", .integer(Int64(number))), ("reason", .string(why)),
                        ("rejected_on", .string(date.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pay an approved application (all that is unpaid, or --amount).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var programme: ProgrammeOption
        @OptionGroup var application: ApplicationOption
        @Option(help: ArgumentHelp("Pay this much in yuan (default: what is approved and unpaid).", valueName: "yuan")) var amount: String?
        @Option(help: ArgumentHelp("Date paid (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try programme.id()
            let number = try application.number()
            let money = try amount.map { try ActInput.money($0, flag: "--amount") }
            let date = try ActInput.date(on, flag: "--on")
            try await SubsidyCommand.perform(
                AdministratorAct(
                    summary: "Pay \(money.map { "\($0)" } ?? "what is unpaid") on application \(number) of programme \(id) on \(date).",
                    command: .subsidy(id, .pay(applicationNo: number, amount: money, paidOn: date, reference: act.reference)),
                    fields: [
                        ("programme_id", .string(id.value)), ("application_no", .integer(Int64(number))),
                        ("amount_fen", money.map { .integer($0.fen) } ?? .null), ("paid_on", .string(date.description)),
                    ]), programme: id, options: act, connection: connection)
        }
    }
}

extension SubsidyKind: ExpressibleByArgument {}
