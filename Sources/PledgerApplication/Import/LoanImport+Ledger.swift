import Foundation
import PledgerDomain
import PledgerStore

extension LoanImport {
    /// What an import did: loans written and recognised, and the problems — rows that do
    /// not parse, contracts whose rows disagree, loans the ledger's rules refuse — in line
    /// order.
    public struct Outcome: Sendable {
        public var problems: [Problem]
        public var imported: Int
        public var alreadyThere: Int
        /// Events decided for the loans imported (written only when `appended` is set).
        public var events: Int
        /// The last append; nil when nothing was written.
        public var appended: AppendResult? = nil
        /// Rows read (those an earlier run had written, and skipped, not counted).
        public var rows = 0
        /// Chunks checked, and how many of them were written.
        public var chunks = 0
        public var chunksWritten = 0
        /// Set when an earlier run of the same file stopped part way: its rows up to this
        /// line were in the ledger, so this run read on after it.
        public var resumedAfterLine: Int? = nil
    }

    /// How far an import has got, for a progress display.
    public enum Progress: Sendable {
        /// Every row up to `line` checked: `loans` loans so far.
        case checked(line: Int, loans: Int)
        /// Chunk `chunk` (1-based) of `of` written: rows through `line` are in the ledger,
        /// whose head is now `position`.
        case written(chunk: Int, of: Int, line: Int, position: Int64)
    }

    /// Loans checked, staged and later written together: a chunk is one atomic append of
    /// about 5.5 events a loan, and what the import holds in memory at a time.
    public static let defaultChunkLoans = 2000

    /// Imports a loans CSV read from disk a block at a time (see `run(_:ledger:…)`).
    public static func run(
        path: String, ledger: Ledger, skipInvalid: Bool, chunkLoans: Int = defaultChunkLoans, progress: (Progress) throws -> Void = { _ in }
    ) async throws -> Outcome {
        let fingerprint = try SpreadsheetReader.sha256(of: path)
        var reader = try SpreadsheetReader(path: path, required: required, optional: optional)
        return try await run(
            { try reader.next() }, path: path, fingerprint: fingerprint, ledger: ledger, skipInvalid: skipInvalid, chunkLoans: chunkLoans,
            progress: progress)
    }

    /// Imports the file's loans, chunk by chunk: every loan is checked against the ledger's
    /// rules (and the loans before it in the file) and staged first; nothing is written when
    /// there is a problem, unless `skipInvalid` (then the valid loans are written and the
    /// rest listed). Then the staged chunks are written in order, each one atomic append
    /// whose meta records the file's SHA-256 and the line it is written through — the
    /// checkpoint a re-run of an interrupted import resumes after. Loans already in the
    /// ledger with the same terms and collateral (a re-run of the file) are recognised and
    /// not written again.
    public static func run(
        _ file: SpreadsheetFile, ledger: Ledger, skipInvalid: Bool, chunkLoans: Int = defaultChunkLoans,
        progress: (Progress) throws -> Void = { _ in }
    ) async throws -> Outcome {
        var digest = Digest.Running()
        for row in [file.table.header] + file.table.rows.map(\.fields) { digest.update((CSV.line(row) + "\n").utf8) }
        var blocks = [file].makeIterator()
        return try await run(
            { blocks.next() }, path: file.path, fingerprint: digest.hex, ledger: ledger, skipInvalid: skipInvalid, chunkLoans: chunkLoans,
            progress: progress)
    }

