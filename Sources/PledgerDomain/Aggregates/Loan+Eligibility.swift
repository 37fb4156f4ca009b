/// The enrolment rules a fund's policy may set on the loan and its borrower, each only when
/// the policy sets it: the borrower's region, a principal cap by firm size, and a rate cap
/// over the 1-year LPR. (Leverage, the bank's quota and the borrower's yearly cap concern the
/// fund's whole book, and the fund decides them: `Fund+Cover.swift`.)
extension Loan {
    static func checkEligibility(_ o: LoanCommand.Origination, fundId: FundId, fund: FundState, policy: FundPolicy, context: LoanContext)
        throws
    {
        let registration = context.borrower?.registration
        if policy.borrowerInRegion, let fundRegion = fund.region, let region = registration?.region {
            let prefix = regionPrefix(fundRegion)
            guard region.value.hasPrefix(prefix) else {
                throw DomainError(
                    .policyViolation, field: "borrower",
                    "borrower \(o.borrower) is registered in \(region), outside fund \(fundId)'s region \(fundRegion) (codes \(prefix)…)")
            }
        }
        if let caps = policy.maxPrincipalFenByFirmSize {
            guard let size = context.borrower?.firmSize(on: o.originatedOn) else {
                throw DomainError(
                    .invalidState, field: "borrower",
                    "fund \(fundId) caps principal by firm size, and borrower \(o.borrower) has no firm size on \(o.originatedOn); record it (micro, small, medium or large) first"
                )
            }
            guard let cap = caps[size] else {
                throw DomainError(
                    .policyViolation, field: "borrower",
                    "fund \(fundId) covers loans to \(caps.named.map(\.size.rawValue).joined(separator: ", ")) firms only; borrower \(o.borrower) is \(size.rawValue)"
                )
            }
            guard o.principal <= cap else {
                throw DomainError(
                    .policyViolation, field: "principal_fen",
                    "principal \(o.principal) is above fund \(fundId)'s cap of \(cap) per loan to a \(size.rawValue) firm")
            }
        }
        if let spread = policy.maxRateOverLprBp {
            guard let lpr = context.lpr?.rate(.oneYear, on: o.originatedOn) else {
                throw DomainError(
                    .invalidState, field: "rate_bp",
                    "fund \(fundId) caps rates at the 1-year LPR + \(spread.value) bp, and no 1-year LPR in force on \(o.originatedOn) is recorded; record the LPR fixing (tenor 1y, effective on or before \(o.originatedOn)) first"
                )
            }
            let cap = Bp(lpr.rateBp.value + spread.value)
            guard o.rate <= cap else {
                throw DomainError(
                    .policyViolation, field: "rate_bp",
                    "rate \(o.rate.value) bp is above fund \(fundId)'s cap of \(cap.value) bp (1-year LPR \(lpr.rateBp.value) bp from \(lpr.effectiveOn) + \(spread.value) bp)"
                )
            }
        }
    }

    /// A region code with its trailing "00" pairs stripped: 211300 → 2113, 210000 → 21;
    /// the codes under it are those that start with it.
    static func regionPrefix(_ region: RegionCode) -> String {
        var code = Substring(region.value)
        while code.count > 2, code.hasSuffix("00") { code = code.dropLast(2) }
        return String(code)
    }
}
