import PledgerDomain

/// One stream at a time: its events decoded, and the state they fold to. Reads only; the
/// command handler keeps a cache of states on top of these for the streams it writes.
extension EventStore {
    /// Every event of one stream, decoded.
    public func events(of ref: StreamRef, fromVersion start: Int32 = 1) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var from = start
        while true {
            let page = try await read(stream: ref.name, fromVersion: from, limit: 5000)
            for stored in page { events.append(try RecordedEvent(stored.envelope)) }
            guard page.count == 5000, let last = page.last else { return events }
            from = last.envelope.version + 1
        }
    }

    /// The state of one stream, folded from its first event (empty if it has none).
    public func state(of ref: StreamRef) async throws -> AggregateStates {
        var states = AggregateStates()
        states.markLoaded(ref)
        for event in try await events(of: ref) { states.apply(event, to: ref) }
        return states
    }
}
