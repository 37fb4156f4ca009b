import Foundation
import PledgerDomain
import PledgerStore

/// JSON views of aggregate states for GET routes (snake_case, fen, bp, ISO dates).
enum Views {
    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        var object = JSONObject()
        for (key, value) in pairs { object.set(key, value) }
        return .object(object)
    }

    static func money(_ value: Money) -> JSONValue { .integer(value.fen) }
    static func date(_ value: BusinessDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    static func id(_ value: UUID) -> JSONValue { .string(value.uuidString.lowercased()) }
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    static func fund(_ fund: FundState, version: Int32) throws -> JSONValue {
        let row = FundRow(fund)
        return object([
            "fund_id": text(fund.id?.value), "name": .string(fund.name), "region": text(fund.region?.value),
            "established_on": date(fund.establishedOn), "policy": try fund.currentPolicy.map(JSONIO.encode) ?? .null,
            "suspended": .bool(fund.isSuspendedNow),
            "banks": .array(
                fund.banks.sorted { $0.key < $1.key }.map { object(["bank_id": .string($0.key.value), "joined_on": date($0.value)]) }),
            "contributed_fen": .integer(row.contributedFen), "paid_out_fen": .integer(row.paidOutFen),
            "recoveries_returned_fen": .integer(row.returnedFen), "balance_fen": .integer(row.balanceFen),
            "contributions": .array(
                fund.contributions.sorted { ($0.value.receivedOn, $0.key.uuidString) < ($1.value.receivedOn, $1.key.uuidString) }.map {
                    id, c in
                    object([
                        "event_id": Views.id(id), "amount_fen": money(c.amountFen), "contributor": .string(c.contributor.rawValue),
                        "received_on": date(c.receivedOn), "reference": .string(c.reference), "reversed": .bool(fund.reversed.contains(id)),
                    ])
                }),
            "account": fund.account().json,
            "suspended_banks": .array(fund.suspendedBanks.map { .string($0.value) }),
            "covered_principal_fen": money(fund.cover.total.coveredPrincipal),
            "non_performing_fen": money(fund.cover.total.nonPerforming),
            "npl_ratio_bp": fund.cover.total.nplRatio.map { .integer($0.value) } ?? .null,
            "queue": .array(
                fund.queue.map { c in
                    object([
                        "bank_id": .string(c.loan.bank.value), "contract_no": .string(c.loan.contract.value),
                        "claim_no": .integer(Int64(c.claimNo)),
                        "approved_fen": money(c.approved), "approved_on": date(c.approvedOn), "paid_fen": money(c.paid),
                        "remaining_fen": money(c.remaining),
                    ])
                }),
            "version": .integer(Int64(version)),
        ])
    }

    static func loan(_ loan: LoanState, version: Int32) throws -> JSONValue {
        guard let o = loan.origination else { return .null }
        return object([
            "bank_id": .string(o.bankId.value), "contract_no": .string(o.contractNo.value), "borrower": .string(o.borrower.value),
            "fund_id": text(o.fundId?.value), "principal_fen": money(o.principalFen), "rate_bp": .integer(o.rateBp.value),
            "originated_on": date(o.originatedOn), "matures_on": date(o.maturesOn), "pledge_rate_bp": .integer(o.pledgeRateBp.value),
            "collateral": try JSONIO.encode(o.collateral),
            "status": .string(loan.status.rawValue), "outstanding_fen": money(loan.outstanding),
            "repaid_principal_fen": money(loan.repaidPrincipal), "repaid_interest_fen": money(loan.repaidInterest),
            "repayments": .array(
                loan.repayments.sorted { ($0.value.paidOn, $0.key.uuidString) < ($1.value.paidOn, $1.key.uuidString) }.map { id, r in
                    object([
                        "event_id": Views.id(id), "principal_fen": money(r.principalFen), "interest_fen": money(r.interestFen),
                        "paid_on": date(r.paidOn), "reversed": .bool(loan.reversed.contains(id)),
                    ])
                }),
            "default": try loan.defaulted.map(JSONIO.encode) ?? .null,
            "claims": .array(
                loan.claims.map { c in
                    object([
                        "claim_no": .integer(Int64(c.number)), "amount_fen": money(c.amount), "claimed_on": date(c.claimedOn),
                        "status": .string(c.status.rawValue), "approved_fen": money(c.approved), "approved_on": date(c.approvedOn),
                        "paid_fen": money(c.paid), "paid_on": date(c.paidOn), "unpaid_fen": money(c.unpaid),
                        "withdrawn_fen": money(c.withdrawn), "withdrawn_on": date(c.withdrawnOn),
                    ])
                }),
            "recoveries": .array(
                loan.recoveries.map { r in
                    object([
                        "recovery_no": .integer(Int64(r.number)), "event_id": Views.id(r.eventId), "amount_fen": money(r.amount),
                        "received_on": date(r.receivedOn), "reversed": .bool(r.reversed),
                        "returned_to_fund_fen": r.returnedShare.map(money) ?? .null,
                    ])
                }),
            "compensation_paid_fen": money(loan.compensationPaid), "recovered_fen": money(loan.recoveredTotal),
            "returned_to_fund_fen": money(loan.returnedToFund), "owed_to_fund_fen": money(loan.owedToFund),
            "written_off_fen": money(loan.writtenOff),
            "scheme": schemePart(loan),
            "version": .integer(Int64(version)),
        ])
    }

    /// A loan's part in a risk-sharing scheme: its enrolment, then the split of its loss with
    /// what each party settled and got back.
    static func schemePart(_ loan: LoanState) -> JSONValue {
        guard let enrolment = loan.scheme else { return .null }
        let shared = loan.lossShared
        return object([
            "scheme_id": .string(enrolment.schemeId.value), "version": .integer(Int64(enrolment.version)),
            "enrolled_on": date(enrolment.enrolledOn), "loss_fen": shared.map { money($0.lossFen) } ?? .null,
            "shared_on": date(shared?.sharedOn),
            "shares": .array(
                (shared?.shares ?? []).map { share in
                    object([
                        "role": .string(share.role.rawValue), "party_id": text(share.partyId?.value),
                        "share_bp": .integer(share.shareBp.value), "due_fen": money(share.dueFen), "capped": .bool(share.capped),
                        "paid_fen": money(share.role == .bank ? share.dueFen : loan.settled[share.ref] ?? .zero),
                        "owed_fen": money(loan.unsettled(share.ref)),
                        "recovered_fen": money(loan.recoveredByParty[share.ref] ?? .zero),
                    ])
                }),
        ])
    }

    static func scheme(_ scheme: SchemeState, version: Int32) -> JSONValue {
        object([
            "scheme_id": text(scheme.id?.value), "name": .string(scheme.name),
            "versions": .array(
                scheme.versions.map { v in
                    object([
                        "version": .integer(Int64(v.number)), "effective_on": date(v.effectiveOn),
                        "parties": .array(
                            v.parties.map { p in
                                object([
                                    "role": .string(p.role.rawValue), "party_id": text(p.partyId?.value),
                                    "share_bp": .integer(p.shareBp.value),
                                    "cap_fen": p.capFen.map(money) ?? .null,
                                ])
                            }),
                    ])
                }),
            "enrolled_loans": .integer(Int64(scheme.loans.count)), "version": .integer(Int64(version)),
        ])
    }

    /// A bank sees whether an asset is pledged, but not to which other bank's loan.
    static func asset(_ asset: AssetState, version: Int32, viewer: Identity) throws -> JSONValue {
        guard let r = asset.registration else { return .null }
        var pledge: JSONValue = .null
        if let p = asset.activePledge {
            if viewer.role == .bank, viewer.bank != p.bankId {
                pledge = object(["pledged": .bool(true)])
            } else {
                pledge = object([
                    "pledged": .bool(true), "bank_id": .string(p.bankId.value), "contract_no": .string(p.contractNo.value),
                    "registration_no": .string(p.registrationNo), "valuation_id": .string(p.valuationId.value),
                    "pledged_on": date(p.pledgedOn),
                ])
            }
        }
        return object([
            "asset_id": .string(r.assetId.value), "kind": .string(r.kind.rawValue), "registry_no": .string(r.registryNo),
            "title": .string(r.title), "owner": .string(r.owner.value),
            "valuations": .array(
                try asset.valuations.values.sorted { ($0.valuedOn, $0.valuationId) < ($1.valuedOn, $1.valuationId) }.map(JSONIO.encode)),
            "pledge": pledge, "version": .integer(Int64(version)),
        ])
    }

    static func borrower(_ borrower: BorrowerState, version: Int32) throws -> JSONValue {
        guard let r = borrower.registration, case .object(var object) = try JSONIO.encode(r) else { return .null }
        object.set("version", .integer(Int64(version)))
        return .object(object)
    }

    static func bank(_ bank: BankState, version: Int32) -> JSONValue {
        object([
            "bank_id": text(bank.id?.value), "name": .string(bank.name), "licence": .string(bank.licence),
            "version": .integer(Int64(version)),
        ])
    }
}
