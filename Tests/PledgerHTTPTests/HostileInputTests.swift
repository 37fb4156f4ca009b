import Foundation
import HTTPTypes
import PledgerDomain
import PledgerStore
import Testing

/// What an attacker or a careless client tried, and the clear answer each gets.
@Suite("HTTP: hostile and malformed input")
struct HostileInputTests {
    @Test("a body over 8 MiB is refused with 413, not 500")
    func bodyTooLarge() async throws {
        try await APIHarness.run { api in
            let padding = String(repeating: "x", count: 9 * 1024 * 1024)
            let reply = try await api.send(.post, "/v1/borrowers", as: "bank:LCRCB", json: #"{"name":"\#(padding)"}"#)
            #expect(reply.status == 413 && reply.problem == "too-large", "\(reply.status) \(reply.text.prefix(200))")
        }
    }

    @Test("repaid interest cannot be driven past 2^53 − 1: the repayment that would is refused, and the loan still reads")
    func interestOverflow() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let uri = "/v1/banks/LCRCB/loans/LC-2024-0001"
            let huge = #"{"principal_fen":0,"interest_fen":9007199254740991,"paid_on":"2024-04-01"}"#
            api.expectOK(try await api.send(.post, "\(uri)/repayments", as: "bank:LCRCB", json: huge))
            for _ in 0..<3 {
                let refused = try await api.send(.post, "\(uri)/repayments", as: "bank:LCRCB", json: huge)
                #expect(
                    refused.status == 422 && refused.problem == "limit-exceeded" && refused.string("field") == "interest_fen",
                    "\(refused.text)")
            }
            let loan = try await api.send(.get, uri, as: "bank:LCRCB")
            #expect(loan.status == 200 && loan.integer("repaid_interest_fen") == 9_007_199_254_740_991)
            let tooBig = try await api.send(
                .post, "\(uri)/repayments", as: "bank:LCRCB",
                json: #"{"principal_fen":0,"interest_fen":9007199254740992,"paid_on":"2024-04-01"}"#)
            #expect(tooBig.status == 400, "beyond 2^53 − 1 is not an integer this API reads")
        }
    }

    @Test("NUL and control characters in names and reasons are refused with the field")
    func controlCharacters() async throws {
        try await APIHarness.run { api in
            for name in ["Bank\\u0000Nine", "Bank\\u0007Nine", "Bank\\u2028Nine"] {
                let reply = try await api.send(.post, "/v1/banks", json: #"{"bank_id":"B9","name":"\#(name)","licence":"L-9"}"#)
                #expect(reply.status == 422 && reply.string("field") == "name", "\(name): \(reply.text)")
            }
        }
    }

    @Test("a wrong value or shape is named in the API's words: the allowed values, never a Swift type")
    func errorsInTheAPIsWords() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let cases: [(String, String, String, String)] = [
                (
                    "/v1/banks/LCRCB/loans/LC-2024-0001/claims/decision", #"{"decision":"approved","decided_on":"2025-01-01"}"#,
                    "decision", #"decision: must be one of approve, reject (got "approved")"#
                ),
                (
                    "/v1/funds/LC-IPRC/policy-amendments", #"{"policy":5,"effective_on":"2025-01-01","reason":"r"}"#,
                    "policy", "policy: expected an object"
                ),
                (
                    "/v1/banks/LCRCB/loans/LC-2024-0001/default",
                    #"{"defaulted_on":"2025-01-01","missed_due_on":"2024-10-01","classification":"bad"}"#,
                    "classification", "classification: must be one of normal, special_mention, substandard, doubtful, loss"
                ),
                (
                    "/v1/funds/LC-IPRC/banks", #"{"bank_id":["B1"],"agreement":"a","effective_on":"2025-01-01"}"#,
                    "bank_id", "bank_id: expected a string"
                ),
            ]
            for (uri, body, field, detail) in cases {
                let reply = try await api.send(.post, uri, json: body)
                #expect(reply.status == 422 && reply.string("field") == field, "\(uri): \(reply.text)")
                #expect(reply.string("detail")?.hasPrefix(detail) == true, "\(uri): \(reply.text)")
                for swiftWord in ["Dictionary", "Array<", "Cannot initialize", "Decision", "String value"] {
                    #expect(!reply.text.contains(swiftWord), "\(uri) leaks \(swiftWord): \(reply.text)")
                }
            }
        }
    }

    @Test("a field the contract does not declare is refused by name, nested ones with their path, in bulk reports too")
    func undeclaredFields() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let typo = try await api.send(
                .post, "/v1/banks/LCRCB/loans/LC-2024-0001/repayments", as: "bank:LCRCB",
                json: #"{"principal_fen":1,"interest_fen":0,"paid_on":"2024-04-01","principle_fen":5}"#)
            #expect(typo.status == 422 && typo.string("field") == "principle_fen", "\(typo.text)")
            let nested = try await api.send(
                .post, "/v1/banks/LCRCB/loans", as: "bank:LCRCB",
                json:
                    #"{"contract_no":"LC-2","borrower":"91512081MA62K0260E","principal_fen":100,"rate_bp":400,"originated_on":"2024-05-01","matures_on":"2025-05-01","collateral":[{"asset_id":"ZL2","registration_no":"Y-2","colour":"red"}]}"#
            )
            #expect(nested.status == 422 && nested.string("field") == "collateral[0].colour", "\(nested.text)")
            let bulk = try await api.send(
                .post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB",
                json:
                    #"{"operations":[{"op":"repayment","contract_no":"LC-2024-0001","principal_fen":1,"interest_fen":0,"paid_on":"2024-04-01","note":"x"}]}"#
            )
            let item = bulk.json["items"]?.arrayValue?.first
            #expect(bulk.status == 422 && item?["error"]?["field"] == .string("operations[0].note"), "\(bulk.text)")
        }
    }

    @Test("an asset pledged to another bank's loan: 409 that does not name that bank or loan")
    func pledgedElsewhere() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let reply = try await api.originate(bank: "B2", contract: "B2-1")
            #expect(reply.status == 409, "\(reply.text)")
            #expect(!reply.text.contains("LCRCB") && !reply.text.contains("LC-2024-0001"), "\(reply.text)")
        }
    }

    @Test("a CSV report whose header names a column twice is refused, naming the column and line 1")
    func duplicateCSVColumn() async throws {
        try await APIHarness.run { api in
            let csv = "op,contract_no,Contract_No,principal_fen\nrepayment,LC-2024-0001,LC-2024-0001,1\n"
            let reply = try await api.send(.post, "/v1/banks/LCRCB/reports", as: "bank:LCRCB", json: csv, contentType: "text/csv")
            #expect(
                reply.status == 400 && reply.string("detail")?.contains("contract_no") == true
                    && reply.string("detail")?.contains("line 1") == true,
                "\(reply.text)")
        }
    }

    @Test("PUT, PATCH and DELETE on a resource are 405 with Allow; unknown paths stay 404")
    func methodNotAllowed() async throws {
        try await APIHarness.run { api in
            for method in [HTTPRequest.Method.put, .patch, .delete] {
                let reply = try await api.send(method, "/v1/banks/LCRCB/loans/LC-2024-0001", as: "bank:LCRCB")
                #expect(reply.status == 405 && reply.problem == "method-not-allowed", "\(method): \(reply.status)")
                #expect(reply.headers[.allow] == "GET")
            }
            let collection = try await api.send(.delete, "/v1/banks/LCRCB/loans", as: "bank:LCRCB")
            #expect(collection.status == 405 && collection.headers[.allow] == "GET, POST")
            #expect(try await api.send(.put, "/v1/nowhere/at/all").status == 404)
        }
    }

    @Test("the bearer scheme is case-insensitive, spaces before the token; anything else is 401")
    func bearerScheme() async throws {
        try await APIHarness.run { api in
            let token = api.tokens["auditor"]!
            for header in ["Bearer \(token)", "bearer \(token)", "BEARER \(token)", "Bearer   \(token)"] {
                let reply = try await api.send(.get, "/v1/ledger/head", as: nil, headers: [.authorization: header])
                #expect(reply.status == 200, "\(header.prefix(9)): \(reply.text)")
            }
            for header in ["Basic \(token)", "Bearer", "Bearer  ", token, "Bearer\t\(token)", "Bearer \(token) \(token)"] {
                #expect(try await api.send(.get, "/v1/ledger/head", as: nil, headers: [.authorization: header]).status == 401)
            }
        }
    }

    @Test("only application/json (with parameters) is JSON: application/jsonp and friends are 415")
    func mediaType() async throws {
        try await APIHarness.run { api in
            let body = #"{"bank_id":"B9","name":"Bank Nine","licence":"L-9"}"#
            for type in ["application/jsonp", "application/json-patch+json", "text/json", "application/jsonx"] {
                let reply = try await api.send(.post, "/v1/banks", json: body, contentType: type)
                #expect(reply.status == 415 && reply.problem == "unsupported-media-type", "\(type): \(reply.status)")
            }
            api.expectOK(try await api.send(.post, "/v1/banks", json: body, contentType: "Application/JSON; charset=utf-8"))
        }
    }

    @Test("a bank may not value an asset pledged to another bank's loan; the pledging bank and fund administrators may")
    func valuationOfAnotherBanksPledge() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate())
            let valuation = { (id: String) in
                #"{"valuation_id":"\#(id)","appraiser":"某评估公司","method":"market","value_fen":1,"valued_on":"2024-06-01","report_ref":"R-\#(id)"}"#
            }
            let other = try await api.send(.post, "/v1/assets/ZL1/valuations", as: "bank:B2", json: valuation("V-B2"))
            #expect(other.status == 403 && other.problem == "forbidden", "\(other.text)")
            api.expectOK(try await api.send(.post, "/v1/assets/ZL1/valuations", as: "bank:LCRCB", json: valuation("V-OWN")))
            api.expectOK(try await api.send(.post, "/v1/assets/ZL1/valuations", as: "fund_admin", json: valuation("V-FUND")))
            // An asset pledged to nobody may be valued by any bank (an appraisal before a loan).
            api.expectOK(try await api.send(.post, "/v1/assets/ZL2/valuations", as: "bank:B2", json: valuation("V-FREE")))
        }
    }

    @Test("a token can only be made for a bank that exists")
    func tokenForMissingBank() async throws {
        try await APIHarness.run { api in
            await #expect(throws: DomainError.self) { try await TokenStore(store: api.store).create(name: "x", role: "bank:NOPE") }
            let created = try await TokenStore(store: api.store).create(name: "ok", role: "bank:B2")
            #expect(created.secret.hasPrefix("plg_"))
        }
    }

    @Test("an Idempotency-Key over 200 characters is refused")
    func badIdempotencyKey() async throws {
        try await APIHarness.run { api in
            for key in [String(repeating: "k", count: 201)] {
                let reply = try await api.send(
                    .post, "/v1/banks", json: #"{"bank_id":"B9","name":"Bank Nine","licence":"L-9"}"#,
                    headers: [HTTPField.Name("Idempotency-Key")!: key])
                #expect(reply.status == 422 && reply.string("field") == "Idempotency-Key")
            }
        }
    }
}
