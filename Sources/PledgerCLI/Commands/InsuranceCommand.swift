import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// `pledger insurance …`: pledge-insurance policies (质押保险), the premium subsidies a fund
/// pays on them, and an insurer's book.
struct InsuranceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insurance",
        abstract: "Record pledge-insurance policies and premium subsidies; show an insurer's policies.",
        discussion: """
            A policy insures a loan enrolled under a risk-sharing scheme that names the insurer as a party; the fund office records it from the insurer's list. The policy's sum insured caps the insurer's share of the loan's loss, and a default outside the policy's period is not covered (the bank bears that share, as it bears any share a cap holds back). The insurer's payments are recorded with `pledger scheme settle --party insurer:ID` (or by the insurer through the API); they appear on its book, which `pledger reconcile bordereau` compares with the insurer's own list.

            Examples:
              pledger insurance issue --insurer PICC-LC --policy PICC-2024-0031 --bank LCRCB --contract LC-2024-0001 --sum-insured 1,000,000.00 --premium 30,000.00 --starts-on 2024-03-01 --ends-on 2025-02-28 --on 2024-03-01 --reference 保单录入-0031
              pledger insurance cancel --insurer PICC-LC --bank LCRCB --contract LC-2024-0001 --on 2024-03-05 --reason "录入错误：保单号有误" --reference 更正-0031
              pledger insurance subsidise-premium --insurer PICC-LC --policy PICC-2024-0031 --fund LC-IPRC --amount 15,000.00 --on 2024-04-01 --reference 保费补贴〔2024〕3号
              pledger insurance policies --insurer PICC-LC --as-of 2025-12-31
            """,
        subcommands: [Issue.self, Cancel.self, SubsidisePremium.self, Policies.self])

    struct PolicyOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The insurer's id (as in its schemes).", valueName: "id")) var insurer: String
        @Option(help: ArgumentHelp("The policy number.", valueName: "no")) var policy: String

        func ids() throws -> (InsurerId, PolicyNo) {
            (
                try ActInput.id(insurer, flag: "--insurer") { try InsurerId($0) },
                try ActInput.id(policy, flag: "--policy") { try PolicyNo($0) }
            )
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a pledge-insurance policy on a loan under a scheme.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var loan: ClaimsCommand.LoanOptions
        @Option(help: ArgumentHelp("Sum insured in yuan.", valueName: "yuan")) var sumInsured: String
        @Option(help: ArgumentHelp("Premium in yuan.", valueName: "yuan")) var premium: String
        @Option(help: ArgumentHelp("First day of cover.", valueName: "date")) var startsOn: String
        @Option(help: ArgumentHelp("Last day of cover.", valueName: "date")) var endsOn: String
        @Option(help: ArgumentHelp("Date the policy is recorded (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let (insurer, number) = try policy.ids()
            let key = try loan.key()
            let terms = LoanCommand.PolicyTerms(
                insurer: insurer, policyNo: number, sumInsured: try ActInput.money(sumInsured, flag: "--sum-insured"),
                premium: try ActInput.money(premium, flag: "--premium"), startsOn: try ActInput.date(startsOn, flag: "--starts-on"),
                endsOn: try ActInput.date(endsOn, flag: "--ends-on"), issuedOn: try ActInput.date(on, flag: "--on"))
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary:
                        "Record policy \(number) of \(insurer) on loan \(key): sum insured \(terms.sumInsured), premium \(terms.premium), \(terms.startsOn)–\(terms.endsOn).",
                    command: .loan(key, .insure(terms)),
                    fields: [
                        ("loan", .string(key.description)), ("insurer_id", .string(insurer.value)), ("policy_no", .string(number.value)),
                        ("sum_insured_fen", .integer(terms.sumInsured.fen)), ("premium_fen", .integer(terms.premium.fen)),
                        ("starts_on", .string(terms.startsOn.description)), ("ends_on", .string(terms.endsOn.description)),
                        ("issued_on", .string(terms.issuedOn.description)),
                    ]), options: act, connection: connection)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a policy recorded in error (before the loan's loss is shared): it never was.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("The insurer's id.", valueName: "id")) var insurer: String
        @OptionGroup var loan: ClaimsCommand.LoanOptions
        @Option(help: ArgumentHelp("Date of the cancellation (default: today).", valueName: "date")) var on: String?
        @Option(help: "Why the policy was wrong.") var reason: String
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try ActInput.id(insurer, flag: "--insurer") { try InsurerId($0) }
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            let why = try ActInput.text(reason, flag: "--reason")
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary: "Cancel \(id)'s policy on loan \(key) on \(date): \(why).",
                    command: .loan(key, .cancelPolicy(insurer: id, cancelledOn: date, reason: why)),
                    fields: [
                        ("loan", .string(key.description)), ("insurer_id", .string(id.value)), ("cancelled_on", .string(date.description)),
                        ("reason", .string(why)),
                    ]), options: act, connection: connection)
        }
    }

    struct SubsidisePremium: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "subsidise-premium",
            abstract: "Pay part of a policy's premium to the insured firm from a fund's balance.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var policy: PolicyOptions
        @Option(help: ArgumentHelp("The paying fund.", valueName: "id")) var fund: String
        @Option(help: ArgumentHelp("Amount in yuan (default: all of the premium not yet subsidised).", valueName: "yuan")) var amount:
            String?
        @Option(help: ArgumentHelp("Date paid (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let (insurer, number) = try policy.ids()
            let fundId = try ActInput.id(fund, flag: "--fund") { try FundId($0) }
            let money = try amount.map { try ActInput.money($0, flag: "--amount") }
            let date = try ActInput.date(on, flag: "--on")
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary:
                        "Pay \(money.map { "\($0) yuan" } ?? "the premium not yet subsidised") of policy \(number) (\(insurer)) to the insured firm from fund \(fundId) on \(date).",
                    command: .insurer(
                        insurer, .subsidisePremium(policyNo: number, fund: fundId, amount: money, paidOn: date, reference: act.reference)),
                    fields: [
                        ("insurer_id", .string(insurer.value)), ("policy_no", .string(number.value)), ("fund_id", .string(fundId.value)),
                        ("amount_fen", money.map { .integer($0.fen) } ?? .null), ("paid_on", .string(date.description)),
                    ]), options: act, connection: connection)
        }
    }

    struct Policies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An insurer's policies: terms, premium subsidised, where each stands and the claims paid.",
            discussion: """
                Status: before a default, not_started, in_force or expired on the date; once the loan has defaulted, not_covered when the default fell outside the policy's period (the insurer's share is nothing), else claim_open until the insurer has paid its share of the shared loss, then claim_settled; cancelled: recorded in error.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("The insurer's id.", valueName: "id")) var insurer: String
        @Option(help: ArgumentHelp("As of this date (default: today).", valueName: "date")) var asOf: String?
        @Option(help: "Output: table, csv or json (default: table).") var format: OutputFormat?

        func run() async throws {
            let id = try ActInput.id(insurer, flag: "--insurer") { try InsurerId($0) }
            let date = try asOf.map { try ActInput.date($0, flag: "--as-of") }
            let positions = try await connection.withLedger { ledger in try await ledger.reads.reports.policies(of: id, asOf: date) }
            guard let positions else { throw ApplicationError.failure("the ledger has no policies of insurer \(id)") }
            switch format ?? .table {
            case .json: print(CanonicalJSON.string(.array(positions.map(\.json))))
            case .csv:
                let keys = [
                    "policy_no", "bank_id", "contract_no", "insured", "scheme_id", "sum_insured_fen", "premium_fen",
                    "premium_subsidised_fen",
                    "cover_share_bp", "starts_on", "ends_on", "status", "share_due_fen", "claims_paid_fen",
                ]
                print(keys.joined(separator: ","))
                for position in positions {
                    guard case .object(let object) = position.json else { continue }
                    print(keys.map { CSV.field(object[$0].map(Self.plain) ?? "") }.joined(separator: ","))
                }
            case .table:
                var table = Table([
                    ("Policy", .left), ("Loan", .left), ("Insured", .left), ("Sum insured", .right), ("Premium", .right),
                    ("Subsidised", .right), ("Cover", .left), ("Status", .left), ("Share due", .right), ("Claims paid", .right),
                ])
                for p in positions {
                    let issued = p.policy.issued
                    table.add([
                        issued.policyNo.value, p.loan.description, issued.insured.value, Human.yuan(issued.sumInsuredFen),
                        Human.yuan(issued.premiumFen), Human.yuan(p.policy.subsidisedFen),
                        "\(issued.startsOn)–\(issued.endsOn) \(issued.coverShareBp.percent)", p.status.rawValue,
                        p.shareDueFen.map(Human.yuan) ?? "—", Human.yuan(p.claimsPaid),
                    ])
                }
                print("policies of \(id)\(date.map { " as of \($0)" } ?? ""): \(positions.count)")
                print(table.render())
            }
        }

        static func plain(_ value: JSONValue) -> String {
            switch value {
            case .string(let text): text
            case .integer(let number): String(number)
            case .null: ""
            default: CanonicalJSON.string(value)
            }
        }
    }
}
