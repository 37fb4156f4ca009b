import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/schemes…`: risk-sharing schemes — who bears what part of a defaulted loan's loss.
/// Fund administrators agree and revise them; every role may read them (a bank needs the
/// terms to enrol its loans). A loan's part in a scheme is under its own route (`LoansController`).
struct SchemesController {
    let api: API

    func addRoutes(to group: Group) {
        let admin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, _ in try Permission.administerFunds(identity) }
        group.write("schemes", AgreeSchemeRequest.self, api: api, creates: true, allow: admin) { body, _ in body.command }
        group.write("schemes/:scheme_id/revisions", ReviseSchemeRequest.self, api: api, allow: admin) { body, context in
            body.command(try context.schemeId())
        }
        group.get("schemes/:scheme_id") { _, context -> Response in
            _ = try context.caller()
            let id = try context.schemeId()
            let (states, version) = try await api.load(.scheme(id), notFound: "no scheme \(id)")
            return JSONIO.response(Views.scheme(states.schemes[id]!, version: version), headers: [.eTag: "\"\(version)\""])
        }
    }
}
