import Foundation
import PledgerDomain

/// The loans' and borrowers' events of the log, read once and written to a file per bucket of
/// borrowers (`BorrowerGroups`), so that a rebuild folds one group of buckets at a time without
/// reading the log once per group. The funds' events come in the same read and are folded as
/// they come (`funds`): read apart, a second pass of the server over the whole table, in
/// pages, they took it 0.9 s of a core more at national size and kept the read's end waiting. The files hold the rows as `COPY` sent them, each after its
/// length, in position order; they are under the system's temporary directory (`TMPDIR`),
/// readable by this user only, and removed by `remove()` (or by the next rebuild, once the
/// process that wrote them is gone). At national size they take about as much disk as those
/// events take in the `events` table.
final class SpilledGroups: Sendable {
    let groups: BorrowerGroups
    /// The fold of the funds' streams through the read's last position.
    let funds: AggregateStates
    private let directory: URL

    private init(groups: BorrowerGroups, funds: AggregateStates, directory: URL) {
        self.groups = groups
        self.funds = funds
        self.directory = directory
    }

    private static func file(_ bucket: Int, in directory: URL) -> URL { directory.appendingPathComponent("bucket-\(bucket)") }

    /// Reads the log's loans' and borrowers' events up to `last` into their buckets' files,
    /// folds its funds' events, and joins the buckets into groups of about `loansPerGroup`
    /// loans. Nil where the log does
    /// not name its funds', loans' and borrowers' streams plainly
    /// (`FoldedStreams.namesItsSources`, asked while the log is read): such a log is folded whole.
    static func write(_ store: EventStore, through last: Int64, loansPerGroup: Int, positionsPerRead: Int64 = 50_000) async throws
        -> SpilledGroups?
    {
        removeLeftovers()
        async let plain = FoldedStreams.namesItsSources(store, through: last)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            var groups = BorrowerGroups(buckets: BorrowerGroups.buckets(through: last, loansPerGroup: loansPerGroup))
            let funds = try await write(store, through: last, positionsPerRead: max(1, positionsPerRead), into: directory, buckets: &groups)
            guard try await plain else {
                try? FileManager.default.removeItem(at: directory)
                return nil
            }
            groups.join(loansPerGroup: loansPerGroup)
            return SpilledGroups(groups: groups, funds: funds, directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The loans' and borrowers' rows into their buckets' files; returns the fold of the funds'
    /// rows, each read's folded (decoded on every core) while the next is sorted.
    private static func write(
        _ store: EventStore, through last: Int64, positionsPerRead: Int64, into directory: URL, buckets groups: inout BorrowerGroups
    )
        async throws -> AggregateStates
    {
        let files = try (0..<groups.buckets).map { bucket in
            let path = Self.file(bucket, in: directory)
            guard FileManager.default.createFile(atPath: path.path, contents: nil) else {
                throw StoreError.configuration(
                    "cannot create \(path.path): set TMPDIR to a directory with room for the rebuild's files")
            }
            return try FileHandle(forWritingTo: path)
        }
        defer { for file in files { try? file.close() } }
        var buffers = [[UInt8]](repeating: [], count: groups.buckets)
        // About 32 MiB held in all, written a MiB or more at a time where the buckets are few.
        let flushAt = max(1 << 16, (1 << 25) / groups.buckets)
        func flush(_ bucket: Int) throws {
            try files[bucket].write(contentsOf: buffers[bucket])
            buffers[bucket].removeAll(keepingCapacity: true)
        }
        let (fundRows, feed) = AsyncStream.makeStream(of: (bytes: [UInt8], starts: [Int]).self)
        let funds = Task {
            // A fold that stopped (failed, cancelled) takes no more: the reading stops at its next page.
            defer { feed.finish() }
            var fold = LedgerFold()
            for await rows in fundRows {
                try Task.checkCancellation()
                for event in try await LogCopy.events(rows.bytes, at: rows.starts) { fold.apply(event) }
            }
            try Task.checkCancellation()
            return fold.states
        }
        /// The funds' fold, or its error; cancelled with the caller.
        func folded() async throws -> AggregateStates {
            try await withTaskCancellationHandler {
                try await funds.value
            } onCancel: {
                funds.cancel()
            }
        }
        defer {
            feed.finish()
            funds.cancel()
        }
        let copy = try await LogCopy.open(store)
        // A page of positions; the next is read while one is sorted into its buckets.
        @Sendable func page(after cursor: Int64) -> Task<(bytes: [UInt8], count: Int), any Error> {
            Task { try await copy.rows(after: cursor, through: min(last, cursor + positionsPerRead), streams: .readModelSources) }
        }
        var cursor: Int64 = 0
        var reading: Task<(bytes: [UInt8], count: Int), any Error>? = page(after: 0)
        defer { reading?.cancel() }
        while let current = reading {
            try Task.checkCancellation()
            let (bytes, count) = try await current.value
            cursor = min(last, cursor + positionsPerRead)
            reading = cursor < last ? page(after: cursor) : nil
            var funded: (bytes: [UInt8], starts: [Int]) = ([], [])
            try LogCopy.forEachRow(bytes, count: count) { row, stream, version, data in
                if stream.starts(with: FoldedStreams.fundPrefix.utf8) {
                    funded.starts.append(funded.bytes.count)
                    funded.bytes.append(contentsOf: bytes[row])
                    return
                }
                let name = String(decoding: stream, as: UTF8.self)
                guard let bucket = try groups.bucket(ofStream: name, version: version, data: data) else {
                    throw BorrowerGroups.Misplaced(
                        stream: name, why: "was read as a loan's or a borrower's stream and is named for neither")
                }
                withUnsafeBytes(of: UInt32(row.count).littleEndian) { buffers[bucket].append(contentsOf: $0) }
                buffers[bucket].append(contentsOf: bytes[row])
                if buffers[bucket].count >= flushAt { try flush(bucket) }
            }
            if !funded.starts.isEmpty, case .terminated = feed.yield(funded) {
                _ = try await folded()
                throw CancellationError()
            }
        }
        for bucket in 0..<groups.buckets { try flush(bucket) }
        feed.finish()
        return try await folded()
    }

    /// The fold of one group's events: its buckets' files read whole, their rows put back in
    /// the log's order (each row's first column is its position) and folded 20,000 at a time.
    /// In log order, not bucket after bucket: two streams of one aggregate (a borrower
    /// registered again in a stream named for another USCC, written behind the application's
    /// back) may lie in two buckets of a group, and the fold of the whole log applies their
    /// events in position order.
    func fold(group: Int) async throws -> LedgerFold {
        var bytes: [UInt8] = []
        for bucket in groups.groups[group] {
            try Task.checkCancellation()
            let file = try FileHandle(forReadingFrom: Self.file(bucket, in: directory))
            defer { try? file.close() }
            bytes.append(contentsOf: try file.readToEnd() ?? Data())
        }
        // Each row after its length; a row starts with its column count (2 bytes), its first
        // column's length (4) and the position (8), big-endian.
        var rows: [(position: Int64, start: Int)] = []
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let length =
                    offset + 4 <= raw.count ? Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) : 0
                guard length >= 14, offset + 4 + length <= raw.count else {
                    throw StoreError.corrupt("the rebuild's files for group \(group) end inside a row: were they changed meanwhile?")
                }
                rows.append((Int64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 10, as: Int64.self)), offset + 4))
                offset += 4 + length
            }
        }
        rows.sort { $0.position < $1.position }
        var fold = LedgerFold()
        for first in stride(from: 0, to: rows.count, by: 20_000) {
            try Task.checkCancellation()
            let starts = rows[first..<min(first + 20_000, rows.count)].map(\.start)
            for event in try await LogCopy.events(bytes, at: starts) { fold.apply(event) }
        }
        return fold
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private static let prefix = "pledger-rebuild-"

    /// Removes the files of rebuilds whose process is gone (a `kill -9`, a crash): named for
    /// the process that wrote them, they are kept while it runs.
    private static func removeLeftovers() {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "-" }), kill(pid, 0) == -1, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }
}
