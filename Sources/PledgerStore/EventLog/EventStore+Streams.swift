import PledgerDomain

/// One stream at a time: its events decoded, and the state they fold to. Reads only; the
/// process's `StateCache` keeps states on top of these for the commands, reports and projector.
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

    /// The state of one stream, folded from its first event (empty if it has none); with
    /// `asOf`, as it stood on that business date (the rule of `LedgerFold`: later entries
    /// skipped, corrections of the record kept).
    public func state(of ref: StreamRef, asOf: BusinessDate? = nil) async throws -> AggregateStates {
        var states = AggregateStates()
        try await load(ref, asOf: asOf, into: &states)
        return states
    }

    /// The states of many streams, each folded from its first event (up to `position`), a
    /// thousand streams per query: a report reading a scheme's thousands of loans makes a few
    /// round trips, not one per loan.
    public func states(of refs: [StreamRef], through position: Int64 = .max) async throws -> AggregateStates {
        var states = AggregateStates()
        var byName: [String: StreamRef] = [:]
        for ref in refs {
            states.markLoaded(ref)
            byName[ref.name] = ref
        }
        try await fold(streams: byName.keys.sorted(), through: position) { recorded in
            if let ref = byName[recorded.stream] { states.apply(recorded, to: ref) }
        }
        return states
    }

    /// Folds the named streams' events up to `position` into `states` (as of `asOf`: the rule
    /// of `LedgerFold`), each stream's kind read from the event that founded it; returns what
    /// each named stream holds (streams with no founding event up to `position` are left out,
    /// as a fold of the log leaves them). Streams are independent, so these are the states a
    /// fold of the whole log up to `position` gives them.
    public func load(
        streams names: some Collection<String>, through position: Int64, asOf: BusinessDate? = nil, into states: inout AggregateStates
    ) async throws -> [String: StreamRef] {
        var refs: [String: StreamRef] = [:]
        try await fold(streams: names.sorted(), through: position) { recorded in
            guard let ref = refs[recorded.stream] ?? StreamRef(founding: recorded.event) else { return }
            refs[recorded.stream] = ref
            if LedgerFold.leavesOut(recorded.event, asOf: asOf) { return }
            states.apply(recorded, to: ref)
        }
        return refs
    }

    /// One stream folded into `states` from version `from` up to `position` (as of `asOf`),
    /// 5000 events per query: memory does not grow with the stream (a fund's stream grows with
    /// every loan it covers).
    public func load(
        _ ref: StreamRef, from version: Int32 = 1, through position: Int64 = .max, asOf: BusinessDate? = nil,
        into states: inout AggregateStates
    ) async throws {
        states.markLoaded(ref)
        var from = version
        while true {
            let version = from
            let page = try await withConnection("read of \(ref.name)") { connection in
                try Self.decode(
                    await connection.allRows(
                        """
                        SELECT \(unescaped: Self.columns) FROM events
                        WHERE stream = \(ref.name) AND version >= \(version) AND position <= \(position) ORDER BY version LIMIT 5000
                        """, logger: self.logger))
            }
            for stored in page {
                let recorded = try RecordedEvent(stored.envelope)
                if !LedgerFold.leavesOut(recorded.event, asOf: asOf) { states.apply(recorded, to: ref) }
            }
            guard page.count == 5000, let last = page.last else { return }
            from = last.envelope.version + 1
        }
    }

    /// Each event of the named streams up to `position`, in stream then version order.
    private func fold(streams names: [String], through position: Int64, _ apply: (RecordedEvent) -> Void) async throws {
        for start in stride(from: 0, to: names.count, by: 1000) {
            let chunk = Array(names[start..<min(start + 1000, names.count)])
            let rows = try await withConnection("stream states") { connection in
                try await connection.allRows(
                    "SELECT \(unescaped: Self.columns) FROM events WHERE stream = ANY(\(chunk)) AND position <= \(position) ORDER BY stream, version",
                    logger: self.logger)
            }
            for stored in try Self.decode(rows) { apply(try RecordedEvent(stored.envelope)) }
        }
    }

    /// The streams written to at positions `after + 1 … through`.
    public func streams(changedAfter after: Int64, through: Int64) async throws -> Set<String> {
        try await withConnection("streams changed") { connection in
            var names = Set<String>()
            let rows = try await connection.query(
                "SELECT DISTINCT stream FROM events WHERE position > \(after) AND position <= \(through)", logger: self.logger)
            for try await name in rows.decode(String.self) { names.insert(name) }
            return names
        }
    }
}
