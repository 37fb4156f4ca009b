import Logging
import PledgerDomain
import PostgresNIO

/// Funds' states written down (`stream_states`): a fund's state is read from here and the
/// events after it, not folded from the first event of a stream that grows with every loan
/// the fund covers (a national fund's: hundreds of thousands of events, seconds to fold).
/// The projector writes a fund's state in the transaction of the page that takes its stream
/// `every` events past the one stored; a rebuild writes every fund's. A stored state is read
/// only in this build's form (`FundState.storedForm`), only whole (every part, all at one
/// version) and only while the log's event at its version still has the hash it was stored
/// with.
enum StoredStates {
    /// Events of a fund's stream after its stored state before the projector writes it again:
    /// at most this many are folded on top of a stored state, and a national fund's state
    /// (tens of MiB of text) is written every few weeks of its events, not every page.
    static let every: Int32 = 20_000

    /// States made into their stored parts (on every core), to be written by `write`: made
    /// before the transaction that writes them, which holds the read models' checkpoint.
    struct Parts: Sendable {
        fileprivate var funds: [(id: FundId, version: Int32, parts: [String])] = []
        var isEmpty: Bool { funds.isEmpty }
        var versions: [FundId: Int32] { Dictionary(uniqueKeysWithValues: funds.map { ($0.id, $0.version) }) }

        init(_ states: [(id: FundId, state: FundState, version: Int32)]) async throws {
            let parts = try await states.mapOnEveryCore(minimum: 1) { try $0.state.storedParts() }
            funds = zip(states, parts).map { ($0.id, $0.version, $1) }
        }
    }

    /// Whether `stream_states` holds these parts and nothing else, each of this build's form,
    /// at its version, with the hash its event has in the log and the same text (compared by
    /// SHA-256): a rebuild of states that were right then writes none of them again (at
    /// national size tens of MiB of text, most of a second of the server's time).
    static func storedAlready(_ stored: Parts, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        // The parts' digests are taken while the server takes the stored ones.
        async let storedRows = connection.allRows(
            """
            SELECT s.stream, s.part, s.parts, s.version,
                   s.form = \(FundState.storedForm)
                   AND s.hash IS NOT DISTINCT FROM (SELECT e.hash FROM events e WHERE e.stream = s.stream AND e.version = s.version),
                   sha256(convert_to(s.state, 'UTF8'))
            FROM stream_states s
            """, logger: logger)
        var expected: [String: (parts: Int32, version: Int32, digest: [UInt8])] = [:]
        for fund in stored.funds {
            for (part, text) in fund.parts.enumerated() {
                expected["\(StreamRef.fund(fund.id).name) \(part)"] = (Int32(fund.parts.count), fund.version, Digest.sha256(text.utf8))
            }
        }
        let rows = try await storedRows
        guard rows.count == expected.count else { return false }
        for row in rows {
            let (stream, part, parts, version, current, digest) = try row.decode((String, Int32, Int32, Int32, Bool, ByteBuffer).self)
            guard current, let wanted = expected["\(stream) \(part)"], wanted.parts == parts, wanted.version == version,
                wanted.digest == Array(digest.readableBytesView)
            else { return false }
        }
        return true
    }

    /// Writes the parts in place of the funds' stored states, in the caller's transaction; the
    /// hash of each version's event comes from the log in the same statement.
    static func write(_ stored: Parts, on connection: PostgresConnection, logger: Logger) async throws {
        guard !stored.isEmpty else { return }
        var (streams, numbers, counts, versions, texts) = ([String](), [Int32](), [Int32](), [Int32](), [String]())
        for fund in stored.funds {
            for (number, text) in fund.parts.enumerated() {
                streams.append(StreamRef.fund(fund.id).name)
                numbers.append(Int32(number))
                counts.append(Int32(fund.parts.count))
                versions.append(fund.version)
                texts.append(text)
            }
        }
        try await connection.query(
            "DELETE FROM stream_states WHERE stream = ANY(\(stored.funds.map { StreamRef.fund($0.id).name }))", logger: logger)
        try await connection.query(
            """
            INSERT INTO stream_states (stream, part, parts, form, version, hash, state)
            SELECT u.stream, u.part, u.parts, \(FundState.storedForm), u.version, e.hash, u.state
            FROM unnest(\(streams)::text[], \(numbers)::int4[], \(counts)::int4[], \(versions)::int4[], \(texts)::text[])
                 AS u(stream, part, parts, version, state)
            JOIN events e ON e.stream = u.stream AND e.version = u.version
            """, logger: logger)
    }

    /// The versions at which this build's form of each fund's state is stored.
    static func versions(on connection: PostgresConnection, logger: Logger) async throws -> [FundId: Int32] {
        var versions: [FundId: Int32] = [:]
        let rows = try await connection.query(
            "SELECT stream, version FROM stream_states WHERE form = \(FundState.storedForm) AND part = 0", logger: logger)
        for try await (stream, version) in rows.decode((String, Int32).self) {
            if let id = fundId(stream) { versions[id] = version }
        }
        return versions
    }

    static func fundId(_ stream: String) -> FundId? {
        guard stream.hasPrefix("fund-"), let id = try? FundId(String(stream.dropFirst(5))), Streams.fund(id) == stream else { return nil }
        return id
    }

    /// The fund's stored state and its version, if one of this form is stored whole whose
    /// event is at or before `position` and still has the hash it was stored with. A state this
    /// build cannot read is logged and passed over (the caller folds the stream instead).
    static func read(_ id: FundId, through position: Int64, from store: EventStore) async throws -> (state: FundState, version: Int32)? {
        let stream = StreamRef.fund(id).name
        return try await store.withConnection("stored state of \(stream)") { connection -> (FundState, Int32)? in
            let rows = try await connection.query(
                """
                SELECT s.part, s.parts, s.version, s.state FROM stream_states s
                JOIN events e ON e.stream = s.stream AND e.version = s.version AND e.hash = s.hash
                WHERE s.stream = \(stream) AND s.form = \(FundState.storedForm) AND e.position <= \(position)
                ORDER BY s.part
                """, logger: store.logger)
            var reading: FundState.StoredReading?
            var (expected, parts, version): (Int32, Int32, Int32) = (0, 0, 0)
            do {
                for try await (part, count, at, text) in rows.decode((Int32, Int32, Int32, ByteBuffer).self) {
                    if part == 0 {
                        (parts, version) = (count, at)
                        reading = try FundState.StoredReading(first: Array(text.readableBytesView), loanParts: Int(count) - 1)
                    } else {
                        guard part == expected, count == parts, at == version else { break }
                        try reading?.add(Array(text.readableBytesView))
                    }
                    expected = part + 1
                }
            } catch  where error is DecodingError || error is CanonicalJSONError {
                store.logger.warning(
                    "stored state unreadable: folding the stream instead", metadata: ["stream": "\(stream)", "error": "\(error)"])
                return nil
            }
            guard let reading, expected == parts else { return nil }
            return (reading.state, version)
        }
    }
}
