import PledgerDomainTestSupport

@testable import PledgerDomain

/// Loan snapshots made by hand for the growth tests: a real snapshot from `GrowthLedger`
/// with its date, principal, bank, borrower and region replaced. Each loan is pledged on one
/// patent, so slices by kind still add up.
enum Loans {
    static let template: LoanSnapshot = try! GrowthLedger().snapshots().first!

    static func loan(
        _ contract: String, _ on: String, _ principal: String, bank: String = "B1", borrower: Int = 1,
        region: String? = "211303", cancelled: Bool = false
    ) -> LoanSnapshot {
        var loan = template
        loan.contractNo = try! ContractNo(contract)
        loan.bankId = bankId(bank)
        loan.borrower = validUscc("91211303MA" + String(1_000_000 + borrower).suffix(7))
        loan.originatedOn = date(on)
        loan.principalFen = yuan(principal)
        loan.outstandingFen = yuan(principal)
        loan.principalByKind = [.init(kind: .patent, principalFen: yuan(principal))]
        loan.region = region.map { try! RegionCode($0) }
        loan.status = cancelled ? .cancelled : .active
        return loan
    }
}
