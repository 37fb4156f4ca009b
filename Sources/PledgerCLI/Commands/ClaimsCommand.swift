import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// `pledger claims …`: the fund administrator's decisions on compensation claims.
struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "List compensation claims; approve, reject, pay or withdraw them.",
        discussion: """
            Banks file claims through the API; the fund administrator decides and pays them here. Each act checks its input before writing, asks for confirmation on a terminal (--yes skips it), is idempotent on its --reference and prints the fund's balance afterwards.

            Examples:
              pledger claims list --fund LC-IPRC --status filed
              pledger claims approve --bank LCRCB --contract LCRCB-2023-00010 --amount 1,000,000.00 --on 2025-06-10 --reference 龙财补〔2025〕3号
              pledger claims pay --bank LCRCB --contract LCRCB-2023-00010 --on 2025-06-20 --reference PAY-2025-0620-01
            """,
        subcommands: [List.self, Approve.self, Reject.self, Pay.self, Withdraw.self])

    struct LoanOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The lending bank's id.", valueName: "id")) var bank: String
        @Option(help: ArgumentHelp("The bank's contract number.", valueName: "no")) var contract: String

        func key() throws -> LoanKey {
            LoanKey(
                bank: try ActInput.id(bank, flag: "--bank") { try BankId($0) },
                contract: try ActInput.id(contract, flag: "--contract") { try ContractNo($0) })
        }
    }

    /// One decision on a loan's claim: loads the loan (which must exist and be enrolled),
    /// lets `deed` build the act from its state and fund, performs it and prints the
    /// fund's balance.
    static func act(
        on key: LoanKey, options: ActOptions, connection: ConnectionOptions,
        _ deed: @escaping (LoanState, FundId) throws -> AdministratorAct
    ) async throws {
        try await connection.withLedger { ledger in
            var states = AggregateStates()
            try await ledger.commands.load(.loan(key), into: &states)
            guard let loan = states.loans[key], let origination = loan.origination else { throw ApplicationError.failure("no loan \(key)") }
            guard let fund = origination.fundId else {
                throw ApplicationError.failure("loan \(key) is not enrolled in a fund; it has no claims")
            }
            let result = try await deed(loan, fund).perform(options, ledger: ledger)
            FundCommand.printBalance(try await FundCommand.state(fund, ledger: ledger), after: result)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claims awaiting a decision (filed), payment (approved) or the rest of their payment (queued).",
            discussion:
                "Filed claims come from the read models (brought up to date first), by bank and contract; approved and queued ones from each fund's queue, in the order they will be paid (oldest approval first)."
        )
        enum Status: String, ExpressibleByArgument, CaseIterable { case filed, approved, queued }
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Only this fund's claims.", valueName: "id")) var fund: String?
        @Option(help: "Only claims in this state: filed, approved (nothing paid yet) or queued (paid in part).") var status: Status?
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        struct Row {
            var loan: LoanKey, borrower: Uscc, fund: FundId, status: Status, amount: Money, paid: Money, since: BusinessDate?
        }

        func run() async throws {
            let fundId = try fund.map { try ActInput.id($0, flag: "--fund") { try FundId($0) } }
            let rows: [Row] = try await connection.withLedger { ledger in
                _ = try await ledger.projector.catchUp()
                let established = try await ledger.reads.readModels.funds(after: nil, limit: .max).map { try FundId($0.fundId) }
                if let fundId, !established.contains(fundId) { throw ApplicationError.failure(FundCommand.noFund(fundId)) }
                var rows: [Row] = []
                if status == nil || status == .filed {
                    rows = try await ledger.reads.readModels.defaultedOrWrittenOff(fund: fundId)
                        .filter { $0.pendingClaimFen.isPositive && !$0.pendingClaimApproved }
                        .compactMap { s in
                            s.fundId.map {
                                Row(
                                    loan: s.key, borrower: s.borrower, fund: $0, status: .filed, amount: s.pendingClaimFen, paid: .zero,
                                    since: nil)
                            }
                        }
                }
                guard status != .filed else { return rows }
                for id in fundId.map({ [$0] }) ?? established.sorted(by: { $0.value < $1.value }) {
                    for claim in try await FundCommand.state(id, ledger: ledger).queue {
                        rows.append(
                            Row(
                                loan: claim.loan, borrower: claim.borrower, fund: id, status: claim.paid.isPositive ? .queued : .approved,
                                amount: claim.approved, paid: claim.paid, since: claim.approvedOn))
                    }
                }
                return rows.filter { status == nil || $0.status == status }
            }
            let columns = [
                "bank_id", "contract_no", "borrower", "fund_id", "status", "amount_fen", "paid_fen", "unpaid_fen", "approved_on",
            ]
            let cells: [[String]] = rows.map { row in
                [
                    row.loan.bank.value, row.loan.contract.value, row.borrower.value, row.fund.value, row.status.rawValue,
                    String(row.amount.fen),
                    String(row.paid.fen), String(row.amount.subtracting(saturating: row.paid).fen), row.since?.description ?? "",
                ]
            }
            switch format {
            case .csv:
                print(CSV.line(columns))
                for row in cells { print(CSV.line(row)) }
            case .json:
                print(
                    CanonicalJSON.string(
                        .array(
                            cells.map { row in
                                var object = JSONObject()
                                for (column, cell) in zip(columns, row) {
                                    object.set(
                                        column, column.hasSuffix("_fen") ? .integer(Int64(cell)!) : cell.isEmpty ? .null : .string(cell))
                                }
                                return .object(object)
                            })))
            case .table:
                var table = Table([
                    ("Bank", .left), ("Contract", .left), ("Borrower", .left), ("Fund", .left), ("Status", .left),
                    ("Claim (yuan)", .right), ("Paid (yuan)", .right), ("Unpaid (yuan)", .right), ("Approved", .left),
                ])
                for row in rows {
                    table.add([
                        row.loan.bank.value, row.loan.contract.value, row.borrower.value, row.fund.value, row.status.rawValue,
                        row.amount.description,
                        row.paid.description, row.amount.subtracting(saturating: row.paid).description, row.since?.description ?? "",
                    ])
                }
                print(table.render())
                print("\(rows.count) claim(s)")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a filed claim, in full or for less.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: LoanOptions
        @Option(help: ArgumentHelp("Amount approved in yuan (default: the amount claimed).", valueName: "yuan")) var amount: String?
        @Option(help: ArgumentHelp("Date of the decision (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            let given = try amount.map { try ActInput.money($0, flag: "--amount") }
            try await ClaimsCommand.act(on: key, options: act, connection: connection) { state, _ in
                guard let claim = state.openClaim, claim.status == .filed else {
                    throw ApplicationError.failure("loan \(key) has no claim awaiting a decision")
                }
                let approved = given ?? claim.amount
                return AdministratorAct(
                    summary:
                        "Approve claim \(claim.number) of loan \(key) for \(approved) yuan (claimed \(claim.amount)), decided \(date).",
                    command: .loan(key, .approveClaim(amount: approved, approvedOn: date)),
                    fields: [
                        ("loan", .string(key.description)), ("decision", .string("approve")), ("amount_fen", .integer(approved.fen)),
                        ("decided_on", .string(date.description)),
                    ])
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a filed claim with the reason (the bank may claim again).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: LoanOptions
        @Option(help: "Why the claim is rejected.") var reason: String
        @Option(help: ArgumentHelp("Date of the decision (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            let reason = try ActInput.text(reason, flag: "--reason")
            try await ClaimsCommand.act(on: key, options: act, connection: connection) { _, _ in
                AdministratorAct(
                    summary: "Reject the claim on loan \(key), decided \(date): \(reason).",
                    command: .loan(key, .rejectClaim(rejectedOn: date, reason: reason)),
                    fields: [
                        ("loan", .string(key.description)), ("decision", .string("reject")), ("reason", .string(reason)),
                        ("decided_on", .string(date.description)),
                    ])
            }
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay an approved claim from the fund's account.",
            discussion:
                "The --reference is recorded as the payment reference; `pledger reconcile fund-account` matches it against the bank statement."
        )
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: LoanOptions
        @Option(help: ArgumentHelp("Date the money left the fund's account (default: today).", valueName: "date")) var on: String?
        @Option(help: ArgumentHelp("Pay only this much in yuan (default: what is unpaid, up to the balance).", valueName: "yuan"))
        var amount: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            let part = try amount.map { try ActInput.money($0, flag: "--amount") }
            let reference = act.reference
            try await ClaimsCommand.act(on: key, options: act, connection: connection) { state, fund in
                guard let claim = state.openClaim, claim.status == .approved else {
                    throw ApplicationError.failure("loan \(key) has no approved claim to pay")
                }
                return AdministratorAct(
                    summary:
                        "Pay claim \(claim.number) of loan \(key) from fund \(fund) on \(date): \(part.map { "\($0) yuan" } ?? "the \(claim.unpaid) yuan unpaid, up to the balance (the rest stays queued)").",
                    command: .loan(key, .payClaim(paidOn: date, paymentRef: reference, amount: part)),
                    fields: [
                        ("loan", .string(key.description)), ("paid_on", .string(date.description)),
                        ("amount_fen", part.map { .integer($0.fen) } ?? .null),
                    ])
            }
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a filed claim, or the unpaid rest of an approved one (what was paid stays paid).",
            discussion:
                "Releases what the fund had committed for the unpaid part; the loan may then be written off, or claim again if nothing was paid."
        )
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: LoanOptions
        @Option(help: "Why the claim is withdrawn.") var reason: String
        @Option(help: ArgumentHelp("Date of the withdrawal (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            let reason = try ActInput.text(reason, flag: "--reason")
            try await ClaimsCommand.act(on: key, options: act, connection: connection) { _, _ in
                AdministratorAct(
                    summary: "Withdraw the open claim of loan \(key) on \(date): \(reason).",
                    command: .loan(key, .withdrawClaim(withdrawnOn: date, reason: reason)),
                    fields: [("loan", .string(key.description)), ("withdrawn_on", .string(date.description)), ("reason", .string(reason))])
            }
        }
    }
}
