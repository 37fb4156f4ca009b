// The event types read and written straight from and to their members (`MembersCodable`):
// the loans', assets' and borrowers' (nine in ten events of a district's log), then the
// subsidies', schemes', defaults' and claims' that follow them in number (nineteen in twenty
// with those). Keys as the encoder writes them (snake case).

extension RepaymentReceived: MembersCodable {
    init?(members m: JSONMembers) {
        guard let principal: Money = m("principal_fen"), let interest: Money = m("interest_fen"), let paidOn: BusinessDate = m("paid_on")
        else { return nil }
        guard m.holds(only: 3) else { return nil }
        self.init(principalFen: principal, interestFen: interest, paidOn: paidOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("interest_fen", interestFen)
        w.put("paid_on", paidOn)
        w.put("principal_fen", principalFen)
        return w.object
    }
}

extension Collateral: MembersCodable {
    init?(members m: JSONMembers) {
        guard let asset: AssetId = m("asset_id"), let kind: AssetKind = m("kind"), let valuation: ValuationId = m("valuation_id"),
            let value: Money = m("appraised_value_fen"), let registration = m.string("registration_no")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(assetId: asset, kind: kind, valuationId: valuation, appraisedValueFen: value, registrationNo: registration)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("appraised_value_fen", appraisedValueFen)
        w.put("asset_id", assetId)
        w.put("kind", kind)
        w.put("registration_no", registrationNo)
        w.put("valuation_id", valuationId)
        return w.object
    }
}

extension LoanOriginated: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let borrower: Uscc = m("borrower"),
            let principal: Money = m("principal_fen"), let rate: Bp = m("rate_bp"), let originatedOn: BusinessDate = m("originated_on"),
            let maturesOn: BusinessDate = m("matures_on"), let collateral = m.array("collateral", of: Collateral.self),
            let pledgeRate: Bp = m("pledge_rate_bp"), let fund: FundId? = m.optional("fund_id")
        else { return nil }
        guard m.holds(only: 9, optionals: ["fund_id"]) else { return nil }
        self.init(
            bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, rateBp: rate, originatedOn: originatedOn,
            maturesOn: maturesOn, collateral: collateral, pledgeRateBp: pledgeRate, fundId: fund)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("borrower", borrower)
        w.put("collateral", objects: collateral.map(\.members))
        w.put("contract_no", contractNo)
        w.put("fund_id", fundId)
        w.put("matures_on", maturesOn)
        w.put("originated_on", originatedOn)
        w.put("pledge_rate_bp", pledgeRateBp)
        w.put("principal_fen", principalFen)
        w.put("rate_bp", rateBp)
        return w.object
    }
}

extension LoanClosed: MembersCodable {
    init?(members m: JSONMembers) {
        guard let closedOn: BusinessDate = m("closed_on") else { return nil }
        guard m.holds(only: 1) else { return nil }
        self.init(closedOn: closedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("closed_on", closedOn)
        return w.object
    }
}

extension BorrowerRegistered: MembersCodable {
    init?(members m: JSONMembers) {
        guard let uscc: Uscc = m("uscc"), let name = m.string("name"), let industry: IndustryCode = m("industry"),
            let region: RegionCode = m("region"), let techSme = m.bool("tech_sme"), let firmSize: FirmSize? = m.optional("firm_size")
        else { return nil }
        guard m.holds(only: 5, optionals: ["firm_size"]) else { return nil }
        self.init(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme, firmSize: firmSize)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("firm_size", firmSize)
        w.put("industry", industry)
        w.put("name", name)
        w.put("region", region)
        w.put("tech_sme", techSme)
        w.put("uscc", uscc)
        return w.object
    }
}

extension AssetRegistered: MembersCodable {
    init?(members m: JSONMembers) {
        guard let asset: AssetId = m("asset_id"), let kind: AssetKind = m("kind"), let registry = m.string("registry_no"),
            let title = m.string("title"), let owner: Uscc = m("owner")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(assetId: asset, kind: kind, registryNo: registry, title: title, owner: owner)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("asset_id", assetId)
        w.put("kind", kind)
        w.put("owner", owner)
        w.put("registry_no", registryNo)
        w.put("title", title)
        return w.object
    }
}

extension AssetValued: MembersCodable {
    init?(members m: JSONMembers) {
        guard let valuation: ValuationId = m("valuation_id"), let appraiser = m.string("appraiser"),
            let method: ValuationMethod = m("method"), let value: Money = m("value_fen"), let valuedOn: BusinessDate = m("valued_on"),
            let report = m.string("report_ref")
        else { return nil }
        guard m.holds(only: 6) else { return nil }
        self.init(valuationId: valuation, appraiser: appraiser, method: method, valueFen: value, valuedOn: valuedOn, reportRef: report)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("appraiser", appraiser)
        w.put("method", method)
        w.put("report_ref", reportRef)
        w.put("valuation_id", valuationId)
        w.put("value_fen", valueFen)
        w.put("valued_on", valuedOn)
        return w.object
    }
}

extension AssetPledged: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let registration = m.string("registration_no"),
            let valuation: ValuationId = m("valuation_id"), let pledgedOn: BusinessDate = m("pledged_on")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(bankId: bank, contractNo: contract, registrationNo: registration, valuationId: valuation, pledgedOn: pledgedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("contract_no", contractNo)
        w.put("pledged_on", pledgedOn)
        w.put("registration_no", registrationNo)
        w.put("valuation_id", valuationId)
        return w.object
    }
}

