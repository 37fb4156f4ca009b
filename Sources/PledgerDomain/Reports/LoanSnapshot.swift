/// One loan reduced to what the reports need, as of some date. Stored as a row of the
/// `rm_loans` read model for the current view, and built from a fold for past views —
/// the same value either way, so reports agree whichever way they are computed.
public struct LoanSnapshot: Sendable, Hashable, Codable {
    public var bankId: BankId
    public var contractNo: ContractNo
    public var borrower: Uscc
    public var industry: IndustryCode?
    public var region: RegionCode?
    public var techSme: Bool
    public var fundId: FundId?
    public var principalFen: Money
    public var originatedOn: BusinessDate
    public var maturesOn: BusinessDate
    public var status: LoanStatus
    public var outstandingFen: Money
    /// Principal split by asset kind, pro rata to the pledged valuations; sums to the principal.
    public var principalByKind: [KindShare]
    /// The claim being decided (amount claimed) or approved and not paid in full (what is
    /// still unpaid of the amount approved: queued).
    public var pendingClaimFen: Money
    public var pendingClaimApproved: Bool
    public var compensationPaidFen: Money
    public var recoveredFen: Money
    public var returnedToFundFen: Money
    public var writtenOffFen: Money
    /// The fund's share of recoveries not yet returned to it (`LoanState.owedToFund`).
    /// Always written; read as 0 from rows stored before it existed.
    public var owedToFundFen: Money
    /// The risk-sharing scheme the loan is enrolled under; not encoded when none.
    public var schemeId: SchemeId?

    public struct KindShare: Sendable, Hashable, Codable {
        public var kind: AssetKind
        public var principalFen: Money
    }

    public var key: LoanKey { LoanKey(bank: bankId, contract: contractNo) }
    /// Non-performing: defaulted and still on the books.
    public var isNonPerforming: Bool { status == .defaulted }
    /// Counts towards the fund's cover: on the books, and the fund has not paid for it yet.
    public var isCovered: Bool { fundId != nil && [.active, .defaulted].contains(status) && !compensationPaidFen.isPositive }

    public init?(_ loan: LoanState, borrower: BorrowerRegistered?) {
        guard let o = loan.origination else { return nil }
        bankId = o.bankId
        contractNo = o.contractNo
        self.borrower = o.borrower
        industry = borrower?.industry
        region = borrower?.region
        techSme = borrower?.techSme ?? false
        fundId = o.fundId
        principalFen = o.principalFen
        originatedOn = o.originatedOn
        maturesOn = o.maturesOn
        status = loan.status
        outstandingFen = loan.outstanding
        principalByKind = Self.split(o.principalFen, o.collateral)
        let open = loan.openClaim
        pendingClaimFen = open.map { $0.status == .approved ? $0.unpaid : $0.amount } ?? .zero
        pendingClaimApproved = open?.status == .approved
        compensationPaidFen = loan.compensationPaid
        recoveredFen = loan.recoveredTotal
        returnedToFundFen = loan.returnedToFund
        writtenOffFen = loan.writtenOff
        owedToFundFen = loan.owedToFund
        schemeId = loan.scheme?.schemeId
    }

    enum CodingKeys: String, CodingKey {
        case bankId, contractNo, borrower, industry, region, techSme, fundId, principalFen, originatedOn, maturesOn, status
        case outstandingFen, principalByKind, pendingClaimFen, pendingClaimApproved, compensationPaidFen, recoveredFen
        case returnedToFundFen, writtenOffFen, owedToFundFen, schemeId
    }

