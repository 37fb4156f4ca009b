import PledgerDomain

extension EventStore {
    /// Folds the log from its first event: the whole ledger, or what it said as of a business
    /// date, as known at a time, or up to a position. Reports' past views, the projector's
    /// rebuild and the reconciliation of the read models start here. The next page is read and
    /// decoded (on every core: decoding is most of the work) while one is folded. `reading`:
    /// through the pool in pages of 5,000 (a server's past views), or with binary `COPY` in
    /// pages of 20,000 (`LogCopy`: the commands that fold the whole ledger; through the pool
    /// where libpq is not installed). `streams`: every stream, or only those the read models
    /// are made of (`FoldedStreams`; every stream where the log does not name them plainly).
    public func replay(
        asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, toPosition: Int64? = nil, reading: LogReading = .pool,
        streams: FoldedStreams = .all, progress: (Int64, Int64) -> Void = { _, _ in }
    ) async throws -> LedgerFold {
        var fold = LedgerFold(asOf: asOf, knownAt: knownAt)
        let head = try await head().position
        let last = min(toPosition ?? head, head)
        // A view known at a time reads every stream: its end is the last event recorded by then.
        let streams = knownAt == nil ? streams : .all
        // The names are checked while the log is read (each reads the whole log once).
        let checks = if case .readModelSources = streams { true } else { false }
        async let plain = checks ? FoldedStreams.namesItsSources(self, through: last) : true
        let pages = reading.copyPageSize.flatMap { LogCopy.isAvailable ? Int64($0) : nil }
        let copy = pages != nil && last > 0 ? try await LogCopy.open(self) : nil
        // Only events recorded by `knownAt` are decoded (recorded times never decrease along
        // the log): one a newer build wrote after the cut cannot stop the view. A page of only
        // other streams' events is empty, not the end.
        @Sendable func page(after cursor: Int64) async throws -> LogPage {
            guard cursor < last else { return LogPage(events: [], through: cursor, cut: true) }
            if let copy, let pages {
                return try await copy.page(after: cursor, through: min(last, cursor + pages), knownAt: knownAt, streams: streams)
            }
            let stored = try await read(after: cursor, limit: Int(min(5000, last - cursor)))
            let known = stored.prefix { stored in knownAt.map { stored.envelope.recordedAt <= $0 } ?? true }
            return LogPage(
                events: try await Array(known.filter { streams.includes($0.envelope.stream) }).mapOnEveryCore(minimum: 1000) {
                    try RecordedEvent($0.envelope)
                },
                through: known.last?.position ?? cursor, cut: known.count < stored.count || stored.isEmpty)
        }
        var current = try await page(after: 0)
        reading: while true {
            try Task.checkCancellation()
            let (cut, through) = (current.cut, current.through)
            async let following: LogPage? = cut ? nil : page(after: through)
            for recorded in current.events where !fold.apply(recorded) { break reading }
            fold.read(through: current.through)
            progress(current.through, last)
            guard let next = try await following else { break }
            current = next
        }
        if try await !plain {
            logger.notice("the log names some fund's, loan's or borrower's stream otherwise, or lacks an event: folding every stream")
            return try await replay(asOf: asOf, knownAt: knownAt, toPosition: last, reading: reading, progress: progress)
        }
        return fold
    }

    /// The last position recorded at or before `knownAt`: what a view "as known at" that
    /// time reads up to. Recorded times never decrease along the log, so it is a binary
    /// search over positions — a few dozen reads by primary key on one connection.
    public func lastPosition(knownAt: RecordedTime) async throws -> Int64 {
        let head = try await head()
        if let latest = head.recordedAt, latest <= knownAt { return head.position }
        guard head.position > 0 else { return 0 }
        return try await withConnection("position known at") { connection in
            // recorded(low) ≤ knownAt (position 0: before the first event), recorded(high) > knownAt.
            var (low, high) = (Int64(0), head.position)
            while high - low > 1 {
                let middle = low + (high - low) / 2
                let rows = try await connection.query(
                    "SELECT (extract(epoch FROM recorded_at) * 1000000)::int8 FROM events WHERE position = \(middle)", logger: self.logger)
                var recorded: Int64?
                for try await micros in rows.decode(Int64.self) { recorded = micros }
                guard let recorded else { throw StoreError.corrupt("the log has no event at position \(middle) below its head") }
                if RecordedTime(microseconds: recorded) <= knownAt { low = middle } else { high = middle }
            }
            return low
        }
    }
}
