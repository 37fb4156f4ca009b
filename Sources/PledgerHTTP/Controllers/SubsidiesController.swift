import HTTPTypes
import Hummingbird
import PledgerDomain
import PledgerStore

/// `/v1/subsidies…`: subsidy programmes (贴息, 评估费补贴) — established, applied to, decided
/// and paid by fund administrators; the ledger computes each application's entitlement from
/// what it already recorded. The programme's table is `GET /v1/reports/subsidies`.
struct SubsidiesController {
    let api: API

    func addRoutes(to group: Group) {
        let admin: @Sendable (Identity, PledgerRequestContext) throws -> Void = { identity, _ in try Permission.administerFunds(identity) }
        let programme = "subsidies/:programme_id"
        group.write("subsidies", SubsidyProgrammeRequest.self, api: api, creates: true, allow: admin) { body, _ in body.command }
        group.write("\(programme)/interest-applications", InterestSubsidyRequest.self, api: api, allow: admin) { body, context in
            .subsidy(try context.programmeId(), body.command)
        }
        group.write("\(programme)/appraisal-fee-applications", AppraisalFeeSubsidyRequest.self, api: api, allow: admin) {
            body, context in
            .subsidy(try context.programmeId(), body.command)
        }
        group.write("\(programme)/applications/:application_no/decision", SubsidyDecisionRequest.self, api: api, allow: admin) {
            body, context in
            .subsidy(try context.programmeId(), try body.command(try context.applicationNo()))
        }
        group.write("\(programme)/applications/:application_no/payments", SubsidyPaymentRequest.self, api: api, allow: admin) {
            body, context in
            .subsidy(try context.programmeId(), body.command(try context.applicationNo()))
        }
    }
}
