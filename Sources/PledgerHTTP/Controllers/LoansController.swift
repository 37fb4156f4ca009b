import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/banks/{bank_id}/loans…`: a bank's loans, from origination to closing. A bank token
/// sees only its own bank's loans; any other bank's are 404, exactly like missing ones.
struct LoansController {
    let api: API

    func addRoutes(to group: Group) {
        let bank: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, context in
            try Permission.operateLoans(of: try context.bankId().value, identity)
        }
        let fundAdmin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, context in
            try Permission.seeLoans(of: try context.bankId().value, identity)
            try Permission.administerFunds(identity)
        }
        let loans = "banks/:bank_id/loans/:contract_no"
        group.write("banks/:bank_id/loans", OriginateRequest.self, api: api, creates: true, allow: bank) { body, context in
            body.command(try context.bankId())
        }
        group.write("\(loans)/repayments", RepaymentRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/default", DefaultRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/claims", ClaimRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/claims/decision", ClaimDecisionRequest.self, api: api, allow: fundAdmin) { body, context in
            .loan(try context.loanKey(), try body.command())
        }
        group.write("\(loans)/claims/payment", ClaimPaymentRequest.self, api: api, allow: fundAdmin) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write(
            "\(loans)/claims/withdrawal", ClaimWithdrawalRequest.self, api: api,
            allow: { identity, context in
                try Permission.seeLoans(of: try context.bankId().value, identity)
                guard [.admin, .fundAdmin, .bank].contains(identity.role) else {
                    throw Problem.forbidden("a claim is withdrawn by its bank or a fund administrator")
                }
            }
        ) { body, context in .loan(try context.loanKey(), body.command) }
        group.write("\(loans)/recoveries", RecoveryRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/recoveries/:recovery_no/return", RecoveryReturnRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command(try context.recoveryNo()))
        }
        let bankOrFundAdmin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, context in
            try Permission.seeLoans(of: try context.bankId().value, identity)
            guard [.admin, .fundAdmin, .bank].contains(identity.role) else {
                throw Problem.forbidden("this is done by the loan's bank or a fund administrator")
            }
        }
        group.write("\(loans)/scheme", SchemeEnrolmentRequest.self, api: api, allow: bankOrFundAdmin) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/loss-sharing", LossSharingRequest.self, api: api, allow: fundAdmin) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        // A fund administrator records any party's settlement; an insurer its own share, on a loan it insures.
        let settler: @Sendable (Identity, PledgerRequestContext) async throws -> Void = { identity, context in
            guard identity.role == .insurer else { return try fundAdmin(identity, context) }
            let key = try context.loanKey()
            let (states, _) = try await api.load(.loan(key), notFound: "no such loan")
            guard let insurer = identity.insurer, states.loans[key]?.policies[insurer] != nil else {
                throw Problem.notFound("no such loan")
            }
        }
        group.write("\(loans)/loss-sharing/settlements", LossShareSettlementRequest.self, api: api, allow: settler) { body, context in
            let caller = try context.caller()
            if caller.role == .insurer {
                guard body.role == .insurer, let insurer = try? InsurerId(body.partyId.value) else {
                    throw Problem.forbidden("an insurer settles its own share only (role insurer, party_id its id)")
                }
                try Permission.actFor(insurer: insurer, caller)
                // Self-attested, so never ahead of the day: a future date would hold the loan's later entries back.
                guard body.settledOn <= BusinessDate(containing: .now()) else {
                    throw Problem.invalid("settled_on", "\(body.settledOn) is in the future; record a payment once it is made")
                }
            }
            return .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/recoveries/:recovery_no/sharing", RecoverySharingRequest.self, api: api, allow: bankOrFundAdmin) {
            body, context in
            .loan(try context.loanKey(), body.command(try context.recoveryNo()))
        }
        group.write("\(loans)/write-off", WriteOffRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/close", CloseRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/cancel", CancelRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("\(loans)/reversals", ReversalRequest.self, api: api, allow: bank) { body, context in
            .loan(try context.loanKey(), body.loanCommand)
        }

        group.get("banks/:bank_id/loans") { request, context -> Response in
            let caller = try context.caller()
            let bank = try context.bankId()
            try Permission.seeLoans(of: bank.value, caller)
            let limit = try request.query.int("limit", default: 100, range: 1...1000)
            let status = try request.query.string("status").map { text -> LoanStatus in
                guard let status = LoanStatus(rawValue: text) else {
                    throw Problem.invalid("status", "status must be one of \(LoanStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
            let cursor = try request.query.cursor()
            return try await api.read(request) { reads in
                let rows = try await reads.readModels.loans(bank: bank, status: status, after: cursor, limit: limit)
                let items = try rows.map { try JSONIO.encode($0.snapshot) }
                return JSONIO.response(page(items, next: rows.count == limit ? rows.last?.snapshot.contractNo.value : nil))
            }
        }

        group.get(RouterPath(loans)) { _, context -> Response in
            let caller = try context.caller()
            let key = try context.loanKey()
            try Permission.seeLoans(of: key.bank.value, caller)
            let (states, version) = try await api.load(.loan(key), notFound: "no loan \(key)")
            return JSONIO.response(try Views.loan(states.loans[key]!, version: version), headers: [.eTag: "\"\(version)\""])
        }

        group.get("\(loans)/history") { request, context -> Response in
            let caller = try context.caller()
            let key = try context.loanKey()
            try Permission.seeLoans(of: key.bank.value, caller)
            let limit = try request.query.int("limit", default: 500, range: 1...5000)
            let after = try request.query.int("after_version", default: 0, range: 0...Int(Int32.max))
            return try await api.read(request, needs: .log) { reads in
                let events = try await reads.store.read(stream: key.stream, fromVersion: Int32(clamping: after + 1), limit: limit)
                if events.isEmpty, after == 0 { throw Problem.notFound("no loan \(key)") }
                let items = try events.map { try JSONParser.parse($0.envelope.exportLine(previous: $0.prevHash, hash: $0.hash)) }
                return JSONIO.response(page(items, next: events.count == limit ? events.last.map { String($0.envelope.version) } : nil))
            }
        }
    }
}
