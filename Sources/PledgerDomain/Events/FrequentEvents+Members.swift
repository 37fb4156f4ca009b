// The event types read straight from their members (`MembersDecodable`): nine in ten events
// of a district's log. Keys as the encoder writes them (snake case).

extension RepaymentReceived: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let principal: Money = m("principal_fen"), let interest: Money = m("interest_fen"), let paidOn: BusinessDate = m("paid_on")
        else { return nil }
        self.init(principalFen: principal, interestFen: interest, paidOn: paidOn)
    }
}

extension Collateral: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let asset: AssetId = m("asset_id"), let kind: AssetKind = m("kind"), let valuation: ValuationId = m("valuation_id"),
            let value: Money = m("appraised_value_fen"), let registration = m.string("registration_no")
        else { return nil }
        self.init(assetId: asset, kind: kind, valuationId: valuation, appraisedValueFen: value, registrationNo: registration)
    }
}

extension LoanOriginated: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let borrower: Uscc = m("borrower"),
            let principal: Money = m("principal_fen"), let rate: Bp = m("rate_bp"), let originatedOn: BusinessDate = m("originated_on"),
            let maturesOn: BusinessDate = m("matures_on"), let collateral = m.array("collateral", of: Collateral.self),
            let pledgeRate: Bp = m("pledge_rate_bp"), let fund: FundId? = m.optional("fund_id")
        else { return nil }
        self.init(
            bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, rateBp: rate, originatedOn: originatedOn,
            maturesOn: maturesOn, collateral: collateral, pledgeRateBp: pledgeRate, fundId: fund)
    }
}

extension LoanClosed: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let closedOn: BusinessDate = m("closed_on") else { return nil }
        self.init(closedOn: closedOn)
    }
}

extension BorrowerRegistered: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let uscc: Uscc = m("uscc"), let name = m.string("name"), let industry: IndustryCode = m("industry"),
            let region: RegionCode = m("region"), let techSme = m.bool("tech_sme"), let firmSize: FirmSize? = m.optional("firm_size")
        else { return nil }
        self.init(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme, firmSize: firmSize)
    }
}

extension AssetRegistered: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let asset: AssetId = m("asset_id"), let kind: AssetKind = m("kind"), let registry = m.string("registry_no"),
            let title = m.string("title"), let owner: Uscc = m("owner")
        else { return nil }
        self.init(assetId: asset, kind: kind, registryNo: registry, title: title, owner: owner)
    }
}

extension AssetValued: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let valuation: ValuationId = m("valuation_id"), let appraiser = m.string("appraiser"),
            let method: ValuationMethod = m("method"), let value: Money = m("value_fen"), let valuedOn: BusinessDate = m("valued_on"),
            let report = m.string("report_ref")
        else { return nil }
        self.init(valuationId: valuation, appraiser: appraiser, method: method, valueFen: value, valuedOn: valuedOn, reportRef: report)
    }
}

extension AssetPledged: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let registration = m.string("registration_no"),
            let valuation: ValuationId = m("valuation_id"), let pledgedOn: BusinessDate = m("pledged_on")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, registrationNo: registration, valuationId: valuation, pledgedOn: pledgedOn)
    }
}

extension AssetPledgeReleased: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let releasedOn: BusinessDate = m("released_on"),
            let reason = m.string("reason")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, releasedOn: releasedOn, reason: reason)
    }
}

extension CoverGranted: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let borrower: Uscc = m("borrower"),
            let principal: Money = m("principal_fen"), let enrolledOn: BusinessDate = m("enrolled_on")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, enrolledOn: enrolledOn)
    }
}

extension CoverReleased: MembersDecodable {
    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let releasedOn: BusinessDate = m("released_on"),
            let cause: CoverReleaseCause = m("cause")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, releasedOn: releasedOn, cause: cause)
    }
}
