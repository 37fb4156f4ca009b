import Foundation
import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Event catalogue round trips")
struct EventRoundTripTests {
    static let d = date("2024-03-01")
    static let loan = loanKey("LCRCB", "C-1")
    static let policy = examplePolicy

    /// One instance of every event type in the catalogue.
    static let samples: [LedgerEvent] = [
        .fundEstablished(
            FundEstablished(fundId: fundId("F"), name: "龙城 \"基金\"\n", region: try! RegionCode("211303"), policy: policy, establishedOn: d)),
        .fundPolicyAmended(FundPolicyAmended(policy: policy, effectiveOn: d, reason: "annual review / 年度", appliesTo: .newEnrolments)),
        .fundPolicyAmended(FundPolicyAmended(policy: fullPolicy, effectiveOn: d, reason: "eligibility rules", appliesTo: .allLoans)),
        .fundEstablished(
            FundEstablished(fundId: fundId("F2"), name: "F2", region: try! RegionCode("211300"), policy: fullPolicy, establishedOn: d)),
        .fundContributionReceived(
            FundContributionReceived(amountFen: yuan("1.23"), contributor: .province, receivedOn: d, reference: "辽财指〔2024〕1号")),
        .bankJoined(BankJoined(bankId: bankId("B"), agreement: "协议", effectiveOn: d)),
        .fundSuspended(FundSuspended(suspendedOn: d, reason: "NPL")),
        .fundResumed(FundResumed(resumedOn: d, reason: "ok")),
        .compensationCommitted(
            CompensationCommitted(
                bankId: loan.bank, contractNo: loan.contract, borrower: uscc("91512081MA62K0260E"), claimNo: 1, amountFen: yuan("9.99"),
                approvedOn: d)),
        .compensationDisbursed(
            CompensationDisbursed(
                bankId: loan.bank, contractNo: loan.contract, borrower: uscc("91512081MA62K0260E"), claimNo: 1, amountFen: yuan("9.99"),
                paidOn: d, paymentRef: "P")),
        .recoveryShareReceived(
            RecoveryShareReceived(
                bankId: loan.bank, contractNo: loan.contract, recoveryNo: 2, amountFen: yuan("0.01"), returnedOn: d, reference: "R")),
        .bankRegistered(BankRegistered(bankId: bankId("B"), name: "Bank", licence: "L")),
        .borrowerRegistered(
            BorrowerRegistered(
                uscc: uscc("91512081MA62K0260E"), name: "Co 😀", industry: try! IndustryCode("C3841"), region: try! RegionCode("211303"),
                techSme: true)),
        .borrowerRegistered(
            BorrowerRegistered(
                uscc: uscc("91512081MA62K0260E"), name: "Co", industry: try! IndustryCode("C38"), region: try! RegionCode("211303"),
                techSme: false, firmSize: .micro)),
        .borrowerFirmSizeRecorded(BorrowerFirmSizeRecorded(firmSize: .medium, recordedOn: d)),
        .assetRegistered(
            AssetRegistered(
                assetId: assetId("A"), kind: .geographicalIndication, registryNo: "R", title: "T\\t", owner: uscc("91512081MA62K0260E"))),
        .assetValued(
            AssetValued(
                valuationId: valuationId("V"), appraiser: "A", method: .market, valueFen: Money(fen: JSONValue.maxSafeInteger), valuedOn: d,
                reportRef: "r")),
        .assetPledged(
            AssetPledged(bankId: loan.bank, contractNo: loan.contract, registrationNo: "Y", valuationId: valuationId("V"), pledgedOn: d)),
        .assetPledgeReleased(AssetPledgeReleased(bankId: loan.bank, contractNo: loan.contract, releasedOn: d, reason: "closed")),
        .loanOriginated(
            LoanOriginated(
                bankId: loan.bank, contractNo: loan.contract, borrower: uscc("91512081MA62K0260E"), principalFen: yuan("100.00"),
                rateBp: Bp(385),
                originatedOn: d, maturesOn: d.adding(months: 12),
                collateral: [
                    Collateral(
                        assetId: assetId("A"), kind: .patent, valuationId: valuationId("V"), appraisedValueFen: yuan("200.00"),
                        registrationNo: "Y")
                ],
                pledgeRateBp: Bp(5000), fundId: nil)),
        .repaymentReceived(RepaymentReceived(principalFen: .zero, interestFen: yuan("1.00"), paidOn: d)),
        .loanDefaulted(
            LoanDefaulted(
                defaultedOn: d, missedDueOn: d.adding(days: -91), daysOverdue: 91, outstandingFen: yuan("100.00"), classification: .loss)),
        .compensationClaimed(CompensationClaimed(claimNo: 1, amountFen: yuan("40.00"), claimedOn: d, limitFen: yuan("40.00"))),
        .compensationApproved(CompensationApproved(claimNo: 1, amountFen: yuan("40.00"), approvedOn: d)),
        .compensationRejected(CompensationRejected(claimNo: 1, rejectedOn: d, reason: "x")),
        .compensationPaid(CompensationPaid(claimNo: 1, amountFen: yuan("40.00"), paidOn: d, paymentRef: "P", remainingFen: yuan("0.01"))),
        .recoveryReceived(RecoveryReceived(recoveryNo: 1, amountFen: yuan("5.00"), receivedOn: d, source: "auction")),
        .recoveryReturnedToFund(RecoveryReturnedToFund(recoveryNo: 1, amountFen: yuan("2.00"), returnedOn: d, reference: "R")),
        .loanWrittenOff(LoanWrittenOff(writtenOffOn: d, amountFen: yuan("53.00"), reason: "gone")),
        .loanClosed(LoanClosed(closedOn: d)),
        .loanCancelled(LoanCancelled(cancelledOn: d, reason: "error")),
        .entryReversed(
            EntryReversed(
                reversedEventId: UUID(uuidString: "0b7c3a52-2f5e-4b8e-9a57-1d2c3e4f5a60")!, reversedType: "RepaymentReceived",
                reversedOn: d, reason: "bounced")),
        .coverGranted(
            CoverGranted(
                bankId: loan.bank, contractNo: loan.contract, borrower: uscc("91512081MA62K0260E"), principalFen: yuan("100.00"),
                enrolledOn: d)),
        .coverDefaulted(CoverDefaulted(bankId: loan.bank, contractNo: loan.contract, outstandingFen: yuan("60.00"), defaultedOn: d)),
        .coverReleased(CoverReleased(bankId: loan.bank, contractNo: loan.contract, releasedOn: d, cause: .cancelled)),
        .bankEnrolmentSuspended(BankEnrolmentSuspended(bankId: loan.bank, suspendedOn: d, reason: "NPL 6.1%")),
        .bankEnrolmentResumed(BankEnrolmentResumed(bankId: loan.bank, resumedOn: d, reason: "ok")),
        .lprPublished(LprPublished(tenor: .oneYear, rateBp: Bp(310), effectiveOn: d)),
        .lprPublished(LprPublished(tenor: .fiveYears, rateBp: Bp(360), effectiveOn: d)),
        .compensationWithdrawn(
            CompensationWithdrawn(claimNo: 2, withdrawnOn: d, reason: "bank withdrew / 撤回", amountFen: yuan("200,000.00"))),
        .compensationReleased(
            CompensationReleased(
                bankId: loan.bank, contractNo: loan.contract, borrower: uscc("91512081MA62K0260E"), claimNo: 2,
                amountFen: yuan("200,000.00"), releasedOn: d)),
        .fundInterestCredited(FundInterestCredited(amountFen: yuan("1,234.56"), creditedOn: d, reference: "结息 2024Q1")),
        .fundBankCharged(FundBankCharged(amountFen: yuan("15.00"), chargedOn: d, reference: "FEE-1", description: "账户管理费")),
        .fundContributionReturned(
            FundContributionReturned(
                amountFen: yuan("100.00"), contributor: .city, returnedOn: d, reference: "R-1", reason: "budget adjustment")),
        .fundTransferredOut(FundTransferredOut(toFundId: fundId("G"), amountFen: yuan("10.00"), transferredOn: d, reference: "T-1")),
        .fundTransferredIn(FundTransferredIn(fromFundId: fundId("F"), amountFen: yuan("10.00"), transferredOn: d, reference: "T-1")),
        .schemeAgreed(
            SchemeAgreed(
                schemeId: schemeId("ZS"), name: "中山 54:26:16:4",
                parties: [
                    SchemeParty(role: .fund, partyId: partyId("F"), shareBp: Bp(5400), capFen: yuan("2,000,000.00")),
                    SchemeParty(role: .bank, partyId: nil, shareBp: Bp(4600)),
                ], effectiveOn: d)),
        .schemeRevised(
            SchemeRevised(version: 2, parties: [SchemeParty(role: .bank, partyId: nil, shareBp: Bp(10_000))], effectiveOn: d, reason: "续签")),
        .schemeLoanEnrolled(SchemeLoanEnrolled(bankId: loan.bank, contractNo: loan.contract, version: 1, enrolledOn: d)),
        .loanEnrolledInScheme(LoanEnrolledInScheme(schemeId: schemeId("ZS"), version: 1, enrolledOn: d)),
        .lossShared(
            LossShared(
                schemeId: schemeId("ZS"), version: 1, lossFen: yuan("100.00"),
                shares: [
                    PartyShare(role: .bank, partyId: nil, shareBp: Bp(4600), dueFen: yuan("46.00"), capped: false),
                    PartyShare(role: .insurer, partyId: partyId("PICC"), shareBp: Bp(5400), dueFen: yuan("54.00"), capped: true),
                ], sharedOn: d)),
        .lossShareSettled(
            LossShareSettled(role: .insurer, partyId: partyId("PICC"), amountFen: yuan("54.00"), settledOn: d, reference: "P-1")),
        .recoveryShared(
            RecoveryShared(
                recoveryNo: 1, shares: [RecoveryPartShare(role: .bank, partyId: nil, amountFen: yuan("4.60"))], sharedOn: d,
                reference: "R-1")),
        .schemeShareDisbursed(
            SchemeShareDisbursed(
                schemeId: schemeId("ZS"), bankId: loan.bank, contractNo: loan.contract, amountFen: yuan("1.00"), paidOn: d, reference: "S-1"
            )),
        .schemeRecoveryShareReceived(
            SchemeRecoveryShareReceived(
                schemeId: schemeId("ZS"), bankId: loan.bank, contractNo: loan.contract, recoveryNo: 1, amountFen: yuan("0.54"),
                returnedOn: d, reference: "R-1")),
        .subsidyProgrammeEstablished(
            SubsidyProgrammeEstablished(
                programmeId: try! SubsidyProgrammeId("TX"), name: "贴息", kind: .interest, rateBp: Bp(5000), capFen: yuan("500,000.00"),
                budgetFen: yuan("10,000,000.00"), startsOn: d, endsOn: d)),
        .interestSubsidyApplied(
            InterestSubsidyApplied(
                applicationNo: 1, borrower: uscc("91512081MA62K0260E"), year: 2024, loans: [loan], interestFen: yuan("1.00"),
                entitlementFen: yuan("0.50"), appliedOn: d)),
        .appraisalFeeSubsidyApplied(
            AppraisalFeeSubsidyApplied(
                applicationNo: 2, borrower: uscc("91512081MA62K0260E"), assetId: assetId("A"), valuationId: valuationId("V1"),
                feeFen: yuan("2.00"), invoiceRef: "INV", entitlementFen: yuan("1.00"), appliedOn: d)),
        .subsidyApproved(SubsidyApproved(applicationNo: 1, amountFen: yuan("0.50"), approvedOn: d)),
        .subsidyRejected(SubsidyRejected(applicationNo: 2, rejectedOn: d, reason: "r")),
        .subsidyPaid(SubsidyPaid(applicationNo: 1, amountFen: yuan("0.50"), paidOn: d, reference: "P")),
        .loanInsured(
            LoanInsured(
                insurerId: insurerId("PICC"), policyNo: policyNo("P-1"), sumInsuredFen: yuan("100.00"), premiumFen: yuan("3.00"),
                coverShareBp: Bp(2600), startsOn: d, endsOn: date("2025-03-01"), issuedOn: d)),
        .policyIssued(
            PolicyIssued(
                insurerId: insurerId("PICC"), policyNo: policyNo("P-1"), bankId: loan.bank, contractNo: loan.contract,
                insured: uscc("91512081MA62K0260E"), schemeId: schemeId("ZS"), sumInsuredFen: yuan("100.00"), premiumFen: yuan("3.00"),
                coverShareBp: Bp(2600), startsOn: d, endsOn: date("2025-03-01"), issuedOn: d)),
        .policyClaimSettled(
            PolicyClaimSettled(
                policyNo: policyNo("P-1"), bankId: loan.bank, contractNo: loan.contract, amountFen: yuan("26.00"), settledOn: d,
                reference: "赔-1")),
        .loanPolicyCancelled(
            LoanPolicyCancelled(insurerId: insurerId("PICC"), policyNo: policyNo("P-1"), cancelledOn: d, reason: "录入错误")),
        .policyCancelled(
            PolicyCancelled(policyNo: policyNo("P-1"), bankId: loan.bank, contractNo: loan.contract, cancelledOn: d, reason: "录入错误")),
        .premiumSubsidised(
            PremiumSubsidised(policyNo: policyNo("P-1"), fundId: fundId("LC-IPRC"), amountFen: yuan("1.50"), paidOn: d, reference: "补-1")),
        .premiumSubsidyPaid(
            PremiumSubsidyPaid(
                insurerId: insurerId("PICC"), policyNo: policyNo("P-1"), bankId: loan.bank, contractNo: loan.contract,
                insured: uscc("91512081MA62K0260E"), amountFen: yuan("1.50"), paidOn: d, reference: "补-1")),
    ]

    /// A policy with every optional eligibility rule set.
    static let fullPolicy: FundPolicy = {
        var policy = examplePolicy
        policy.maxPrincipalFenByFirmSize = FirmSizeCaps(
            micro: yuan("2,000,000.00"), small: yuan("6,000,000.00"), medium: yuan("6,000,000.00"))
        policy.maxPrincipalPerFirmPerYearFen = yuan("8,000,000.00")
        policy.maxRateOverLprBp = Bp(150)
        policy.borrowerInRegion = true
        policy.bankQuotaFen = yuan("50,000,000.00")
        return policy
    }()

    @Test("every event type has a sample")
    func complete() {
        #expect(Set(Self.samples.map(\.type)) == Set(LedgerEvent.knownTypes))
    }

    @Test("every event type survives canonical JSON unchanged", arguments: samples)
    func roundTrip(event: LedgerEvent) throws {
        let text = CanonicalJSON.string(try event.jsonData())
        #expect(try CanonicalJSON.canonicalize(text) == text)
        #expect(try LedgerEvent.decode(type: event.type, schema: event.schema, data: text) == event)
        #expect(!text.contains("Fen\"") && !text.contains("On\""), "keys are snake_case: \(text)")
    }
}
