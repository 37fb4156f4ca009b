import Logging
import PledgerDomain
import PostgresNIO

extension EventStore {
    /// Follows the log from `position` on: hands every later event to `handle`, in position
    /// order, in pages of at most `pageSize`, and waits for `NOTIFY` when it has caught up.
    /// Runs until the task is cancelled or `handle` throws.
    ///
    /// No position is ever skipped: positions are assigned under the head-row lock and
    /// become visible in that order, and LISTEN starts before the first read, so any commit
    /// after the read wakes the follower.
    public func follow(after position: Int64, pageSize: Int = 1000, _ handle: ([StoredEvent]) async throws -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.notifyChannel) { notifications in
                var checkpoint = position
                var wakeups = notifications.makeAsyncIterator()
                while !Task.isCancelled {
                    let page = try await Self.read(after: checkpoint, limit: pageSize, on: connection, logger: self.logger)
                    if let last = page.last {
                        try await handle(page)
                        checkpoint = last.position
                        if page.count == pageSize { continue }
                    }
                    guard try await wakeups.next() != nil else { return }
                }
            }
        }
    }
}
