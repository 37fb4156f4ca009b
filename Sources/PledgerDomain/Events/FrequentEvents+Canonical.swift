// The event types a rebuild reads most, read straight from their canonical text
// (`CanonicalReader`; `LedgerEvent.canonical`): a loan's founding event (two thirds of the
// bytes a rebuild decodes at national size), repayments, closings and borrowers. Each reads
// its members in the order `CanonicalJSON` writes them (keys sorted) and returns nil wherever
// the text says anything else; `init(members:)` (FrequentEvents+Members.swift) says which
// members each type has.

extension LoanOriginated {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"bank_id\":"), let bank: BankId = r.scalar(), r.skip(",\"borrower\":"), let borrower: Uscc = r.scalar(),
            r.skip(",\"collateral\":["), let collateral = Self.collateral(&r), r.skip(",\"contract_no\":"),
            let contract: ContractNo = r.scalar(), let fund: FundId? = r.optional(",\"fund_id\":"), r.skip(",\"matures_on\":"),
            let maturesOn: BusinessDate = r.scalar(), r.skip(",\"originated_on\":"), let originatedOn: BusinessDate = r.scalar(),
            r.skip(",\"pledge_rate_bp\":"), let pledgeRate: Bp = r.scalar(), r.skip(",\"principal_fen\":"),
            let principal: Money = r.scalar(), r.skip(",\"rate_bp\":"), let rate: Bp = r.scalar(), r.skip("}")
        else { return nil }
        self.init(
            bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, rateBp: rate, originatedOn: originatedOn,
            maturesOn: maturesOn, collateral: collateral, pledgeRateBp: pledgeRate, fundId: fund)
    }

    /// The array's items and its closing bracket, after its opening one.
    private static func collateral(_ r: inout CanonicalReader) -> [Collateral]? {
        var items: [Collateral] = []
        if r.skip("]") { return items }
        repeat {
            guard r.skip("{\"appraised_value_fen\":"), let value: Money = r.scalar(), r.skip(",\"asset_id\":"),
                let asset: AssetId = r.scalar(),
                r.skip(",\"kind\":"), let kind: AssetKind = r.scalar(), r.skip(",\"registration_no\":"), let registration = r.string(),
                r.skip(",\"valuation_id\":"), let valuation: ValuationId = r.scalar(), r.skip("}")
            else { return nil }
            items.append(
                Collateral(assetId: asset, kind: kind, valuationId: valuation, appraisedValueFen: value, registrationNo: registration))
        } while r.skip(",")
        return r.skip("]") ? items : nil
    }
}

extension RepaymentReceived {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"interest_fen\":"), let interest: Money = r.scalar(), r.skip(",\"paid_on\":"),
            let paidOn: BusinessDate = r.scalar(),
            r.skip(",\"principal_fen\":"), let principal: Money = r.scalar(), r.skip("}")
        else { return nil }
        self.init(principalFen: principal, interestFen: interest, paidOn: paidOn)
    }
}

extension LoanClosed {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"closed_on\":"), let closedOn: BusinessDate = r.scalar(), r.skip("}") else { return nil }
        self.init(closedOn: closedOn)
    }
}

extension BorrowerRegistered {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{"), let firmSize: FirmSize? = r.optional("\"firm_size\":"), firmSize == nil || r.skip(","),
            r.skip("\"industry\":"), let industry: IndustryCode = r.scalar(), r.skip(",\"name\":"), let name = r.string(),
            r.skip(",\"region\":"), let region: RegionCode = r.scalar(), r.skip(",\"tech_sme\":"), let techSme = r.bool(),
            r.skip(",\"uscc\":"), let uscc: Uscc = r.scalar(), r.skip("}")
        else { return nil }
        self.init(uscc: uscc, name: name, industry: industry, region: region, techSme: techSme, firmSize: firmSize)
    }
}

// The funds' streams: a loan enrolled, released and defaulted under a fund's cover.

extension CoverGranted {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"bank_id\":"), let bank: BankId = r.scalar(), r.skip(",\"borrower\":"), let borrower: Uscc = r.scalar(),
            r.skip(",\"contract_no\":"), let contract: ContractNo = r.scalar(), r.skip(",\"enrolled_on\":"),
            let enrolledOn: BusinessDate = r.scalar(), r.skip(",\"principal_fen\":"), let principal: Money = r.scalar(), r.skip("}")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, borrower: borrower, principalFen: principal, enrolledOn: enrolledOn)
    }
}

extension CoverReleased {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"bank_id\":"), let bank: BankId = r.scalar(), r.skip(",\"cause\":"), let cause: CoverReleaseCause = r.scalar(),
            r.skip(",\"contract_no\":"), let contract: ContractNo = r.scalar(), r.skip(",\"released_on\":"),
            let releasedOn: BusinessDate = r.scalar(), r.skip("}")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, releasedOn: releasedOn, cause: cause)
    }
}

extension CoverDefaulted {
    init?(canonical r: inout CanonicalReader) {
        guard r.skip("{\"bank_id\":"), let bank: BankId = r.scalar(), r.skip(",\"contract_no\":"), let contract: ContractNo = r.scalar(),
            r.skip(",\"defaulted_on\":"), let defaultedOn: BusinessDate = r.scalar(), r.skip(",\"outstanding_fen\":"),
            let outstanding: Money = r.scalar(), r.skip("}")
        else { return nil }
        self.init(bankId: bank, contractNo: contract, outstandingFen: outstanding, defaultedOn: defaultedOn)
    }
}
