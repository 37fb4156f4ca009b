import Foundation
import PledgerDomain

/// The workflow without a database: folds streams held in memory, decides, and appends
/// with dense versions and positions — the same steps `CommandHandler` takes against
/// Postgres, so domain rules can be exercised by the thousand in milliseconds.
public struct InMemoryLedger {
    public var streams: [StreamRef: [RecordedEvent]] = [:]
    public var log: [RecordedEvent] = []
    private var nextId: UInt64 = 1

    /// Runs a command; on refusal nothing changes and the `DomainError` is rethrown.
    /// `ids` gives the event ids to use (e.g. the ones Postgres recorded), else they are made up.
    public init() {}

    @discardableResult
    public mutating func run(_ command: LedgerCommand, ids: [UUID]? = nil) throws -> [RecordedEvent] {
        let writes = try Workflow.decide(command, states(for: command))
        var written: [RecordedEvent] = []
        for write in writes {
            for event in write.events {
                // Every event must survive its canonical JSON unchanged.
                let decoded = try LedgerEvent.decode(type: event.type, schema: event.schema, data: CanonicalJSON.string(try event.jsonData()))
                precondition(decoded == event, "round trip changed \(event.type)")
                let recorded = RecordedEvent(
                    id: ids.map { $0[written.count] } ?? makeId(), stream: write.stream.name, version: Int32((streams[write.stream]?.count ?? 0) + 1),
                    position: Int64(log.count + 1), recordedAt: RecordedTime(microseconds: Int64(log.count)), event: event)
                streams[write.stream, default: []].append(recorded)
                log.append(recorded)
                written.append(recorded)
            }
        }
        return written
    }

    public func states(for command: LedgerCommand) -> AggregateStates {
        var states = AggregateStates()
        while true {
            let missing = command.reads(states).filter { !states.isLoaded($0) }
            if missing.isEmpty { return states }
            for ref in missing {
                states.markLoaded(ref)
                for recorded in streams[ref] ?? [] { states.apply(recorded, to: ref) }
            }
        }
    }

    public func fund(_ id: FundId) -> FundState { fold(.fund(id)).funds[id]! }
    public func loan(_ key: LoanKey) -> LoanState { fold(.loan(key)).loans[key]! }
    public func asset(_ id: AssetId) -> AssetState { fold(.asset(id)).assets[id]! }

    public func fold(_ ref: StreamRef) -> AggregateStates {
        var states = AggregateStates()
        states.markLoaded(ref)
        for recorded in streams[ref] ?? [] { states.apply(recorded, to: ref) }
        return states
    }

    private mutating func makeId() -> UUID {
        defer { nextId += 1 }
        let n = nextId
        return UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, UInt8(n >> 40 & 0xFF), UInt8(n >> 32 & 0xFF), UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)))
    }
}
