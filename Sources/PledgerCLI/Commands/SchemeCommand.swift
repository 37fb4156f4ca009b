import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// `pledger scheme …`: risk-sharing schemes and the administrator's acts on a loan's loss.
struct SchemeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheme",
        abstract: "Agree, revise and show risk-sharing schemes; share a defaulted loan's loss and record each party's settlement.",
        discussion: """
            A scheme says who bears what part of a defaulted loan's loss: public funds at any level, the lending bank, an insurer, a guarantor, an appraiser. Each party is ROLE[:ID]=SHARE[@CAP]: the share in percent (they add up to 100%), and for any party but the bank an optional cap per loan in yuan. The bank takes what the others do not: its own share, every share's rounding to the fen (shares round down) and whatever a cap holds back.

            Banks enrol their loans under a scheme and share recoveries through the API; the fund administrator shares a defaulted loan's loss and records what each party paid here. `pledger report risk-sharing --scheme ID` is the table for the province.

            Examples:
              pledger scheme agree --scheme ZS --name 中山模式 --party fund:LC-IPRC=54% --party insurer:PICC=26% --party bank=16% --party appraiser:LNPG=4% --effective-on 2024-01-01 --reference 龙财〔2024〕7号
              pledger scheme agree --scheme LN-40-20 --name 省市分层 --party fund:LN-PROV=40%@1,500,000.00 --party fund:JZ-CITY=20%@1,000,000.00 --party bank=40% --effective-on 2024-01-01 --reference 辽财〔2024〕2号
              pledger scheme show --scheme ZS
              pledger scheme share-loss --bank LCRCB --contract LC-2024-0001 --on 2024-10-08 --reference FS-2024-11
              pledger scheme settle --bank LCRCB --contract LC-2024-0001 --party insurer:PICC --on 2024-12-02 --reference PICC-CLM-88
            """,
        subcommands: [Agree.self, Revise.self, Show.self, ShareLoss.self, Settle.self])

    struct SchemeOption: ParsableArguments {
        @Option(help: ArgumentHelp("The scheme's id.", valueName: "id")) var scheme: String
        func id() throws -> SchemeId { try ActInput.id(scheme, flag: "--scheme") { try SchemeId($0) } }
    }

    /// `ROLE[:ID]=SHARE%[@CAP]`, e.g. `fund:LN-PROV=40%@1,500,000.00` or `bank=16%`.
    static func party(_ text: String) throws -> SchemeParty {
        let flag = "--party \(text)"
        guard let equals = text.firstIndex(of: "=") else {
            throw ApplicationError.badInput("\(flag): write ROLE[:ID]=SHARE%[@CAP], e.g. insurer:PICC=26% or bank=16%")
        }
        let who = text[..<equals].split(separator: ":", maxSplits: 1).map(String.init)
        guard let roleText = who.first, let role = SchemePartyRole(rawValue: roleText) else {
            throw ApplicationError.badInput("\(flag): the role must be one of \(SchemePartyRole.allowedValues)")
        }
        let id = try who.dropFirst().first.map { value in try ActInput.id(value, flag: flag) { try SchemePartyId($0) } }
        let terms = text[text.index(after: equals)...].split(separator: "@", maxSplits: 1).map(String.init)
        guard let shareText = terms.first, shareText.hasSuffix("%"), let share = percentBp(String(shareText.dropLast())) else {
            throw ApplicationError.badInput("\(flag): the share is a percentage with at most two decimals, e.g. 26% or 12.5%")
        }
        let cap = try terms.dropFirst().first.map { try ActInput.money($0, flag: flag) }
        return SchemeParty(role: role, partyId: id, shareBp: share, capFen: cap)
    }

    static func percentBp(_ text: String) -> Bp? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let whole = Int64(parts[0]), whole >= 0, whole <= 100, parts[0].allSatisfy(\.isASCII) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let digits = Int64(parts[1]), parts[1].allSatisfy(\.isNumber) else { return nil }
            fraction = parts[1].count == 1 ? digits * 10 : digits
        }
        return Bp(whole * 100 + fraction)
    }

    static func fields(_ parties: [SchemeParty]) -> JSONValue {
        .array(
            parties.map { p in
                .object(
                    try! JSONObject([
                        ("role", .string(p.role.rawValue)), ("party_id", p.partyId.map { .string($0.value) } ?? .null),
                        ("share_bp", .integer(p.shareBp.value)), ("cap_fen", p.capFen.map { .integer($0.fen) } ?? .null),
                    ]))
            })
    }

    static func describe(_ parties: [SchemeParty]) -> String {
        parties.map { "\($0.ref) \($0.shareBp.percent)\($0.capFen.map { " (cap \($0))" } ?? "")" }.joined(separator: ", ")
    }

    static func perform(_ deed: AdministratorAct, options: ActOptions, connection: ConnectionOptions) async throws {
        try await connection.withLedger { ledger in
            let result = try await deed.perform(options, ledger: ledger)
            if !result.replayed { note("recorded at position \(result.lastPosition)") }
        }
    }

    struct Agree: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Agree a new scheme (its version 1).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var scheme: SchemeOption
        @Option(help: "The scheme's name.") var name: String
        @Option(help: ArgumentHelp("A party: ROLE[:ID]=SHARE%[@CAP] (repeat for each).", valueName: "party")) var party: [String]
        @Option(help: ArgumentHelp("Date the scheme takes effect (default: today).", valueName: "date")) var effectiveOn: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try scheme.id()
            let parties = try party.map(SchemeCommand.party)
            let date = try ActInput.date(effectiveOn, flag: "--effective-on")
            let title = try ActInput.text(name, flag: "--name")
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary: "Agree scheme \(id) (\(title)) from \(date): \(SchemeCommand.describe(parties)).",
                    command: .scheme(id, .agree(id: id, name: title, parties: parties, effectiveOn: date)),
                    fields: [
                        ("scheme_id", .string(id.value)), ("name", .string(title)), ("parties", SchemeCommand.fields(parties)),
                        ("effective_on", .string(date.description)),
                    ]), options: act, connection: connection)
        }
    }

    struct Revise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A new version of a scheme's parties, for loans enrolled from its date (earlier loans keep theirs).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var scheme: SchemeOption
        @Option(help: ArgumentHelp("A party: ROLE[:ID]=SHARE%[@CAP] (repeat for each).", valueName: "party")) var party: [String]
        @Option(help: ArgumentHelp("Date the version takes effect (default: today).", valueName: "date")) var effectiveOn: String?
        @Option(help: "Why the scheme changes.") var reason: String
        @OptionGroup var act: ActOptions

        func run() async throws {
            let id = try scheme.id()
            let parties = try party.map(SchemeCommand.party)
            let date = try ActInput.date(effectiveOn, flag: "--effective-on")
            let why = try ActInput.text(reason, flag: "--reason")
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary: "Revise scheme \(id) from \(date): \(SchemeCommand.describe(parties)).",
                    command: .scheme(id, .revise(parties: parties, effectiveOn: date, reason: why)),
                    fields: [
                        ("scheme_id", .string(id.value)), ("parties", SchemeCommand.fields(parties)),
                        ("effective_on", .string(date.description)), ("reason", .string(why)),
                    ]), options: act, connection: connection)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A scheme's versions, parties and shares.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var scheme: SchemeOption

        func run() async throws {
            let id = try scheme.id()
            let state = try await connection.withLedger { ledger in try await ledger.log.state(of: .scheme(id)).schemes[id] }
            guard let state, state.exists else { throw ApplicationError.failure("no scheme \(id)") }
            print("\(state.name) (\(id)): \(state.loans.count) loans enrolled")
            print(SchemeCommand.versions(state.versions))
        }
    }

    static func versions(_ versions: [SchemeState.Version]) -> String {
        var table = Table([("Version", .right), ("From", .left), ("Party", .left), ("Share", .right), ("Cap per loan", .right)])
        for version in versions {
            for (index, party) in version.parties.enumerated() {
                table.add([
                    index == 0 ? String(version.number) : "", index == 0 ? version.effectiveOn.description : "", party.ref.description,
                    party.shareBp.percent, party.capFen.map(Human.yuan) ?? (party.role == .bank ? "the rest" : "—"),
                ])
            }
        }
        return table.render()
    }

    struct ShareLoss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "share-loss",
            abstract: "Split a defaulted loan's loss (its outstanding principal at default) among its scheme's parties.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: ClaimsCommand.LoanOptions
        @Option(help: ArgumentHelp("Date of the split (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let date = try ActInput.date(on, flag: "--on")
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary: "Share the loss of loan \(key) among its scheme's parties on \(date).",
                    command: .loan(key, .shareLoss(sharedOn: date)),
                    fields: [("loan", .string(key.description)), ("shared_on", .string(date.description))]),
                options: act, connection: connection)
        }
    }

    struct Settle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a party's payment of its share of a loan's loss (a fund pays from its balance, after its waiting period).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var loan: ClaimsCommand.LoanOptions
        @Option(help: ArgumentHelp("The paying party: ROLE:ID, e.g. insurer:PICC or fund:LC-IPRC.", valueName: "party")) var party: String
        @Option(help: ArgumentHelp("Amount in yuan (default: what the party still owes).", valueName: "yuan")) var amount: String?
        @Option(help: ArgumentHelp("Date paid (default: today).", valueName: "date")) var on: String?
        @OptionGroup var act: ActOptions

        func run() async throws {
            let key = try loan.key()
            let parts = party.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = SchemePartyRole(rawValue: parts[0]), role != .bank else {
                throw ApplicationError.badInput("--party: write ROLE:ID with a role among fund, insurer, guarantor, appraiser")
            }
            let id = try ActInput.id(parts[1], flag: "--party") { try SchemePartyId($0) }
            let money = try amount.map { try ActInput.money($0, flag: "--amount") }
            let date = try ActInput.date(on, flag: "--on")
            let ref = SchemePartyRef(role: role, partyId: id)
            try await SchemeCommand.perform(
                AdministratorAct(
                    summary:
                        "Record \(ref)'s payment of \(money.map { "\($0) yuan" } ?? "what it still owes") of its share of loan \(key)'s loss on \(date).",
                    command: .loan(key, .settleLossShare(party: ref, amount: money, settledOn: date, reference: act.reference)),
                    fields: [
                        ("loan", .string(key.description)), ("role", .string(role.rawValue)), ("party_id", .string(id.value)),
                        ("amount_fen", money.map { .integer($0.fen) } ?? .null), ("settled_on", .string(date.description)),
                    ]), options: act, connection: connection)
        }
    }
}
