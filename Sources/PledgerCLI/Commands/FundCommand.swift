import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// `pledger fund …`: a fund administrator's acts on the fund and what they show.
struct FundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fund",
        abstract: "Show a fund, record its account's movements, pay its claim queue, amend its policy, suspend or resume enrolments.",
        discussion: """
            Every act checks its input before writing, asks for confirmation when run from a terminal (--yes skips it), is idempotent on its --reference, and prints the fund's balance afterwards. Amounts are in yuan (1,000,000.00); dates YYYY-MM-DD (default: today).

            Examples:
              pledger fund show --fund LC-IPRC
              pledger fund contribute --fund LC-IPRC --amount 3,000,000.00 --contributor province --on 2025-01-15 --reference 辽财指〔2025〕1号
              pledger fund suspend --fund LC-IPRC --on 2025-07-01 --reason "NPL ratio 6.2% above 5%" --reference FA-2025-07
              pledger fund interest --fund LC-IPRC --amount 40,232.90 --on 2025-03-21 --reference 结息2025Q1
              pledger fund pay-queue --fund LC-IPRC --on 2025-04-02 --reference 龙财补〔2025〕5号
              pledger fund movements --fund LC-IPRC --from 2025-01-01
            """,
        subcommands: [
            Show.self, Contribute.self, Interest.self, Charge.self, ReturnContribution.self, Transfer.self, PayQueue.self,
            Amend.self, Suspend.self, Resume.self, Movements.self,
        ])

    /// The fund's state now, and a line with its balance.
    static func state(_ id: FundId, ledger: Ledger) async throws -> FundState {
        var states = AggregateStates()
        try await ledger.commands.load(.fund(id), into: &states)
        guard let fund = states.funds[id], fund.exists else { throw ApplicationError.failure(noFund(id)) }
        return fund
    }

    static func noFund(_ id: FundId) -> String { "no fund \(id); `pledger fund show` lists none until it is established" }

    static func printBalance(_ fund: FundState, after result: AppendResult) {
        print("written at position \(result.lastPosition); balance of \(fund.id.map { $0.value } ?? "the fund") now \(fund.balance) yuan")
    }

    struct FundOption: ParsableArguments {
        @Option(help: ArgumentHelp("The fund's id.", valueName: "id")) var fund: String
        func id() throws -> FundId { try ActInput.id(fund, flag: "--fund") { try FundId($0) } }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The fund's policy in force, suspension, member banks and money.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: "Output: table or json.") var format: OutputFormat = .table

        func run() async throws {
            let id = try fund.id()
            let state = try await connection.withLedger { ledger in try await FundCommand.state(id, ledger: ledger) }
            let totals = state.totals()
            guard let policy = state.currentPolicy else { throw ApplicationError.failure("fund \(id) has no policy") }
            if format == .json {
                var object = JSONObject()
                object.set("fund_id", .string(id.value))
                object.set("name", .string(state.name))
                object.set("balance_fen", .integer(state.balance.fen))
                object.set("contributed_fen", .integer(totals.contributed.fen))
                object.set("paid_out_fen", .integer(totals.paidOut.fen))
                object.set("recoveries_returned_fen", .integer(totals.returned.fen))
                object.set("suspended", .bool(state.isSuspendedNow))
                object.set("suspended_banks", .array(state.suspendedBanks.map { .string($0.value) }))
                object.set("covered_principal_fen", .integer(state.cover.total.coveredPrincipal.fen))
                object.set("non_performing_fen", .integer(state.cover.total.nonPerforming.fen))
                object.set("npl_ratio_bp", state.cover.total.nplRatio.map { .integer($0.value) } ?? .null)
                object.set("queued_fen", .integer(state.queuedFen.fen))
                object.set("account", state.account().json)
                object.set("banks", .array(state.banks.keys.map(\.value).sorted().map(JSONValue.string)))
                object.set("policy", try JSONValueEncoder.encode(policy))
                print(CanonicalJSON.string(.object(object)))
                return
            }
            var table = Table([("", .left), ("", .left)])
            table.add(["fund", "\(id) \(state.name)"])
            table.add(["region", state.region?.value ?? "—"])
            table.add(["established", state.establishedOn?.description ?? "—"])
            table.add(["enrolments", state.isSuspendedNow ? "SUSPENDED (resume with `pledger fund resume`)" : "open"])
            table.add(["member banks", state.banks.keys.map(\.value).sorted().joined(separator: ", ")])
            table.add(["contributed", totals.contributed.description])
            table.add(["paid out", totals.paidOut.description])
            table.add(["recovery shares returned", totals.returned.description])
            table.add(["balance", state.balance.description])
            table.add(["coverage", Percent.text(policy.coverageBp)])
            table.add(["per-loan cap", policy.perLoanCapFen.description])
            table.add(["per-borrower cap", policy.perBorrowerCapFen.description])
            table.add(["max leverage", "\(policy.maxLeverage)×"])
            table.add(["claims after", "\(policy.claimAfterOverdueDays) days overdue"])
            table.add(["NPL suspension at", Percent.text(policy.nplSuspendBp)])
            table.add(["covered principal", state.cover.total.coveredPrincipal.description])
            table.add(["non-performing", "\(state.cover.total.nonPerforming) (NPL \(Percent.text(state.cover.total.nplRatio)))"])
            table.add([
                "room for new cover",
                state.coverLimit(on: BusinessDate(containing: .now())).subtracting(saturating: state.cover.total.coveredPrincipal)
                    .description,
            ])
            if !state.suspendedBanks.isEmpty {
                table.add([
                    "banks suspended",
                    state.suspendedBanks.map(\.value).joined(separator: ", ") + " (resume with `pledger fund resume --bank`)",
                ])
            }
            table.add(["claims queued", "\(state.queue.count), \(state.queuedFen) unpaid (pay with `pledger fund pay-queue`)"])
            print(table.render())
        }
    }

    struct Contribute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record money paid into the fund by a contributor (central, province, city, district, other).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: ArgumentHelp("Amount in yuan, e.g. 3,000,000.00.", valueName: "yuan")) var amount: String
        @Option(help: "Who paid: central, province, city, district or other.") var contributor: Contributor
        @Option(help: ArgumentHelp("Date received (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let money = try ActInput.money(amount, flag: "--amount")
            let date = try ActInput.date(on, flag: "--on")
            let command = LedgerCommand.fund(
                id, .receiveContribution(amount: money, contributor: contributor, receivedOn: date, reference: act.reference))
            let deed = AdministratorAct(
                summary: "Record a contribution of \(money) yuan from the \(contributor.rawValue) to fund \(id), received \(date).",
                command: command,
                fields: [
                    ("fund_id", .string(id.value)), ("amount_fen", .integer(money.fen)), ("contributor", .string(contributor.rawValue)),
                    ("received_on", .string(date.description)),
                ])
            try await FundCommand.perform(deed, fund: id, options: act, connection: connection)
        }
    }

    /// Runs an act on the fund and prints its balance.
    static func perform(_ deed: AdministratorAct, fund id: FundId, options: ActOptions, connection: ConnectionOptions) async throws {
        try await connection.withLedger { ledger in
            let result = try await deed.perform(options, ledger: ledger)
            FundCommand.printBalance(try await FundCommand.state(id, ledger: ledger), after: result)
        }
    }

    /// The options of a plain movement of the fund's account: amount and date.
    struct MovementOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Amount in yuan, e.g. 40,232.90.", valueName: "yuan")) var amount: String
        @Option(help: ArgumentHelp("Date on the bank statement (default: today).", valueName: "date")) var on: String?
        func values() throws -> (Money, BusinessDate) {
            (try ActInput.money(amount, flag: "--amount"), try ActInput.date(on, flag: "--on"))
        }
    }

    struct Interest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record interest the bank credited to the fund's account (结息).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @OptionGroup var movement: MovementOptions
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let (amount, date) = try movement.values()
            try await FundCommand.perform(
                AdministratorAct(
                    summary: "Record interest of \(amount) yuan credited to fund \(id) on \(date).",
                    command: .fund(id, .creditInterest(amount: amount, creditedOn: date, reference: act.reference)),
                    fields: [
                        ("fund_id", .string(id.value)), ("amount_fen", .integer(amount.fen)), ("credited_on", .string(date.description)),
                    ]),
                fund: id, options: act, connection: connection)
        }
    }

    struct Charge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a charge the bank took from the fund's account.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @OptionGroup var movement: MovementOptions
        @Option(help: "What the charge is for (as the statement says).") var description: String
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let (amount, date) = try movement.values()
            let text = try ActInput.text(description, flag: "--description")
            try await FundCommand.perform(
                AdministratorAct(
                    summary: "Record a bank charge of \(amount) yuan (\(text)) on fund \(id)'s account on \(date).",
                    command: .fund(id, .chargeBank(amount: amount, chargedOn: date, reference: act.reference, description: text)),
                    fields: [
                        ("fund_id", .string(id.value)), ("amount_fen", .integer(amount.fen)), ("charged_on", .string(date.description)),
                        ("description", .string(text)),
                    ]),
                fund: id, options: act, connection: connection)
        }
    }

    struct ReturnContribution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "return",
            abstract: "Record money paid back from the fund to a contributor (never more than it put in).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @OptionGroup var movement: MovementOptions
        @Option(help: "Who is paid back: province, city, district or other.") var contributor: Contributor
        @Option(help: "Why (the decision that returns the money).") var reason: String
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let (amount, date) = try movement.values()
            let reason = try ActInput.text(reason, flag: "--reason")
            try await FundCommand.perform(
                AdministratorAct(
                    summary: "Return \(amount) yuan from fund \(id) to the \(contributor.rawValue) on \(date): \(reason).",
                    command: .fund(
                        id,
                        .returnContribution(
                            amount: amount, contributor: contributor, returnedOn: date, reference: act.reference, reason: reason)),
                    fields: [
                        ("fund_id", .string(id.value)), ("amount_fen", .integer(amount.fen)),
                        ("contributor", .string(contributor.rawValue)),
                        ("returned_on", .string(date.description)), ("reason", .string(reason)),
                    ]),
                fund: id, options: act, connection: connection)
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move money from this fund to another one (both sides recorded at once).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: ArgumentHelp("The receiving fund's id.", valueName: "id")) var to: String
        @OptionGroup var movement: MovementOptions
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let destination = try ActInput.id(to, flag: "--to") { try FundId($0) }
            let (amount, date) = try movement.values()
            try await FundCommand.perform(
                AdministratorAct(
                    summary: "Transfer \(amount) yuan from fund \(id) to fund \(destination) on \(date).",
                    command: .fund(id, .transferOut(to: destination, amount: amount, transferredOn: date, reference: act.reference)),
                    fields: [
                        ("fund_id", .string(id.value)), ("to_fund_id", .string(destination.value)), ("amount_fen", .integer(amount.fen)),
                        ("transferred_on", .string(date.description)),
                    ]),
                fund: id, options: act, connection: connection)
        }
    }

    struct PayQueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pay-queue",
            abstract: "Pay approved claims waiting for money, oldest approval first, up to the balance (以余额为限).",
            discussion:
                "Each claim paid gets the payment reference REF/1, REF/2, … in the order paid; the last one may be paid in part and stays queued for the rest. `pledger claims list --status queued` shows the queue."
        )
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: ArgumentHelp("Date the money leaves the account (default: today).", valueName: "date")) var on: String?
        @Option(help: ArgumentHelp("Pay at most this much in yuan (default: what the balance allows).", valueName: "yuan")) var limit:
            String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let date = try ActInput.date(on, flag: "--on")
            let most = try limit.map { try ActInput.money($0, flag: "--limit") }
            try await FundCommand.perform(
                AdministratorAct(
                    summary:
                        "Pay fund \(id)'s queued claims on \(date), oldest approval first\(most.map { ", at most \($0) yuan" } ?? ", up to the balance").",
                    command: .fund(id, .payQueue(on: date, reference: act.reference, limit: most)),
                    fields: [
                        ("fund_id", .string(id.value)), ("paid_on", .string(date.description)),
                        ("limit_fen", most.map { .integer($0.fen) } ?? .null),
                    ]),
                fund: id, options: act, connection: connection)
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Amend the fund's policy from a date on.",
            discussion: """
                The new policy is a JSON file with the policy's fields (the same as the API's `policy` object: coverage_bp, per_loan_cap_fen, per_borrower_cap_fen, max_leverage, claim_after_overdue_days, npl_suspend_bp, eligible_kinds, max_term_months, max_pledge_rate_bp, max_valuation_age_months). Print the one in force with `pledger fund show --format json`.
                """)
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: ArgumentHelp("The new policy, as a JSON file.", valueName: "file")) var policy: String
        @Option(help: ArgumentHelp("Date the amendment takes effect.", valueName: "date")) var effectiveOn: String
        @Option(help: "Why the policy changes (the decision's number and title).") var reason: String
        @Option(
            help: ArgumentHelp(
                "Which loans the new terms reach: new_enrolments (default: loans already enrolled keep theirs) or all_loans.",
                valueName: "scope"))
        var appliesTo: PolicyScope = .newEnrolments
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try fund.id()
            let date = try ActInput.date(effectiveOn, flag: "--effective-on")
            let reason = try ActInput.text(reason, flag: "--reason")
            let text: Data
            do { text = try Data(contentsOf: URL(fileURLWithPath: policy)) } catch {
                throw ApplicationError.badInput("--policy: cannot read \(policy)")
            }
            let parsed: FundPolicy
            do {
                parsed = try EventCoding.decoder.decode(FundPolicy.self, from: text).validated()
            } catch let error as DomainError {
                throw ApplicationError.badInput("\(policy): \(error.field): \(error.message)")
            } catch let error as DecodingError {
                throw ApplicationError.badInput("\(policy): \(EventCoding.describe(error))")
            }
            let deed = AdministratorAct(
                summary:
                    "Amend the policy of fund \(id) from \(date) for \(appliesTo == .newEnrolments ? "loans enrolled from then on" : "all loans, those enrolled earlier included"): coverage \(Percent.text(parsed.coverageBp)), per-loan cap \(parsed.perLoanCapFen), leverage \(parsed.maxLeverage)×.",
                command: .fund(id, .amendPolicy(parsed, effectiveOn: date, reason: reason, appliesTo: appliesTo)),
                fields: [
                    ("fund_id", .string(id.value)), ("policy", try JSONValueEncoder.encode(parsed)),
                    ("effective_on", .string(date.description)), ("reason", .string(reason)), ("applies_to", .string(appliesTo.rawValue)),
                ])
            try await FundCommand.perform(deed, fund: id, options: act, connection: connection)
        }
    }

    /// What suspending and resuming share: the date, an optional bank, the reason.
    struct EnrolmentSwitch: ParsableArguments {
        @Option(help: ArgumentHelp("Date from which it applies (default: today).", valueName: "date")) var on: String?
        @Option(help: ArgumentHelp("Only this bank's enrolments.", valueName: "id")) var bank: String?
        @Option(help: "Why (e.g. the NPL ratio and the threshold, or the decision that lifts the suspension).") var reason: String

        /// Suspends (`open == false`) or resumes enrolments, fund-wide or for one bank.
        func perform(open: Bool, fund: FundId, options: ActOptions, connection: ConnectionOptions) async throws {
            let date = try ActInput.date(on, flag: "--on")
            let reason = try ActInput.text(reason, flag: "--reason")
            let bankId = try bank.map { try ActInput.id($0, flag: "--bank") { try BankId($0) } }
            let command: PledgerDomain.FundCommand =
                switch (open, bankId) {
                case (false, nil): .suspend(on: date, reason: reason)
                case (false, let bank?): .suspendBank(bank, on: date, reason: reason)
                case (true, nil): .resume(on: date, reason: reason)
                case (true, let bank?): .resumeBank(bank, on: date, reason: reason)
                }
            try await FundCommand.perform(
                AdministratorAct(
                    summary:
                        "\(open ? "Resume" : "Suspend new") enrolments in fund \(fund)\(bankId.map { " through bank \($0)" } ?? "") from \(date): \(reason).",
                    command: .fund(fund, command),
                    fields: [
                        ("fund_id", .string(fund.value)), ("bank_id", bankId.map { .string($0.value) } ?? .null),
                        (open ? "resumed_on" : "suspended_on", .string(date.description)), ("reason", .string(reason)),
                    ]),
                fund: fund, options: options, connection: connection)
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop new enrolments in the fund (or through one bank) from a date; claims on enrolled loans go on.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @OptionGroup var change: EnrolmentSwitch
        @OptionGroup var act: ActOptions

        func run() async throws { try await change.perform(open: false, fund: try fund.id(), options: act, connection: connection) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open the fund (or one bank) to new enrolments again.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @OptionGroup var change: EnrolmentSwitch
        @OptionGroup var act: ActOptions

        func run() async throws { try await change.perform(open: true, fund: try fund.id(), options: act, connection: connection) }
    }

    struct Movements: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The fund's money movements with the running balance, as its bank account should show them.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fund: FundOption
        @Option(help: ArgumentHelp("First date (default: the beginning).", valueName: "date")) var from: String?
        @Option(help: ArgumentHelp("Last date (default: today).", valueName: "date")) var to: String?
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let id = try fund.id()
            let first = try from.map { try ActInput.date($0, flag: "--from") }
            let last = try ActInput.date(to, flag: "--to")
            let account = try await connection.withLedger { ledger in try await FundAccountLedger.read(id, ledger: ledger) }
            guard let account else { throw ApplicationError.failure(FundCommand.noFund(id)) }
            var balance = Money.zero
            var rows: [(FundAccountLedger.Movement, Money)] = []
            for movement in account.movements.sorted(by: { $0.date < $1.date }) where movement.date <= last {
                balance = balance.adding(saturating: movement.amount)
                if first.map({ movement.date >= $0 }) ?? true { rows.append((movement, balance)) }
            }
            switch format {
            case .table:
                var table = Table([
                    ("Date", .left), ("Kind", .left), ("Reference", .left), ("In (yuan)", .right), ("Out (yuan)", .right),
                    ("Balance (yuan)", .right),
                ])
                for (movement, balance) in rows {
                    table.add([
                        movement.date.description, movement.kind.description, movement.reference,
                        movement.amount.isNegative ? "" : movement.amount.description,
                        movement.amount.isNegative ? Money(fen: -movement.amount.fen).description : "", balance.description,
                    ])
                }
                print(table.render())
            case .csv:
                print(CSV.line(["date", "kind", "reference", "amount_fen", "balance_fen"]))
                for (movement, balance) in rows {
                    print(
                        CSV.line([
                            movement.date.description, movement.kind.description, movement.reference, String(movement.amount.fen),
                            String(balance.fen),
                        ]))
                }
            case .json:
                print(
                    CanonicalJSON.string(
                        .array(
                            rows.map { movement, balance in
                                var object = JSONObject()
                                object.set("date", .string(movement.date.description))
                                object.set("kind", .string(movement.kind.description))
                                object.set("reference", .string(movement.reference))
                                object.set("amount_fen", .integer(movement.amount.fen))
                                object.set("balance_fen", .integer(balance.fen))
                                return .object(object)
                            })))
            }
        }
    }
}

extension Contributor: ExpressibleByArgument {}
extension PolicyScope: ExpressibleByArgument {}
