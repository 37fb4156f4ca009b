import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// Pledge insurance: a policy on a loan (`…/loans/{contract_no}/insurance`), an insurer's
/// policies (`/v1/insurers/{insurer_id}/policies`) and the premium subsidies a fund pays on
/// them. An insurer's token reaches only its own (see `Permission.confineInsurer`).
struct InsuranceController {
    let api: API

    func addRoutes(to group: Group) {
        group.write(
            "banks/:bank_id/loans/:contract_no/insurance", PolicyRequest.self, api: api,
            allow: { identity, context in
                try Permission.seeLoans(of: try context.bankId().value, identity)
                guard [.admin, .fundAdmin, .bank, .insurer].contains(identity.role) else {
                    throw Problem.forbidden("a policy is recorded by the loan's bank, its insurer or a fund administrator")
                }
            }
        ) { body, context in
            try Permission.actFor(insurer: body.insurerId, try context.caller())
            return .loan(try context.loanKey(), body.command)
        }

        group.write(
            "insurers/:insurer_id/policies/:policy_no/premium-subsidies", PremiumSubsidyRequest.self, api: api,
            allow: { identity, _ in try Permission.administerFunds(identity) }
        ) { body, context in body.command(try context.insurerId(), try context.policyNo()) }

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
                    throw Problem.notFound("no policies of insurer \(insurer)\(asOf.map { " on \($0)" } ?? "")")
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