    /// As synthesised, except that `owed_to_fund_fen` and `scheme_id` may be missing (rows written before them).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bankId = try c.decode(BankId.self, forKey: .bankId)
        contractNo = try c.decode(ContractNo.self, forKey: .contractNo)
        borrower = try c.decode(Uscc.self, forKey: .borrower)
        industry = try c.decodeIfPresent(IndustryCode.self, forKey: .industry)
        region = try c.decodeIfPresent(RegionCode.self, forKey: .region)
        techSme = try c.decode(Bool.self, forKey: .techSme)
        fundId = try c.decodeIfPresent(FundId.self, forKey: .fundId)
        principalFen = try c.decode(Money.self, forKey: .principalFen)
        originatedOn = try c.decode(BusinessDate.self, forKey: .originatedOn)
        maturesOn = try c.decode(BusinessDate.self, forKey: .maturesOn)
        status = try c.decode(LoanStatus.self, forKey: .status)
        outstandingFen = try c.decode(Money.self, forKey: .outstandingFen)
        principalByKind = try c.decode([KindShare].self, forKey: .principalByKind)
        pendingClaimFen = try c.decode(Money.self, forKey: .pendingClaimFen)
        pendingClaimApproved = try c.decode(Bool.self, forKey: .pendingClaimApproved)
        compensationPaidFen = try c.decode(Money.self, forKey: .compensationPaidFen)
        recoveredFen = try c.decode(Money.self, forKey: .recoveredFen)
        returnedToFundFen = try c.decode(Money.self, forKey: .returnedToFundFen)
        writtenOffFen = try c.decode(Money.self, forKey: .writtenOffFen)
        owedToFundFen = try c.decodeIfPresent(Money.self, forKey: .owedToFundFen) ?? .zero
        schemeId = try c.decodeIfPresent(SchemeId.self, forKey: .schemeId)
    }

    /// Splits the principal over the pledged assets' kinds pro rata to their appraised
    /// values. Each share rounds down; the fen left over go one each to the largest
    /// remainders (ties: collateral order), so the shares sum exactly to the principal.
    static func split(_ principal: Money, _ collateral: [Collateral]) -> [KindShare] {
        var weights = collateral.map { min(max($0.appraisedValueFen.fen, 0), Money.maximum.fen) }
        // Origination keeps the appraised total within the maximum; for an older log that did
        // not, weights shrink by the count so that their sum fits (each share still ≤ principal).
        if (try? Money.total(weights.map { Money(fen: $0) }, of: "the appraised values", field: "appraised_value_fen")) == nil {
            weights = weights.map { $0 / Int64(weights.count) }
        }
        let total = weights.reduce(0, +)
        guard total > 0, principal.isPositive else { return [] }
        var shares: [(kind: AssetKind, fen: Int64, remainder: Int64, index: Int)] = zip(collateral, weights).enumerated().map {
            index, item in
            let product = principal.fen.multipliedFullWidth(by: item.1)
            let (quotient, remainder) = total.dividingFullWidth(product)
            return (item.0.kind, quotient, remainder, index)
        }
        var left = principal.fen - shares.reduce(0) { $0 + $1.fen }
        for position in shares.indices.sorted(by: { (shares[$0].remainder, -shares[$0].index) > (shares[$1].remainder, -shares[$1].index) })
        where left > 0 {
            shares[position].fen += 1
            left -= 1
        }
        var byKind: [AssetKind: Int64] = [:]
        for share in shares { byKind[share.kind, default: 0] += share.fen }
        return byKind.keys.sorted().map { KindShare(kind: $0, principalFen: Money(fen: byKind[$0]!)) }
    }
}

extension AggregateStates {
    /// Snapshots of every loan the states hold, cancelled ones included (reports skip them).
    public var loanSnapshots: [LoanSnapshot] {
        loans.keys.compactMap(snapshot(of:)).sorted { $0.key < $1.key }
    }

    /// One loan's snapshot, with its borrower's registration.
    public func snapshot(of key: LoanKey) -> LoanSnapshot? {
        guard let loan = loans[key] else { return nil }
        return LoanSnapshot(loan, borrower: loan.origination.flatMap { borrowers[$0.borrower]?.registration })
    }
}

extension LoanSnapshot: MembersCodable {
    /// The snapshot as stored in the read model: JSON as `JSONValueEncoder` writes it, built
    /// field by field (`MembersCodable`) — every rebuild, and every page the projector writes,
    /// encodes its loans' snapshots, and through an `Encoder` that was a fifth of a rebuild's
    /// time. Throws, as the encoder does, for an amount beyond ±(2^53 − 1).
    public func json() throws -> JSONValue { try encoded() }

    /// The canonical text of `json()`, written without its tree (`CanonicalTextWriter`), or
    /// the error `json()` gives.
    public func canonicalText() throws -> String {
        var w = CanonicalTextWriter(capacity: 640)
        write(into: &w)
        guard let text = w.finished else { return CanonicalJSON.string(try json()) }
        return String(decoding: text, as: UTF8.self)
    }

