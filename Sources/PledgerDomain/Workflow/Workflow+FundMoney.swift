/// Fund acts that write more than the fund's own stream: a transfer between funds writes
/// both funds, in one atomic append. Commands that only such acts may issue are refused here.
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
            throw DomainError(.invalidState, field: "from_fund_id", "a transfer is recorded by the source fund's transfer out, which writes both funds")

        default:
            return nil
        }
    }
}
