import PledgerDomain
import PledgerDomainTestSupport
import PledgerStore

/// One month of a fund administrator's work, with every figure computed by hand, shared by
/// the command-line and the API tests so both drive the same acts to the same balances.
///
/// The bank's side comes first (what banks report through the API): a thin fund of
/// 300,000.00 covers a 5,000,000.00 loan that defaults with 3,200,000.00 outstanding, and
/// the bank claims 500,000.00 (40% of the loss would be 1,280,000.00; the claim is less).
/// Then the administrator: approves 500,000.00 on 2025-01-06, pays on 2025-01-10 what the
/// balance allows (300,000.00; 200,000.00 queued), receives 250,000.00 from the city on
/// 2025-01-15 and interest of 1,234.56 on 2025-01-21, pays the queue on 2025-01-22
/// (200,000.00), and ends the month with 51,234.56 — which the bank statement confirms.
public enum FundMonth {
    public static let fund = fundId("LC-IPRC")
    public static let bank = bankId("LCRCB")
    public static let loan = loanKey("LCRCB", "LC-2024-0001")

    /// What the banks reported before the month: fund, bank, borrower, patent, the loan, its
    /// default and the claim.
    public static var bankSide: [LedgerCommand] {
        let district = try! ExampleDistrictCommands(policy: thinFundPolicy, contributions: [(.province, "300,000.00")])
        return district.commands + [
            district.origination,
            .loan(loan, .repay(principal: yuan("1,800,000.00"), interest: yuan("96,250.00"), paidOn: date("2024-09-01"))),
            .loan(
                loan, .markDefaulted(on: date("2024-10-01"), missedDueOn: date("2024-09-01"), daysOverdue: 30, classification: .substandard)
            ),
            .loan(loan, .claimCompensation(amount: yuan("500,000.00"), claimedOn: date("2024-12-30"))),
        ]
    }

    /// Records the bank's side in a real store, as the banks' API calls would have.
    public static func recordBankSide(_ store: EventStore) async throws {
        let handler = CommandHandler(store: store)
        for command in bankSide { try await handler.handle(command) }
    }

    public static let approved = yuan("500,000.00"), approvedOn = "2025-01-06"
    public static let firstPaymentOn = "2025-01-10", firstPaymentRef = "龙财补〔2025〕1号"
    public static let paidFirst = yuan("300,000.00"), queuedAfterFirst = yuan("200,000.00")
    public static let cityContribution = yuan("250,000.00"), cityOn = "2025-01-15", cityRef = "朝财指〔2025〕3号"
    public static let interest = yuan("1,234.56"), interestOn = "2025-01-21", interestRef = "结息2025-01"
    public static let queuePaidOn = "2025-01-22", queueRef = "龙财补〔2025〕2号"
    public static let closingBalance = yuan("51,234.56")

    /// The fund account's statement for the month, as the bank prints it (CSV), which
    /// `pledger reconcile fund-account` must find clean.
    public static let statement = """
        date,amount_in,amount_out,counterparty,reference,balance
        2023-02-01,"300,000.00",,辽宁省财政厅,拨付-province,"300,000.00"
        2025-01-10,,"300,000.00",LCRCB,龙财补〔2025〕1号,0.00
        2025-01-15,"250,000.00",,朝阳市财政局,朝财指〔2025〕3号,"250,000.00"
        2025-01-21,"1,234.56",,开户行,结息2025-01,"251,234.56"
        2025-01-22,,"200,000.00",LCRCB,龙财补〔2025〕2号/1,"51,234.56"

        """
}

/// The commands that set up `ExampleDistrict`, for running them through a real store.
public struct ExampleDistrictCommands {
    public let commands: [LedgerCommand]
    public let origination: LedgerCommand

    public init(policy: FundPolicy, contributions: [(Contributor, String)]) throws {
        let example = try ExampleDistrict(contributions: contributions, policy: policy)
        commands = example.setupCommands
        origination = example.origination()
    }
}
