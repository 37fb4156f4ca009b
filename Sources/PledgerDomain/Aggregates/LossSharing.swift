/// How a scheme splits a loss, and a recovery back, to the fen. One place, so the decider,
/// the reports and the tests use the same arithmetic.
///
/// A loss: each party other than the bank gets `loss × share_bp ÷ 10000` rounded down, held
/// to its cap; the bank takes the rest (its own share, every party's rounding, and whatever
/// a cap held back). The shares add up to the loss exactly.
///
/// A recovery: shared in proportion to what each party paid of the loss (the bank: the loss
/// less what the others paid). Each party other than the bank gets `recovery × paid ÷ loss`
/// rounded down, never more than it has still to get back; the bank takes the rest up to
/// what it has still to get back, and anything beyond that goes to the other parties in the
/// scheme's order, each up to what it has still to get back. No party ever gets back more
/// than it paid, and once the whole loss is recovered every party has been paid back exactly.
public enum LossSharing {
    public static func split(loss: Money, parties: [SchemeParty]) throws -> [PartyShare] {
        var shares: [PartyShare] = []
        var others = Money.zero
        for party in parties where party.role != .bank {
            let proRata = try loss.applying(party.shareBp, rounding: .down)
            let due = party.capFen.map { min(proRata, $0) } ?? proRata
            shares.append(
                PartyShare(role: party.role, partyId: party.partyId, shareBp: party.shareBp, dueFen: due, capped: due < proRata))
            others = try others + due
        }
        let bankShare = parties.first { $0.role == .bank }?.shareBp ?? .zero
        let bank = PartyShare(role: .bank, partyId: nil, shareBp: bankShare, dueFen: try loss - others, capped: false)
        // The bank first, then the others in the scheme's order.
        return [bank] + shares
    }

    /// What each party bore so far: the others what they settled, the bank the rest.
    public static func paid(loss: Money, settled: [SchemePartyRef: Money], shares: [PartyShare]) -> [SchemePartyRef: Money] {
        var paid: [SchemePartyRef: Money] = [:]
        var others = Money.zero
        for share in shares where share.role != .bank {
            let amount = settled[share.ref] ?? .zero
            paid[share.ref] = amount
            others = others.adding(saturating: amount)
        }
        paid[.bank] = loss.subtracting(saturating: others)
        return paid
    }

    /// Each party's part of `recovery`, in the order of `shares` (bank first). `paid` and
    /// `recovered` are per party; `recovery` must not exceed the loss still unrecovered.
    public static func shareRecovery(
        _ recovery: Money, loss: Money, shares: [PartyShare], paid: [SchemePartyRef: Money], recovered: [SchemePartyRef: Money]
    ) throws -> [RecoveryPartShare] {
        guard loss.isPositive else { return [] }
        func left(_ ref: SchemePartyRef) -> Money {
            max(.zero, (paid[ref] ?? .zero).subtracting(saturating: recovered[ref] ?? .zero))
        }
        var parts: [SchemePartyRef: Money] = [:]
        var given = Money.zero
        for share in shares where share.role != .bank {
            let proRata = try recovery.scaled(by: (paid[share.ref] ?? .zero).fen, over: loss.fen, rounding: .down)
            let part = min(proRata, left(share.ref))
            parts[share.ref] = part
            given = try given + part
        }
        var rest = try recovery - given
        let bankPart = min(rest, left(.bank))
        parts[.bank] = bankPart
        rest = try rest - bankPart
        for share in shares where share.role != .bank && rest.isPositive {
            let room = try left(share.ref) - parts[share.ref]!
            let extra = min(rest, room)
            parts[share.ref] = try parts[share.ref]! + extra
            rest = try rest - extra
        }
        guard !rest.isPositive else {
            throw DomainError(.limitExceeded, field: "amount_fen", "the recovery exceeds what the parties have still to get back")
        }
        return shares.map { RecoveryPartShare(role: $0.role, partyId: $0.partyId, amountFen: parts[$0.ref] ?? .zero) }
    }
}