    static func run(
        _ next: @escaping () throws -> SpreadsheetFile?, path: String, fingerprint: String, ledger: Ledger, skipInvalid: Bool,
        chunkLoans: Int, progress: (Progress) throws -> Void
    ) async throws -> Outcome {
        try await StagingArea.with(ledger.log) { staging in
            var check = ChunkedCheck(file: path, staging: staging)
            let first = try next()
            if let resumed = try await resumeLine(first, fingerprint: fingerprint, staging: staging) {
                check.outcome.resumedAfterLine = resumed
            }
            let chunks = RowChunks(
                file: path, chunkLoans: chunkLoans, skipThrough: check.outcome.resumedAfterLine ?? 0, first: first, next: next)
            // The next chunk is read and parsed while this one is decided.
            var ahead = Task { try chunks.next() }
            do {
                while let chunk = try await ahead.value {
                    ahead = Task { try chunks.next() }
                    try await check.check(chunk)
                    try progress(.checked(line: check.lastLine, loans: check.outcome.imported + check.outcome.alreadyThere))
                }
            } catch {
                // Neither the reader nor the staging connection is left in use.
                _ = try? await ahead.value
                try? await check.staged()
                throw error
            }
            var outcome = check.outcome
            outcome.problems.sort { $0.line < $1.line }
            guard outcome.problems.isEmpty || skipInvalid else {
                try await check.staged()
                return outcome
            }
            // Every chunk is decided; the first is written from memory while the last ones
            // are still being staged, the others read back from the staging table.
            let (allStaged, firstChunk) = (check.allStaged(), check.firstChunk)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let lines = check.chunkLines
            // The next chunk is read and made an append while this one is written.
            func request(_ index: Int) -> Task<AppendRequest?, any Error> {
                Task {
                    guard index < lines.count else { return nil }
                    let events: [StagingArea.Staged]
                    if index == 0, let firstChunk {
                        events = try await firstChunk.value
                    } else {
                        try await allStaged.value
                        events = try await staging.staged(chunk: index)
                    }
                    guard !events.isEmpty else { return nil }
                    let meta = try JSONObject([
                        ("actor", .string("import")), ("file", .string(name)), ("file_sha256", .string(fingerprint)),
                        ("through_line", .integer(Int64(lines[index]))), ("last_chunk", .bool(index == lines.count - 1)),
                    ])
                    return AppendRequest(staged: events, meta: meta)
                }
            }
            var next = request(0)
            var prepared: PreparedAppend?
            var writtenThrough: Int?
            var stoppedByCaller = false
            do {
                for (index, line) in lines.enumerated() {
                    let current = try await next.value
                    let following = request(index + 1)
                    next = following
                    guard let current else { continue }
                    do {
                        // The next chunk is planned while this one is written.
                        let written = try await ledger.log.append(current, prepared: prepared, preparingNext: { try await following.value })
                        (outcome.appended, prepared) = (written.result, written.next)
                    } catch AppendError.wrongExpectedVersion(let stream, _, _) {
                        let written = writtenThrough.map { "rows through line \($0) are in" } ?? "nothing was written"
                        throw ApplicationError.failure(
                            "\(name): \(stream) changed while this import was writing (another writer); \(written) — run the same import again to check and write the rest"
                        )
                    }
                    outcome.chunksWritten += 1
                    writtenThrough = line
                    do {
                        try progress(.written(chunk: index + 1, of: lines.count, line: line, position: outcome.appended!.lastPosition))
                    } catch {
                        stoppedByCaller = true
                        throw error
                    }
                }
            } catch {
                // The staging connection goes back to the pool only when nothing uses it.
                next.cancel()
                _ = try? await next.value
                _ = try? await allStaged.value
                // Whatever else stopped the rest (the database, the staging of a last chunk),
                // the chunks written are in the ledger: say so, and how to go on.
                if let writtenThrough, !stoppedByCaller, !(error is ApplicationError) {
                    throw ApplicationError.failure(
                        "\(name): stopped after rows through line \(writtenThrough) were written (\(error)) — run the same import again to check and write the rest"
                    )
                }
                throw error
            }
            // Every chunk is in the ledger; the staged copies are no longer needed, so a
            // failure to stage the last of them (an import of one chunk, written from memory)
            // changes nothing.
            _ = try? await allStaged.value
            return outcome
        }
    }

    /// The JSON member every append of one file's import has in its meta.
    static func checkpointMember(_ fingerprint: String) -> String { "\"file_sha256\":\"\(fingerprint)\"" }

    /// Where an earlier run of the same file (same contents) stopped, if it stopped before
    /// its last chunk: the newest checkpoint since the file's first loan was written.
    static func resumeLine(_ block: SpreadsheetFile?, fingerprint: String, staging: StagingArea) async throws -> Int? {
        guard let block, let first = block.table.rows.first, let key = try? Row(block, first).key,
            let meta = try await staging.newestMeta(containing: checkpointMember(fingerprint), since: StreamRef.loan(key).name),
            case .integer(let line)? = meta["through_line"], meta["last_chunk"] != .bool(true)
        else { return nil }
        return Int(line)
    }
}
