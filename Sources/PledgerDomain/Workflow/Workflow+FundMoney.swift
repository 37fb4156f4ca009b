/// Fund acts that write more than the fund's own stream: a transfer between funds writes
/// both funds; paying the queue writes the fund's disbursements and each loan's payment —
/// all in one atomic append. Commands that only such acts may issue are refused here.
extension Workflow {
    /// The writes of a fund act, or nil when the fund decides the command alone.
    static func decideFundAct(_ id: FundId, _ command: FundCommand, _ states: AggregateStates) throws -> [StreamWrite]? {
        switch command {
        case .transferOut(let destination, let amount, let on, let reference):
            guard destination != id else { throw DomainError.invalid("to_fund_id", "a fund cannot transfer to itself") }
            let out = try Fund.decide(command, states.funds[id] ?? FundState())
            guard let target = states.funds[destination], target.exists else {
                throw DomainError(.notFound, field: "to_fund_id", "fund \(destination) does not exist")
            }
            let into = try Fund.decide(.transferIn(from: id, amount: amount, transferredOn: on, reference: reference), target)
            return [StreamWrite(stream: .fund(id), events: out), StreamWrite(stream: .fund(destination), events: into)]

        case .transferIn:
            throw DomainError(
                .invalidState, field: "from_fund_id", "a transfer is recorded by the source fund's transfer out, which writes both funds")

        case .releaseCompensation:
            throw DomainError(.invalidState, field: "claim_no", "compensation is released by withdrawing the loan's claim")

        case .payPremiumSubsidy:
            throw DomainError(
                .invalidState, field: "policy_no", "a premium subsidy is paid on the insurer's policy, which writes the fund too")

        case .payQueue(let on, _, _):
            let fund = states.funds[id] ?? FundState()
            let disbursements = try Fund.decide(command, fund)
            var writes = [StreamWrite(stream: .fund(id), events: disbursements)]
            for event in disbursements {
                guard case .compensationDisbursed(let paid) = event else { continue }
                let key = LoanKey(bank: paid.bankId, contract: paid.contractNo)
                guard let loan = states.loans[key], loan.exists else {
                    throw DomainError(.notFound, field: "contract_no", "loan \(key) of fund \(id)'s queue is not loaded")
                }
                guard let open = loan.openClaim, open.number == paid.claimNo else {
                    throw DomainError(
                        .invalidState, field: "claim_no",
                        "fund \(id) queues claim \(paid.claimNo) of loan \(key), which the loan does not have open")
                }
                let events = try Loan.decide(
                    .payClaim(paidOn: on, paymentRef: paid.paymentRef, amount: paid.amountFen), loan, LoanContext(fund: fund))
                writes.append(StreamWrite(stream: .loan(key), events: events))
            }
            return writes

        default:
            return nil
        }
    }
}

/// Pledge insurance acts on an insurer's book. A policy and a claim enter the book through
/// the loan (which decides whether it may be insured and what the insurer owes); a premium
/// subsidy writes the book and the paying fund together.
extension Workflow {
    static func decideInsurerAct(_ id: InsurerId, _ command: InsurerCommand, _ states: AggregateStates) throws -> [StreamWrite] {
        let book = states.insurers[id] ?? InsurerBookState()
        switch command {
        case .recordPolicy, .recordClaim, .recordCancellation:
            throw DomainError(
                .invalidState, field: "policy_no",
                "a policy is recorded and cancelled through its loan, and a claim by the insurer's settlement of the loan's shared loss")
        case .subsidisePremium(let number, let fundId, _, _, _):
            let events = try InsurerBook.decide(command, book)
            guard case .premiumSubsidised(let subsidy) = events.first, let policy = book.policies[number] else {
                preconditionFailure("InsurerBook.decide answers a premium subsidy with PremiumSubsidised on a policy it has")
            }
            guard let fund = states.funds[fundId], fund.exists else {
                throw DomainError(.notFound, field: "fund_id", "fund \(fundId) does not exist")
            }
            let pay = FundCommand.payPremiumSubsidy(
                PremiumSubsidyPaid(
                    insurerId: id, policyNo: number, bankId: policy.issued.bankId, contractNo: policy.issued.contractNo,
                    insured: policy.issued.insured, amountFen: subsidy.amountFen, paidOn: subsidy.paidOn, reference: subsidy.reference))
            return [
                StreamWrite(stream: .insurer(id), events: events), StreamWrite(stream: .fund(fundId), events: try Fund.decide(pay, fund)),
            ]
        }
    }
}
