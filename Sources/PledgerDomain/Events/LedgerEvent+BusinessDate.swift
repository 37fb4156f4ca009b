extension LedgerEvent {
    /// The business (effective) date of the event, if it has one. Reports "as of" a date
    /// fold only events whose business date is on or before it; registrations have none
    /// and always count.
    public var businessDate: BusinessDate? {
        switch self {
        case .fundEstablished(let e): e.establishedOn
        case .fundPolicyAmended(let e): e.effectiveOn
        case .fundContributionReceived(let e): e.receivedOn
        case .bankJoined(let e): e.effectiveOn
        case .fundSuspended(let e): e.suspendedOn
        case .fundResumed(let e): e.resumedOn
        case .compensationCommitted(let e): e.approvedOn
        case .compensationDisbursed(let e): e.paidOn
        case .recoveryShareReceived(let e): e.returnedOn
        case .bankRegistered, .borrowerRegistered, .assetRegistered: nil
        case .assetValued(let e): e.valuedOn
        case .assetPledged(let e): e.pledgedOn
        case .assetPledgeReleased(let e): e.releasedOn
        case .loanOriginated(let e): e.originatedOn
        case .repaymentReceived(let e): e.paidOn
        case .loanDefaulted(let e): e.defaultedOn
        case .compensationClaimed(let e): e.claimedOn
        case .compensationApproved(let e): e.approvedOn
        case .compensationRejected(let e): e.rejectedOn
        case .compensationPaid(let e): e.paidOn
        case .recoveryReceived(let e): e.receivedOn
        case .recoveryReturnedToFund(let e): e.returnedOn
        case .loanWrittenOff(let e): e.writtenOffOn
        case .loanClosed(let e): e.closedOn
        case .loanCancelled(let e): e.cancelledOn
        case .entryReversed(let e): e.reversedOn
        case .coverGranted(let e): e.enrolledOn
        case .coverDefaulted(let e): e.defaultedOn
        case .coverReleased(let e): e.releasedOn
        case .bankEnrolmentSuspended(let e): e.suspendedOn
        case .bankEnrolmentResumed(let e): e.resumedOn
        case .lprPublished(let e): e.effectiveOn
        case .borrowerFirmSizeRecorded(let e): e.recordedOn
        case .compensationWithdrawn(let e): e.withdrawnOn
        case .compensationReleased(let e): e.releasedOn
        case .fundInterestCredited(let e): e.creditedOn
        case .fundBankCharged(let e): e.chargedOn
        case .fundContributionReturned(let e): e.returnedOn
        case .fundTransferredOut(let e): e.transferredOn
        case .fundTransferredIn(let e): e.transferredOn
        case .schemeAgreed(let e): e.effectiveOn
        case .schemeRevised(let e): e.effectiveOn
        case .schemeLoanEnrolled(let e): e.enrolledOn
        case .loanEnrolledInScheme(let e): e.enrolledOn
        case .lossShared(let e): e.sharedOn
        case .lossShareSettled(let e): e.settledOn
        case .recoveryShared(let e): e.sharedOn
        case .schemeShareDisbursed(let e): e.paidOn
        case .schemeRecoveryShareReceived(let e): e.returnedOn
        case .subsidyProgrammeEstablished(let e): e.startsOn
        case .interestSubsidyApplied(let e): e.appliedOn
        case .appraisalFeeSubsidyApplied(let e): e.appliedOn
        case .subsidyApproved(let e): e.approvedOn
        case .subsidyRejected(let e): e.rejectedOn
        case .subsidyPaid(let e): e.paidOn
        case .loanInsured(let e): e.issuedOn
        case .policyIssued(let e): e.issuedOn
        case .policyClaimSettled(let e): e.settledOn
        case .premiumSubsidised(let e): e.paidOn
        case .premiumSubsidyPaid(let e): e.paidOn
        case .loanPolicyCancelled(let e): e.cancelledOn
        case .policyCancelled(let e): e.cancelledOn
        }
    }
}
