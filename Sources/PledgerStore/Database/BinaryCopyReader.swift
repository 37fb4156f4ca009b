import Foundation
import PledgerDomain

/// Rows of a query read with binary `COPY (…) TO STDOUT` on a libpq connection of its own.
///
/// PostgresNIO 1.33 has `COPY FROM` only, so this is libpq's (`LibPQ`, loaded when first
/// used). Through PostgresNIO's rows, reading the log costs about 2 µs of client CPU per
/// event (a cell object per column, its network thread); a COPY stream is the rows' bytes as
/// the server lays them out, a few tenths of a µs each. For the commands that read the whole
/// log: `pledger verify`, and the folds of the whole ledger (`LogCopy`).
///
/// The calls block: use it from a thread of its own (`BlockingThread`), one at a time,
/// never from a task on the cooperative pool.
public final class BinaryCopyReader: @unchecked Sendable {
    /// What each column of a row must be: its size in bytes, or nil for any length. NULL is
    /// refused; a column whose size differs means the table is not what the reader expects.
    public struct Layout: Sendable {
        public var names: [String]
        public var sizes: [Int?]

        public init(_ columns: [(String, Int?)]) {
            names = columns.map(\.0)
            sizes = columns.map(\.1)
        }
    }

    private let pq: LibPQ
    private let connection: OpaquePointer
    private let layout: Layout
    private var copying = false
    private var framing: Framing

    /// Connects as `url` says, with the same TLS modes (libpq's own), and limits each
    /// statement to `statementTimeout` so a stuck server ends the read instead of hanging it.
    public init(url: DatabaseURL, layout: Layout, statementTimeout: Duration) throws {
        self.layout = layout
        framing = Framing(layout: layout)
        let pq = try LibPQ.load()
        self.pq = pq
        var parameters: [(String, String)] = [
            ("host", url.socketPath.map { ($0 as NSString).deletingLastPathComponent } ?? url.host),
            ("port", String(url.port)), ("user", url.username), ("dbname", url.database),
            ("sslmode", url.sslMode.rawValue), ("gssencmode", "disable"), ("connect_timeout", "10"), ("application_name", "pledger"),
            ("client_encoding", "UTF8"),
            // A server that stops answering, or a network that drops: the read fails after
            // about the statement's limit instead of blocking until the system's TCP gives up.
            ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
            ("tcp_user_timeout", DatabaseURL.SessionLimits.milliseconds(statementTimeout)),
        ]
        if let password = url.password { parameters.append(("password", password)) }
        // The pool reads no file the URL does not name, and neither does this connection:
        // libpq would look in ~/.postgresql (where a root.crt turns `require` into
        // `verify-ca`, and a postgresql.crt is sent) and in ~/.pgpass. With `verify-ca` or
        // `verify-full` and no root certificate, the pool trusts the system's roots, and so
        // does this connection.
        let verifies = url.sslMode == .verifyCA || url.sslMode == .verifyFull
        if verifies && url.sslRootCert == nil && Self.systemRoots == nil {
            throw StoreError.unavailable(
                "sslmode=\(url.sslMode.rawValue) checks the server's certificate, and no root certificate was named nor a system bundle found: add sslrootcert=<CA file> to the database URL"
            )
        }
        parameters.append(("sslrootcert", url.sslRootCert ?? (verifies ? Self.systemRoots : nil) ?? Self.noFile))
        parameters += [("sslcert", Self.noFile), ("sslkey", Self.noFile), ("sslcrl", Self.noFile), ("passfile", Self.noFile)]
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer { for pointer in keywords + values { free(pointer) } }
        let connection = (keywords + [nil]).withUnsafeBufferPointer { keys in
            (values + [nil]).withUnsafeBufferPointer { values in
                keys.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keys in
                    values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                        pq.connectdbParams(keys.baseAddress, values.baseAddress, 0)
                    }
                }
            }
        }
        guard let connection else { throw StoreError.unavailable("libpq could not allocate a connection") }
        guard pq.status(connection) == LibPQ.connectionOK else {
            let message = Self.message(connection, pq)
            pq.finish(connection)
            throw StoreError.unavailable("cannot connect to \(url): \(message)")
        }
        self.connection = connection
        // A setting, not a startup option: poolers such as PgBouncer refuse unknown options.
        try run("SET statement_timeout = \(DatabaseURL.SessionLimits.milliseconds(statementTimeout))")
    }

    deinit { pq.finish(connection) }

    /// Runs a statement that returns no rows (a setting).
    public func run(_ sql: String) throws {
        let result = pq.exec(connection, sql)
        defer { pq.clear(result) }
        guard pq.resultStatus(result) == LibPQ.commandOK else { throw failure(result) }
    }

    /// Starts `COPY (query) TO STDOUT (FORMAT binary)`; then `read` until it returns 0.
    /// `query` is SQL text: build it from constants and integers only (COPY takes no parameters).
    public func start(_ query: String) throws {
        precondition(!copying, "a COPY is still being read")
        let result = pq.exec(connection, "COPY (\(query)) TO STDOUT (FORMAT binary)")
        defer { pq.clear(result) }
        guard pq.resultStatus(result) == LibPQ.copyOut else { throw failure(result) }
        copying = true
        framing = Framing(layout: layout)
    }

    /// Appends whole rows to `batch` — each a big-endian Int16 column count, then per column
    /// a big-endian Int32 length and the bytes — until at least `rows` more are there or the
    /// copy has ended. Returns how many it appended: 0 means the copy is over (and succeeded).
    public func read(atLeast rows: Int, into batch: inout [UInt8]) throws -> Int {
        var appended = 0
        while appended < rows && copying {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = pq.getCopyData(connection, &buffer, 0)
            if length > 0, let buffer {
                defer { pq.freemem(buffer) }
                appended += try framing.take(UnsafeRawBufferPointer(start: buffer, count: Int(length)), into: &batch)
            } else if length == -1 {
                try end()
            } else {
                throw StoreError.unavailable("the COPY stream failed: \(Self.message(connection, pq))")
            }
        }
        return appended
    }

    /// Ends the copy: the server's verdict on the statement, and a stream that ended whole.
    private func end() throws {
        copying = false
        while let result = pq.getResult(connection) {
            defer { pq.clear(result) }
            guard pq.resultStatus(result) == LibPQ.commandOK else { throw failure(result) }
        }
        guard framing.isWhole else { throw StoreError.corrupt("the COPY stream ended inside a row") }
    }

    private func failure(_ result: OpaquePointer?) -> StoreError {
        let state = pq.resultErrorField(result, LibPQ.sqlStateField).map { String(cString: $0) }
        let message = pq.resultErrorField(result, LibPQ.messageField).map { String(cString: $0) } ?? Self.message(connection, pq)
        return .database(message: message, sqlState: state)
    }

    private static func message(_ connection: OpaquePointer, _ pq: LibPQ) -> String {
        pq.errorMessage(connection).map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "(no message)"
    }

    /// A path that names no file: for libpq, "do not read one".
    static let noFile = "/nonexistent/pledger/no-file"

    /// Debian's and most distributions' bundle of the system's trusted roots.
    private static let systemRoots: String? = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
        .first { FileManager.default.isReadableFile(atPath: $0) }
}

