import PledgerDomain

extension EventStore {
    /// Folds the log from its first event, in pages of 5000: the whole ledger, or what it
    /// said as of a business date, as known at a time, or up to a position. Reports' past
    /// views, the projector's rebuild and the reconciliation of the read models start here.
    public func replay(
        asOf: BusinessDate? = nil, knownAt: RecordedTime? = nil, toPosition: Int64? = nil,
        progress: (Int64, Int64) -> Void = { _, _ in }
    ) async throws -> LedgerFold {
        var fold = LedgerFold(asOf: asOf, knownAt: knownAt)
        let head = try await head().position
        let last = min(toPosition ?? head, head)
        var cursor: Int64 = 0
        reading: while cursor < last {
            try Task.checkCancellation()
            let page = try await read(after: cursor, limit: Int(min(5000, last - cursor)))
            guard let tail = page.last else { break }
            for stored in page where !fold.apply(try RecordedEvent(stored.envelope)) { break reading }
            cursor = tail.position
            progress(cursor, last)
        }
        return fold
    }
}
