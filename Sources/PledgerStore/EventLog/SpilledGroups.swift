import Foundation
import PledgerDomain

/// The loans' and borrowers' events of the log, read once and written to a file per group of
/// borrowers (`BorrowerGroups`), so that a rebuild folds one group at a time without reading
/// the log once per group. The files hold the rows as `COPY` sent them, each after its length,
/// in position order; they are under the system's temporary directory (`TMPDIR`), readable by
/// this user only, and removed by `remove()` (or by the next rebuild, once the process that
/// wrote them is gone). At national size they take about as much disk
/// as those events take in the `events` table.
final class SpilledGroups: Sendable {
    let groups: BorrowerGroups
    private let directory: URL

    private init(groups: BorrowerGroups, directory: URL) {
        self.groups = groups
        self.directory = directory
    }

    private func file(_ group: Int) -> URL { directory.appendingPathComponent("group-\(group)") }

    /// Reads the log's loans' and borrowers' events up to `last` and writes each to its group's file.
    static func write(_ store: EventStore, groups: BorrowerGroups, through last: Int64) async throws -> SpilledGroups {
        removeLeftovers()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let spilled = SpilledGroups(groups: groups, directory: directory)
        do {
            try await spilled.write(store, through: last)
            return spilled
        } catch {
            spilled.remove()
            throw error
        }
    }

    private func write(_ store: EventStore, through last: Int64) async throws {
        let files = try (0..<groups.count).map { group in
            guard FileManager.default.createFile(atPath: file(group).path, contents: nil) else {
                throw StoreError.configuration(
                    "cannot create \(file(group).path): set TMPDIR to a directory with room for the rebuild's files")
            }
            return try FileHandle(forWritingTo: file(group))
        }
        defer { for file in files { try? file.close() } }
        var buffers = [[UInt8]](repeating: [], count: groups.count)
        func flush(_ group: Int) throws {
            try files[group].write(contentsOf: buffers[group])
            buffers[group].removeAll(keepingCapacity: true)
        }
        let copy = try await LogCopy.open(store)
        // A page of positions; the next is read while one is sorted into its groups.
        @Sendable func page(after cursor: Int64) -> Task<(bytes: [UInt8], count: Int), any Error> {
            Task { try await copy.rows(after: cursor, through: min(last, cursor + 50_000), streams: .loansAndBorrowers) }
        }
        var cursor: Int64 = 0
        var reading: Task<(bytes: [UInt8], count: Int), any Error>? = page(after: 0)
        defer { reading?.cancel() }
        while let current = reading {
            try Task.checkCancellation()
            let (bytes, count) = try await current.value
            cursor = min(last, cursor + 50_000)
            reading = cursor < last ? page(after: cursor) : nil
            try LogCopy.forEachRow(bytes, count: count) { row, stream in
                guard let group = groups.group(ofStream: String(decoding: stream, as: UTF8.self)) else { return }
                withUnsafeBytes(of: UInt32(row.count).littleEndian) { buffers[group].append(contentsOf: $0) }
                buffers[group].append(contentsOf: bytes[row])
                if buffers[group].count >= 1 << 22 { try flush(group) }
            }
        }
        for group in 0..<groups.count { try flush(group) }
    }

    /// The fold of one group's events, read from its file a few MiB at a time.
    func fold(group: Int) async throws -> LedgerFold {
        var fold = LedgerFold()
        let file = try FileHandle(forReadingFrom: file(group))
        defer { try? file.close() }
        var bytes: [UInt8] = []
        while true {
            try Task.checkCancellation()
            let chunk = try file.read(upToCount: 1 << 23) ?? Data()
            bytes.append(contentsOf: chunk)
            // Each row after its length: the whole rows here, and what is left of the last.
            var (starts, offset) = ([Int](), 0)
            while offset + 4 <= bytes.count {
                let length = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
                guard offset + 4 + length <= bytes.count else { break }
                starts.append(offset + 4)
                offset += 4 + length
            }
            for event in try await LogCopy.events(bytes, at: starts) { fold.apply(event) }
            bytes.removeFirst(offset)
            guard !chunk.isEmpty else { break }
        }
        guard bytes.isEmpty else {
            throw StoreError.corrupt("the rebuild's file for group \(group) ends inside a row: was it changed meanwhile?")
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