extension BinaryCopyReader {
    /// Cuts a binary COPY stream into whole rows, whatever its messages' boundaries (the
    /// server sends a row per message, but the format does not promise it), checking each
    /// row against the layout.
    struct Framing {
        let layout: Layout
        private var headerRead = false
        private var finished = false
        /// The start of a row a message ended inside of, waiting for the next message.
        private var carry: [UInt8] = []

        init(layout: Layout) { self.layout = layout }

        /// The stream ended with its end marker, not inside a row.
        var isWhole: Bool { finished && carry.isEmpty }

        /// Appends the message's whole rows to `batch` (after what `carry` held); keeps a row it
        /// ends inside of for the next message.
        mutating func take(_ message: UnsafeRawBufferPointer, into batch: inout [UInt8]) throws -> Int {
            if carry.isEmpty { return try rows(of: message, into: &batch) }
            carry.append(contentsOf: message)
            let pending = carry
            carry.removeAll(keepingCapacity: true)
            return try pending.withUnsafeBytes { try rows(of: $0, into: &batch) }
        }

        private mutating func rows(of bytes: UnsafeRawBufferPointer, into batch: inout [UInt8]) throws -> Int {
            guard !finished else { throw StoreError.corrupt("the COPY stream goes on after its end") }
            var offset = 0
            if !headerRead {
                guard let end = try Self.headerEnd(bytes) else {
                    carry.append(contentsOf: bytes)
                    return 0
                }
                offset = end
                headerRead = true
            }
            let start = offset
            var count = 0
            while offset < bytes.count {
                guard let end = try rowEnd(bytes, at: offset) else { break }
                if end < 0 {
                    finished = true
                    guard offset + 2 == bytes.count else { throw StoreError.corrupt("the COPY stream goes on after its end") }
                    Self.append(bytes[start..<offset], to: &batch)
                    return count
                }
                offset = end
                count += 1
            }
            Self.append(bytes[start..<offset], to: &batch)
            Self.append(bytes[offset...], to: &carry)
            return count
        }

