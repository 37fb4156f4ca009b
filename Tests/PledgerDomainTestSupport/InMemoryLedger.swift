import Foundation
import PledgerDomain

/// The workflow without a database: folds streams held in memory, decides, and appends
/// with dense versions and positions — the same steps `CommandHandler` takes against
/// Postgres, so domain rules can be exercised by the thousand in milliseconds.
public struct InMemoryLedger {
    public var streams: [StreamRef: [RecordedEvent]] = [:]
    public var log: [RecordedEvent] = []
    private var session = LedgerSession(missingStreamsAreEmpty: true)
    private var nextId: UInt64 = 1

    public init() {}

    /// Runs a command; on refusal nothing changes and the `DomainError` is rethrown.
    /// `ids` gives the event ids to use (e.g. the ones Postgres recorded), else they are made up.
    @discardableResult
    public mutating func run(_ command: LedgerCommand, ids: [UUID]? = nil) throws -> [RecordedEvent] {
        var used = 0
        var counter = nextId
        let written = try session.run(command, at: RecordedTime(microseconds: Int64(log.count))) {
            defer {
                used += 1
                counter += 1
            }
            return ids?[used] ?? Self.makeId(counter)
        }
        nextId = counter
        for (recorded, entry) in zip(written, session.recorded.suffix(written.count)) {
            // Every event must survive its canonical JSON unchanged.
            let decoded = try LedgerEvent.decode(
                type: recorded.event.type, schema: recorded.event.schema, data: CanonicalJSON.string(try recorded.event.jsonData()))
            precondition(decoded == recorded.event, "round trip changed \(recorded.event.type)")
            streams[entry.stream, default: []].append(recorded)
            log.append(recorded)
        }
        return written
    }

    /// The states as decided so far, without folding anything (cheap; the folds below
    /// rebuild a stream from its events).
    public var decided: AggregateStates { session.states }

    /// The states a command would be decided on (everything the session holds).
    public func states(for command: LedgerCommand) -> AggregateStates {
        var states = session.states
        for ref in command.reads(states) where !states.isLoaded(ref) { states.markLoaded(ref) }
        return states
    }

    /// Every stream's state as the ledger holds it now (for reports over all loans).
    public var states: AggregateStates { session.states }

    public func fund(_ id: FundId) -> FundState { fold(.fund(id)).funds[id]! }
    public func loan(_ key: LoanKey) -> LoanState { fold(.loan(key)).loans[key]! }
    public func asset(_ id: AssetId) -> AssetState { fold(.asset(id)).assets[id]! }
    public func borrower(_ uscc: Uscc) -> BorrowerState { fold(.borrower(uscc)).borrowers[uscc]! }
    public func lpr() -> LprState { fold(.lpr).lpr }
    public func scheme(_ id: SchemeId) -> SchemeState { fold(.scheme(id)).schemes[id]! }
    public func subsidy(_ id: SubsidyProgrammeId) -> SubsidyState { fold(.subsidy(id)).subsidies[id]! }
    public func insurer(_ id: InsurerId) -> InsurerBookState { fold(.insurer(id)).insurers[id]! }

    public func fold(_ ref: StreamRef) -> AggregateStates {
        var states = AggregateStates()
        states.markLoaded(ref)
        for recorded in streams[ref] ?? [] { states.apply(recorded, to: ref) }
        return states
    }

    private static func makeId(_ n: UInt64) -> UUID {
        UUID(
            uuid: (
                0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, UInt8(n >> 40 & 0xFF), UInt8(n >> 32 & 0xFF), UInt8(n >> 24 & 0xFF),
                UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)
            ))
    }
}
