import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PledgerDomain
import PledgerHTTP
import PledgerStore
import PledgerTestSupport
import Testing

/// A test API on a fresh database: tokens for every role and a client that speaks JSON.
struct APIHarness: Sendable {
    let client: any TestClientProtocol
    let store: EventStore
    let tokens: [String: String]
    let url: DatabaseURL

    static let roles = ["admin", "fund_admin", "auditor", "bank:LCRCB", "bank:B2", "insurer:PICC", "insurer:OTHER"]

    /// `configure` adjusts the server's settings (e.g. a checkpoint key) before it starts.
    /// `logger` is the application's, from which every request's logger is made.
    static func run(
        configure: (inout ServerConfiguration) -> Void = { _ in }, logger: Logger? = nil,
        _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, url in
            try await run(on: store, url: url, configure: configure, logger: logger, body)
        }
    }

    /// The same on a database the caller made; `replica` is a store the server reads from as
    /// its read replica.
    static func run(
        on store: EventStore, url: DatabaseURL, configure: (inout ServerConfiguration) -> Void = { _ in }, replica: EventStore? = nil,
        logger: Logger? = nil, _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        // A bank token needs its bank to exist.
        for bank in ["LCRCB", "B2"] {
            let id = try BankId(bank)
            try await CommandHandler(store: store).handle(.bank(id, .register(id: id, name: "Bank \(bank)", licence: "L-\(bank)")))
        }
        var tokens: [String: String] = [:]
        for role in roles { tokens[role] = try await TokenStore(store: store).create(name: "test \(role)", role: role).secret }
        var configuration = ServerConfiguration(database: url)
        configure(&configuration)
        let router = PledgerServer.router(ledger: Ledger(log: store, replica: replica), configuration: configuration)
        let app = Application(router: router, logger: logger)
        let issued = tokens
        try await app.test(.router) { client in
            try await body(APIHarness(client: client, store: store, tokens: issued, url: url))
        }
    }

    /// A second API node on the same database, with a pool, group-commit writer and caches of
    /// its own — as a second machine behind a load balancer has. The tokens are the same.
    func onAnotherNode(_ body: @Sendable (APIHarness) async throws -> Void) async throws {
        try await LedgerRuntime.with(url, maxConnections: 6, logger: TestDatabase.logger) { ledger in
            let router = PledgerServer.router(ledger: ledger, configuration: ServerConfiguration(database: url))
            try await Application(router: router).test(.router) { client in
                try await body(APIHarness(client: client, store: ledger.log, tokens: tokens, url: url))
            }
        }
    }

    /// Sends a request as `role` (nil: no token); the body is JSON text unless a content type is given.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, as role: String? = "admin", json: String? = nil,
        headers extra: HTTPFields = [:], contentType: String = "application/json"
    ) async throws -> Reply {
        var headers = extra
        if let role { headers[.authorization] = "Bearer \(tokens[role]!)" }
        if json != nil { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return Reply(status: response.status.code, headers: response.headers, text: String(buffer: response.body))
    }

    /// A GET with `min_position` as a client retrying after `503 projection-lag` sends it: on a
    /// loaded machine the projector can take longer than one request's wait. Asked again for
    /// up to 30 s (each ask itself waits for the projector first).
    func sendUntilVisible(_ uri: String, as role: String) async throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(30)
        var reply = try await send(.get, uri, as: role)
        while reply.status == 503 && reply.problem == "projection-lag" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            reply = try await send(.get, uri, as: role)
        }
        return reply
    }

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPFields
        let text: String

        var json: JSONValue { (try? JSONParser.parse(text)) ?? .null }
        subscript(key: String) -> JSONValue? { json[key] }
        func integer(_ key: String) -> Int64? { if case .integer(let n) = json[key] { n } else { nil } }
        func string(_ key: String) -> String? { if case .string(let s) = json[key] { s } else { nil } }
        /// A sample of `/metrics` text: the value of `series` (name and labels as printed).
        func metric(_ series: String) -> Double? {
            let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        /// The problem `type` slug of an error response.
        var problem: String? { string("type")?.replacingOccurrences(of: "https://pledger.dev/problems/", with: "") }
    }

    /// The worked example's district through the API: fund, contributions, the two banks
    /// (registered by `run`) joining it, a borrower and a valued patent. Returns the last position written.
    @discardableResult
    func seedDistrict() async throws -> Int64 {
        try await expectOK(
            send(
                .post, "/v1/funds", as: "fund_admin",
                json: """
                    {"fund_id":"LC-IPRC","name":"龙城区知识产权质押融资风险补偿资金","region":"211303","established_on":"2023-01-01",
                     "policy":{"coverage_bp":4000,"per_loan_cap_fen":100000000,"per_borrower_cap_fen":200000000,"max_leverage":10,
                               "claim_after_overdue_days":90,"npl_suspend_bp":500,"eligible_kinds":["patent","trademark"],
                               "max_term_months":36,"max_pledge_rate_bp":6000}}
                    """))
        for (contributor, amount) in [("province", 300_000_000), ("city", 400_000_000), ("district", 300_000_000)] {
            try await expectOK(
                send(
                    .post, "/v1/funds/LC-IPRC/contributions", as: "fund_admin",
                    json:
                        #"{"amount_fen":\#(amount),"contributor":"\#(contributor)","received_on":"2023-02-01","reference":"拨付-\#(contributor)"}"#
                ))
        }
        for bank in ["LCRCB", "B2"] {
            try await expectOK(
                send(
                    .post, "/v1/funds/LC-IPRC/banks", as: "fund_admin",
                    json: #"{"bank_id":"\#(bank)","agreement":"合作协议","effective_on":"2023-03-01"}"#))
        }
        try await expectOK(
            send(
                .post, "/v1/borrowers", as: "bank:LCRCB",
                json: """
                    {"uscc":"91512081MA62K0260E","name":"Longcheng New Energy Battery Co.","industry":"C3841","region":"211303","tech_sme":true}
                    """))
        for asset in ["ZL1", "ZL2"] {
            try await expectOK(
                send(
                    .post, "/v1/assets", as: "bank:LCRCB",
                    json:
                        #"{"asset_id":"\#(asset)","kind":"patent","registry_no":"ZL 2021 1 \#(asset)","title":"固态电解质","owner":"91512081MA62K0260E"}"#
                ))
            try await expectOK(
                send(
                    .post, "/v1/assets/\(asset)/valuations", as: "bank:LCRCB",
                    json: """
                        {"valuation_id":"V1","appraiser":"辽宁中正资产评估有限公司","method":"income","value_fen":1000000000,"valued_on":"2024-01-15","report_ref":"PG-2024-015"}
                        """))
        }
        return try await store.head().position
    }

    @discardableResult
    func originate(
        bank: String = "LCRCB", contract: String = "LC-2024-0001", asset: String = "ZL1", principal: Int = 500_000_000,
        as role: String? = nil, headers: HTTPFields = [:]
    ) async throws -> Reply {
        try await send(
            .post, "/v1/banks/\(bank)/loans", as: role ?? "bank:\(bank)",
            json: """
                {"contract_no":"\(contract)","borrower":"91512081MA62K0260E","principal_fen":\(principal),"rate_bp":385,
                 "originated_on":"2024-03-01","matures_on":"2025-03-01","fund_id":"LC-IPRC",
                 "collateral":[{"asset_id":"\(asset)","registration_no":"Y2024210000123"}]}
                """, headers: headers)
    }

    @discardableResult
    func expectOK(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) -> Reply {
        #expect((200..<300).contains(reply.status), "\(reply.status): \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }
}
