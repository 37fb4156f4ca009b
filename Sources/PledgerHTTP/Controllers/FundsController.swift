import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/funds…`: establishing and running risk-compensation funds.
struct FundsController {
    let api: API

    func addRoutes(to group: Group) {
        let admin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, _ in try Permission.administerFunds(identity) }
        group.write("funds", EstablishFundRequest.self, api: api, creates: true, allow: admin) { body, _ in body.command }
        group.write("funds/:fund_id/policy-amendments", AmendPolicyRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/contributions", ContributionRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/banks", JoinBankRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/suspension", FundStatusRequest.self, api: api, allow: admin) { body, context in
            .fund(try context.fundId(), .suspend(on: body.effectiveOn, reason: body.reason))
        }
        group.write("funds/:fund_id/resumption", FundStatusRequest.self, api: api, allow: admin) { body, context in
            .fund(try context.fundId(), .resume(on: body.effectiveOn, reason: body.reason))
        }
        group.write("funds/:fund_id/banks/:bank_id/suspension", FundStatusRequest.self, api: api, allow: admin) { body, context in
            .fund(try context.fundId(), .suspendBank(try context.bankId(), on: body.effectiveOn, reason: body.reason))
        }
        group.write("funds/:fund_id/banks/:bank_id/resumption", FundStatusRequest.self, api: api, allow: admin) { body, context in
            .fund(try context.fundId(), .resumeBank(try context.bankId(), on: body.effectiveOn, reason: body.reason))
        }
        group.write("funds/:fund_id/interest", InterestRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/charges", BankChargeRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/contribution-returns", ContributionReturnRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/transfers", TransferRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("funds/:fund_id/queue-payments", QueuePaymentRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.fundId())
        }
        group.write("reference-rates/lpr", LprRequest.self, api: api, allow: admin) { body, _ in body.command }
        group.write("funds/:fund_id/reversals", ReversalRequest.self, api: api, allow: admin) { body, context in
            .fund(try context.fundId(), .reverseContribution(eventId: body.reversedEventId, on: body.reversedOn, reason: body.reason))
        }

        group.get("funds") { request, context -> Response in
            _ = try context.caller()
            let limit = try request.query.int("limit", default: 100, range: 1...1000)
            let cursor = try request.query.cursor()
            return try await api.read(request) { reads in
                let rows = try await reads.readModels.funds(after: cursor, limit: limit)
                let items: [JSONValue] = rows.map { row in
                    Views.object([
                        "fund_id": .string(row.fundId), "name": .string(row.name), "contributed_fen": .integer(row.contributedFen),
                        "paid_out_fen": .integer(row.paidOutFen), "recoveries_returned_fen": .integer(row.returnedFen),
                        "balance_fen": .integer(row.balanceFen), "suspended": .bool(row.suspended),
                    ])
                }
                return JSONIO.response(page(items, next: rows.count == limit ? rows.last?.fundId : nil))
            }
        }

        group.get("funds/:fund_id") { request, context -> Response in
            _ = try context.caller()
            let id = try context.fundId()
            let (states, version) = try await api.load(.fund(id), notFound: "no fund \(id)")
            return JSONIO.response(try Views.fund(states.funds[id]!, version: version), headers: [.eTag: "\"\(version)\""])
        }
    }
}