extension AssetPledgeReleased: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let releasedOn: BusinessDate = m("released_on"),
            let reason = m.string("reason")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(bankId: bank, contractNo: contract, releasedOn: releasedOn, reason: reason)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("contract_no", contractNo)
        w.put("reason", reason)
        w.put("released_on", releasedOn)
        return w.object
    }
}

extension CoverGranted: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let borrower: Uscc = m("borrower"),
            let principal: Money = m("principal_fen"), let enrolledOn: BusinessDate = m("enrolled_on")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, enrolledOn: enrolledOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("borrower", borrower)
        w.put("contract_no", contractNo)
        w.put("enrolled_on", enrolledOn)
        w.put("principal_fen", principalFen)
        return w.object
    }
}

extension CoverReleased: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let releasedOn: BusinessDate = m("released_on"),
            let cause: CoverReleaseCause = m("cause")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(bankId: bank, contractNo: contract, releasedOn: releasedOn, cause: cause)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("cause", cause)
        w.put("contract_no", contractNo)
        w.put("released_on", releasedOn)
        return w.object
    }
}

extension LoanDefaulted: MembersCodable {
    init?(members m: JSONMembers) {
        guard let classification: LoanClassification = m("classification"), let days = m.integer("days_overdue"),
            let defaultedOn: BusinessDate = m("defaulted_on"), let missedDueOn: BusinessDate = m("missed_due_on"),
            let outstanding: Money = m("outstanding_fen")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(
            defaultedOn: defaultedOn, missedDueOn: missedDueOn, daysOverdue: days, outstandingFen: outstanding,
            classification: classification)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("classification", classification)
        w.put("days_overdue", daysOverdue)
        w.put("defaulted_on", defaultedOn)
        w.put("missed_due_on", missedDueOn)
        w.put("outstanding_fen", outstandingFen)
        return w.object
    }
}

extension CoverDefaulted: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"),
            let defaultedOn: BusinessDate = m("defaulted_on"), let outstanding: Money = m("outstanding_fen")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(bankId: bank, contractNo: contract, outstandingFen: outstanding, defaultedOn: defaultedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("contract_no", contractNo)
        w.put("defaulted_on", defaultedOn)
        w.put("outstanding_fen", outstandingFen)
        return w.object
    }
}

extension CompensationClaimed: MembersCodable {
    init?(members m: JSONMembers) {
        guard let amount: Money = m("amount_fen"), let number = m.integer("claim_no"), let claimedOn: BusinessDate = m("claimed_on"),
            let limit: Money = m("limit_fen")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(claimNo: number, amountFen: amount, claimedOn: claimedOn, limitFen: limit)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("amount_fen", amountFen)
        w.put("claim_no", claimNo)
        w.put("claimed_on", claimedOn)
        w.put("limit_fen", limitFen)
        return w.object
    }
}

extension RecoveryReceived: MembersCodable {
    init?(members m: JSONMembers) {
        guard let amount: Money = m("amount_fen"), let receivedOn: BusinessDate = m("received_on"),
            let number = m.integer("recovery_no"), let source = m.string("source")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(recoveryNo: number, amountFen: amount, receivedOn: receivedOn, source: source)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("amount_fen", amountFen)
        w.put("received_on", receivedOn)
        w.put("recovery_no", recoveryNo)
        w.put("source", source)
        return w.object
    }
}

extension LoanKey: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no") else { return nil }
        guard m.holds(only: 2) else { return nil }
        self.init(bank: bank, contract: contract)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bank)
        w.put("contract_no", contract)
        return w.object
    }
}