    /// A stored snapshot read back, as `init(from:)` reads it, without a `Decoder` where its
    /// members settle it (`MembersCodable`).
    public init(json: JSONValue) throws { self = try Self.decode(from: json) }

    init?(members m: JSONMembers) {
        guard let bank: BankId = m("bank_id"), let contract: ContractNo = m("contract_no"), let borrower: Uscc = m("borrower"),
            let industry: IndustryCode? = m.optional("industry"), let region: RegionCode? = m.optional("region"),
            let techSme = m.bool("tech_sme"), let fund: FundId? = m.optional("fund_id"), let principal: Money = m("principal_fen"),
            let originatedOn: BusinessDate = m("originated_on"), let maturesOn: BusinessDate = m("matures_on"),
            let status: LoanStatus = m("status"), let outstanding: Money = m("outstanding_fen"),
            let byKind = m.array("principal_by_kind", of: KindShare.self), let pendingClaim: Money = m("pending_claim_fen"),
            let pendingApproved = m.bool("pending_claim_approved"), let compensationPaid: Money = m("compensation_paid_fen"),
            let recovered: Money = m("recovered_fen"), let returned: Money = m("returned_to_fund_fen"),
            let writtenOff: Money = m("written_off_fen"), let owed: Money? = m.optional("owed_to_fund_fen"),
            let scheme: SchemeId? = m.optional("scheme_id"), m.holds(only: 16, optionals: Self.optionalMembers)
        else { return nil }
        (bankId, contractNo, self.borrower, self.industry, self.region, self.techSme, fundId) = (
            bank, contract, borrower, industry, region, techSme, fund
        )
        (principalFen, self.originatedOn, self.maturesOn, self.status, outstandingFen, principalByKind) = (
            principal, originatedOn, maturesOn, status, outstanding, byKind
        )
        (pendingClaimFen, pendingClaimApproved, compensationPaidFen, recoveredFen, returnedToFundFen, writtenOffFen) = (
            pendingClaim, pendingApproved, compensationPaid, recovered, returned, writtenOff
        )
        owedToFundFen = owed ?? .zero
        schemeId = scheme
    }

    private static let optionalMembers = ["industry", "region", "fund_id", "owed_to_fund_fen", "scheme_id"]

    var members: JSONObject? {
        var w = JSONMembersWriter()
        write(into: &w)
        return w.object
    }

    /// The members in key order, for the JSON object and for its canonical text alike.
    private func write(into w: inout some MembersWriter) {
        w.put("bank_id", bankId)
        w.put("borrower", borrower)
        w.put("compensation_paid_fen", compensationPaidFen)
        w.put("contract_no", contractNo)
        w.put("fund_id", fundId)
        w.put("industry", industry)
        w.put("matures_on", maturesOn)
        w.put("originated_on", originatedOn)
        w.put("outstanding_fen", outstandingFen)
        w.put("owed_to_fund_fen", owedToFundFen)
        w.put("pending_claim_approved", pendingClaimApproved)
        w.put("pending_claim_fen", pendingClaimFen)
        w.put("principal_by_kind", objects: principalByKind) { share, object in share.write(into: &object) }
        w.put("principal_fen", principalFen)
        w.put("recovered_fen", recoveredFen)
        w.put("region", region)
        w.put("returned_to_fund_fen", returnedToFundFen)
        w.put("scheme_id", schemeId)
        w.put("status", status)
        w.put("tech_sme", techSme)
        w.put("written_off_fen", writtenOffFen)
    }
}

extension LoanSnapshot.KindShare: MembersCodable {
    init?(members m: JSONMembers) {
        guard let kind: AssetKind = m("kind"), let principal: Money = m("principal_fen"), m.holds(only: 2) else { return nil }
        self.init(kind: kind, principalFen: principal)
    }

    var members: JSONObject? {
        var w = JSONMembersWriter()
        write(into: &w)
        return w.object
    }

    fileprivate func write(into w: inout some MembersWriter) {
        w.put("kind", kind)
        w.put("principal_fen", principalFen)
    }
}