        /// One copy of the bytes (appended as a slice of raw bytes, they went one by one).
        private static func append(_ bytes: Slice<UnsafeRawBufferPointer>, to array: inout [UInt8]) {
            array.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes).assumingMemoryBound(to: UInt8.self))
        }

        /// Where the row at `offset` ends, nil if the bytes end inside it, -1 for the end marker.
        private func rowEnd(_ bytes: UnsafeRawBufferPointer, at start: Int) throws -> Int? {
            guard start + 2 <= bytes.count else { return nil }
            let columns = Int(Int16(bigEndian: bytes.loadUnaligned(fromByteOffset: start, as: Int16.self)))
            if columns == -1 { return -1 }
            guard columns == layout.sizes.count else {
                throw StoreError.corrupt("a row has \(columns) columns, not \(layout.sizes.count)")
            }
            var offset = start + 2
            for (index, size) in layout.sizes.enumerated() {
                guard offset + 4 <= bytes.count else { return nil }
                let length = Int(Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                guard length >= 0 else { throw StoreError.corrupt("\(layout.names[index]) is NULL") }
                if let size, length != size { throw StoreError.corrupt("\(layout.names[index]) has \(length) bytes, not \(size)") }
                offset += 4 + length
            }
            return offset <= bytes.count ? offset : nil
        }

        private static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

        /// Where the binary COPY header ends (signature, flags, extension), nil if not all here.
        private static func headerEnd(_ bytes: UnsafeRawBufferPointer) throws -> Int? {
            guard bytes.count >= 19 else { return nil }
            guard bytes.prefix(11).elementsEqual(signature) else { throw StoreError.corrupt("the COPY stream has no binary header") }
            let extensionLength = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 15, as: UInt32.self)))
            return bytes.count >= 19 + extensionLength ? 19 + extensionLength : nil
        }
    }
}

extension BinaryCopyReader {
    /// A reader of `store`'s events, as `store` connects and with its statement limit,
    /// connected on a thread of its own.
    static func ofTheLog(_ store: EventStore, layout: Layout) async throws -> BinaryCopyReader {
        let reader = try await opened(store, layout: layout)
        // In position order straight from the primary key: with statistics that lag a
        // fresh load, the planner may otherwise scan and sort the whole log for each page.
        try await BlockingThread.run("pledger-log-copy") { try reader.run("SET enable_sort = off") }
        return reader
    }

    /// A reader of rows of `layout`, as `store` connects and with its statement limit,
    /// connected on a thread of its own.
    static func opened(_ store: EventStore, layout: Layout) async throws -> BinaryCopyReader {
        let (url, timeout) = (store.url, store.operationTimeout)
        return try await BlockingThread.run("pledger-copy-connect") {
            try BinaryCopyReader(url: url, layout: layout, statementTimeout: timeout)
        }
    }

    /// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00 UTC.
    static let postgresEpoch: Int64 = 946_684_800_000_000

    /// Reads the cells of rows `read` appended, in order: they were checked against the
    /// layout, so each row has its columns, of their sizes, none NULL.
    struct Cells {
        let bytes: UnsafeRawBufferPointer
        private(set) var offset: Int

        init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
            self.bytes = bytes
            self.offset = offset
        }

        /// Steps over a row's column count.
        mutating func startRow() { offset += 2 }

        mutating func next() -> UnsafeBufferPointer<UInt8> {
            let length = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            defer { offset += 4 + length }
            return UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + 4 + length]).bindMemory(to: UInt8.self)
        }

        mutating func skip() { _ = next() }

        mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T {
            let cell = next()
            precondition(cell.count == MemoryLayout<T>.size, "a \(cell.count)-byte cell read as \(T.self)")
            return T(bigEndian: UnsafeRawBufferPointer(cell).loadUnaligned(as: T.self))
        }

        mutating func text() -> String { String(decoding: next(), as: UTF8.self) }

        mutating func uuid() -> UUID {
            let cell = next()
            precondition(cell.count == 16, "a \(cell.count)-byte cell read as a UUID")
            return UUID(uuid: UnsafeRawBufferPointer(cell).loadUnaligned(as: uuid_t.self))
        }

        /// A `timestamptz`, and whether it is outside the format's range: `infinity` and
        /// `-infinity` (PostgreSQL's largest and smallest integers) included.
        mutating func timestamp() -> (RecordedTime, overflow: Bool) {
            let raw = integer(Int64.self)
            let (micros, overflow) = raw.addingReportingOverflow(BinaryCopyReader.postgresEpoch)
            return (RecordedTime(microseconds: micros), overflow || raw == .min || raw == .max)
        }
    }
}

/// Runs blocking work (libpq's calls) on a thread of its own, so the cooperative pool's few
/// threads stay free for the tasks that run beside it.
public enum BlockingThread {
    public static func run<Value: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