extension InterestSubsidyApplied: MembersCodable {
    init?(members m: JSONMembers) {
        guard let number = m.integer("application_no"), let appliedOn: BusinessDate = m("applied_on"), let borrower: Uscc = m("borrower"),
            let entitlement: Money = m("entitlement_fen"), let interest: Money = m("interest_fen"),
            let loans = m.array("loans", of: LoanKey.self), let year = m.integer("year")
        else { return nil }
        guard m.holds(only: 7) else { return nil }
        self.init(
            applicationNo: number, borrower: borrower, year: year, loans: loans, interestFen: interest, entitlementFen: entitlement,
            appliedOn: appliedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("application_no", applicationNo)
        w.put("applied_on", appliedOn)
        w.put("borrower", borrower)
        w.put("entitlement_fen", entitlementFen)
        w.put("interest_fen", interestFen)
        w.put("loans", objects: loans.map(\.members))
        w.put("year", year)
        return w.object
    }
}

extension AppraisalFeeSubsidyApplied: MembersCodable {
    init?(members m: JSONMembers) {
        guard let number = m.integer("application_no"), let appliedOn: BusinessDate = m("applied_on"), let asset: AssetId = m("asset_id"),
            let borrower: Uscc = m("borrower"), let entitlement: Money = m("entitlement_fen"), let fee: Money = m("fee_fen"),
            let invoice = m.string("invoice_ref"), let valuation: ValuationId = m("valuation_id")
        else { return nil }
        guard m.holds(only: 8) else { return nil }
        self.init(
            applicationNo: number, borrower: borrower, assetId: asset, valuationId: valuation, feeFen: fee, invoiceRef: invoice,
            entitlementFen: entitlement, appliedOn: appliedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("application_no", applicationNo)
        w.put("applied_on", appliedOn)
        w.put("asset_id", assetId)
        w.put("borrower", borrower)
        w.put("entitlement_fen", entitlementFen)
        w.put("fee_fen", feeFen)
        w.put("invoice_ref", invoiceRef)
        w.put("valuation_id", valuationId)
        return w.object
    }
}

extension SubsidyApproved: MembersCodable {
    init?(members m: JSONMembers) {
        guard let amount: Money = m("amount_fen"), let number = m.integer("application_no"), let approvedOn: BusinessDate = m("approved_on")
        else { return nil }
        guard m.holds(only: 3) else { return nil }
        self.init(applicationNo: number, amountFen: amount, approvedOn: approvedOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("amount_fen", amountFen)
        w.put("application_no", applicationNo)
        w.put("approved_on", approvedOn)
        return w.object
    }
}

extension SubsidyRejected: MembersCodable {
    init?(members m: JSONMembers) {
        guard let number = m.integer("application_no"), let reason = m.string("reason"), let rejectedOn: BusinessDate = m("rejected_on")
        else { return nil }
        guard m.holds(only: 3) else { return nil }
        self.init(applicationNo: number, rejectedOn: rejectedOn, reason: reason)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("application_no", applicationNo)
        w.put("reason", reason)
        w.put("rejected_on", rejectedOn)
        return w.object
    }
}

extension SubsidyPaid: MembersCodable {
    init?(members m: JSONMembers) {
        guard let amount: Money = m("amount_fen"), let number = m.integer("application_no"), let paidOn: BusinessDate = m("paid_on"),
            let reference = m.string("reference")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(applicationNo: number, amountFen: amount, paidOn: paidOn, reference: reference)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("amount_fen", amountFen)
        w.put("application_no", applicationNo)
        w.put("paid_on", paidOn)
        w.put("reference", reference)
        return w.object
    }
}

extension SchemeLoanEnrolled: MembersCodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let enrolledOn: BusinessDate = m("enrolled_on"),
            let version = m.integer("version")
        else { return nil }
        guard m.holds(only: 4) else { return nil }
        self.init(bankId: bank, contractNo: contract, version: version, enrolledOn: enrolledOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("bank_id", bankId)
        w.put("contract_no", contractNo)
        w.put("enrolled_on", enrolledOn)
        w.put("version", version)
        return w.object
    }
}

extension LoanEnrolledInScheme: MembersCodable {
    init?(members m: JSONMembers) {
        guard let enrolledOn: BusinessDate = m("enrolled_on"), let scheme: SchemeId = m("scheme_id"), let version = m.integer("version")
        else { return nil }
        guard m.holds(only: 3) else { return nil }
        self.init(schemeId: scheme, version: version, enrolledOn: enrolledOn)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("enrolled_on", enrolledOn)
        w.put("scheme_id", schemeId)
        w.put("version", version)
        return w.object
    }
}

extension LossShareSettled: MembersCodable {
    init?(members m: JSONMembers) {
        guard let amount: Money = m("amount_fen"), let party: SchemePartyId = m("party_id"), let reference = m.string("reference"),
            let role: SchemePartyRole = m("role"), let settledOn: BusinessDate = m("settled_on")
        else { return nil }
        guard m.holds(only: 5) else { return nil }
        self.init(role: role, partyId: party, amountFen: amount, settledOn: settledOn, reference: reference)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        w.put("amount_fen", amountFen)
        w.put("party_id", partyId)
        w.put("reference", reference)
        w.put("role", role)
        w.put("settled_on", settledOn)
        return w.object
    }
}
