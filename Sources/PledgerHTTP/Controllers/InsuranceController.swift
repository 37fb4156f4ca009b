import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// Pledge insurance: a policy on a loan (`…/loans/{contract_no}/insurance`) and its
/// cancellation, an insurer's policies (`/v1/insurers/{insurer_id}/policies`) and the
/// premium subsidies a fund pays on them. Policies bind the insurer's share of a loss, so
/// fund administrators record them (from the insurer's list); an insurer's token reads its
/// own and settles its own share (see `Permission.confineInsurer`), nothing else.
struct InsuranceController {
    let api: API

    func addRoutes(to group: Group) {
        let admin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, _ in try Permission.administerFunds(identity) }
        group.write("banks/:bank_id/loans/:contract_no/insurance", PolicyRequest.self, api: api, allow: admin) { body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("banks/:bank_id/loans/:contract_no/insurance/cancellation", PolicyCancellationRequest.self, api: api, allow: admin) {
            body, context in
            .loan(try context.loanKey(), body.command)
        }
        group.write("insurers/:insurer_id/policies/:policy_no/premium-subsidies", PremiumSubsidyRequest.self, api: api, allow: admin) {
            body, context in
            body.command(try context.insurerId(), try context.policyNo())
        }

        group.get("insurers/:insurer_id/policies") { request, context -> Response in
            let caller = try context.caller()
            let insurer = try context.insurerId()
            guard caller.role != .bank else {
                throw Problem.forbidden("an insurer's policies are read by the insurer, fund administrators, auditors and admins")
            }
            try Permission.actFor(insurer: insurer, caller)
            let asOf = try request.query.date("as_of")
            return try await api.read(request, needs: .log) { reads in
                guard let positions = try await reads.reports.policies(of: insurer, asOf: asOf) else {
                    throw Problem.notFound("the ledger has no policies of insurer \(insurer)")
                }
                let date = asOf ?? BusinessDate(containing: .now())
                return JSONIO.response(
                    .object(
                        try JSONObject([
                            ("insurer_id", .string(insurer.value)), ("as_of", .string(date.description)),
                            ("policies", .array(positions.map(\.json))),
                        ])))
            }
        }
    }
}
