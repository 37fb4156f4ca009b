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
        try await fold(streams: byName.keys.sorted(), through: position, perQuery: 1000, ahead: 2) { recorded in
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
        try await load(streams: names, through: position, asOf: asOf, into: &states, perQuery: 1000, ahead: 2)
    }

    /// `load(streams:…)` with `perQuery` streams per query and `ahead` queries read ahead.
    func load(
        streams names: some Collection<String>, through position: Int64, asOf: BusinessDate?, into states: inout AggregateStates,
        perQuery: Int, ahead: Int
    ) async throws -> [String: StreamRef] {
        var refs: [String: StreamRef] = [:]
        try await fold(streams: names.sorted(), through: position, perQuery: perQuery, ahead: ahead) { recorded in
            guard let ref = refs[recorded.stream] ?? StreamRef(founding: recorded.event) else { return }
            refs[recorded.stream] = ref
            if LedgerFold.leavesOut(recorded.event, asOf: asOf) { return }
            states.apply(recorded, to: ref)
        }
        return refs
    }

    /// One stream folded into `states` from version `from` up to `position` (as of `asOf`),
    /// 5000 events per query: memory does not grow with the stream (a fund's stream grows with
    /// every loan it covers). As in `replay`, the next page is read and decoded (on every core)
    /// while one is folded: a national fund's stream is hundreds of thousands of events, read
    /// by every command and report that asks for the fund.
    public func load(
        _ ref: StreamRef, from version: Int32 = 1, through position: Int64 = .max, asOf: BusinessDate? = nil,
        into states: inout AggregateStates
    ) async throws {
        states.markLoaded(ref)
        let pageSize = 5000
        @Sendable func page(from version: Int32) async throws -> [RecordedEvent] {
            try await Self.recorded(
                withConnection("read of \(ref.name)") { connection in
                    try await connection.allRows(
                        """
                        SELECT \(unescaped: Self.columns) FROM events
                        WHERE stream = \(ref.name) AND version >= \(version) AND position <= \(position) ORDER BY version LIMIT \(Int64(pageSize))
                        """, logger: self.logger)
                })
        }
        @Sendable func page(after last: Int32?) async throws -> [RecordedEvent] {
            guard let last else { return [] }
            return try await page(from: last + 1)
        }
        var current = try await page(from: version)
        while true {
            let last = current.count == pageSize ? current.last?.version : nil
            async let following = page(after: last)
            for recorded in current where !LedgerFold.leavesOut(recorded.event, asOf: asOf) { states.apply(recorded, to: ref) }
            current = try await following
            if last == nil { return }
        }
    }

    /// Several streams folded into `states`, each from its own version on (the version after
    /// a state already restored into `states`, or 1), in one query (`pledger_stream_events`,
    /// sql/013, whose plan each connection keeps): a command's reads (a loan; then its fund,
    /// its assets, its scheme) cost one round trip a round, not one or two a stream. A stream
    /// named twice is read once, from its first mention's version. A stream with more than
    /// `pageSize` new events goes on a page at a time.
    public func load(_ reads: [(ref: StreamRef, from: Int32)], pageSize: Int = 1000, into states: inout AggregateStates) async throws {
        var named = Set<String>()
        let reads = reads.filter { named.insert($0.ref.name).inserted }
        guard !reads.isEmpty else { return }
        let names = reads.map(\.ref.name)
        let versions = reads.map(\.from)
        let rows = try await withConnection("read of \(reads.count) streams") { connection in
            try await connection.allRows(
                "SELECT * FROM pledger_stream_events(\(names), \(versions), \(Int32(clamping: pageSize)))", logger: self.logger)
        }
        var byName: [String: StreamRef] = [:]
        for read in reads {
            byName[read.ref.name] = read.ref
            states.markLoaded(read.ref)
        }
        var counts: [String: (count: Int, last: Int32)] = [:]
        for recorded in try await Self.recorded(rows) {
            guard let ref = byName[recorded.stream] else { continue }
            states.apply(recorded, to: ref)
            counts[recorded.stream, default: (0, 0)] = (counts[recorded.stream, default: (0, 0)].count + 1, recorded.version)
        }
        for (name, read) in counts where read.count == pageSize {
            try await load(byName[name]!, from: read.last + 1, into: &states)
        }
    }

    /// Each event of the named streams up to `position`, in stream then version order:
    /// `perQuery` streams per query (a thousand), the next `ahead` queries (two) read, each on
    /// a connection of its own, and decoded on every core while one is applied. With one
    /// read ahead, a national fund's past view waited on one PostgreSQL backend for 60 % of
    /// its time.
    private func fold(
        streams names: [String], through position: Int64, perQuery: Int, ahead: Int, _ apply: (RecordedEvent) -> Void
    ) async throws {
        let size = max(1, perQuery)
        let chunks = stride(from: 0, to: names.count, by: size).map { Array(names[$0..<min($0 + size, names.count)]) }
        @Sendable func events(_ index: Int) async throws -> [RecordedEvent] {
            let rows = try await withTransaction("stream states") { connection in
                // A thousand streams' events are a few thousand rows found by the index; the
                // planner's parallel plan for them started two worker processes per query,
                // and made a national fund's past view a fifth slower.
                try await connection.query("SET LOCAL max_parallel_workers_per_gather = 0", logger: self.logger)
                return try await connection.allRows(
                    "SELECT \(unescaped: Self.columns) FROM events WHERE stream = ANY(\(chunks[index])) AND position <= \(position) ORDER BY stream, version",
                    logger: self.logger)
            }
            return try await Self.recorded(rows)
        }
        try await withThrowingTaskGroup(of: (Int, [RecordedEvent]).self) { group in
            for index in 0..<min(max(1, ahead), chunks.count) { group.addTask { (index, try await events(index)) } }
            var read: [Int: [RecordedEvent]] = [:]
            for index in chunks.indices {
                while read[index] == nil, let (done, chunk) = try await group.next() { read[done] = chunk }
                let next = index + max(1, ahead)
                if next < chunks.count { group.addTask { (next, try await events(next)) } }
                for recorded in read.removeValue(forKey: index) ?? [] { apply(recorded) }
            }
        }
    }

    /// The streams with an event of `type` up to `position`. For the rare types a partial
    /// index covers (scheme agreements, sql/010; recoveries, sql/014) this reads a handful of
    /// index entries, not the log.
    public func streams(withEventOf type: String, through position: Int64) async throws -> [String] {
        try await withConnection("streams with \(type)") { connection in
            try await connection.allRows(
                "SELECT DISTINCT stream FROM events WHERE type = \(type) AND position <= \(position) ORDER BY stream", logger: self.logger
            ).map { try $0.decode(String.self) }
        }
    }

    /// The streams written to at positions `after + 1 … through`, each with whether any of
    /// those writes was an event of one of `types`. In one row of two arrays: a bank's minute of
    /// writes changes thousands of loans, and decoding as many rows one by one took 35 ms.
    public func streams(changedAfter after: Int64, through: Int64, noting types: Set<String> = []) async throws -> [String: Bool] {
        try await withConnection("streams changed") { connection in
            let rows = try await connection.query(
                """
                SELECT coalesce(array_agg(stream), '{}'), coalesce(array_agg(noted), '{}') FROM (
                    SELECT stream, bool_or(type = ANY(\(types.sorted()))) AS noted FROM events
                    WHERE position > \(after) AND position <= \(through) GROUP BY stream) changed
                """, logger: self.logger)
            var changed: [String: Bool] = [:]
            for try await (names, noted) in rows.decode(([String], [Bool]).self) {
                changed.reserveCapacity(names.count)
                for (name, noted) in zip(names, noted) { changed[name] = noted }
            }
            return changed
        }
    }
}
