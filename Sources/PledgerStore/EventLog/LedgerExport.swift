import Foundation
import PledgerDomain

/// Streams the log as JSON Lines (docs/ledger-format.md), one page in memory at a time.
public struct LedgerExport: Sendable {
    public let store: EventStore
    public var pageSize = 5000

    public init(store: EventStore) { self.store = store }

    /// Writes positions `from…to` (to the head when `to` is nil); returns how many.
    public func write(from: Int64, to: Int64?, into handle: FileHandle, progress: (Int64, Int64) -> Void = { _, _ in }) async throws
        -> Int64
    {
        let last: Int64
        if let to { last = to } else { last = try await store.head().position }
        var cursor = from - 1
        var written: Int64 = 0
        while cursor < last {
            let page = try await store.read(after: cursor, limit: Int(min(Int64(pageSize), last - cursor)))
            guard let tail = page.last else { break }
            var chunk = [UInt8]()
            chunk.reserveCapacity(page.count * 600)
            for event in page {
                chunk.append(contentsOf: event.envelope.exportLine(previous: event.prevHash, hash: event.hash).utf8)
                chunk.append(UInt8(ascii: "\n"))
            }
            try handle.write(contentsOf: chunk)
            written += Int64(page.count)
            cursor = tail.position
            progress(cursor - from + 1, last - from + 1)
        }
        return written
    }
}
