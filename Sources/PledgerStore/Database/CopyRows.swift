import Logging
import NIOCore
import PledgerDomain
import PostgresNIO

/// Rows sent with `COPY … FROM STDIN` in PostgreSQL's text format: how a rebuild fills its
/// temporary twins (`RebuiltTables`). The server parses such rows and writes them a page at a
/// time; the same rows as `INSERT … SELECT FROM unnest(…)` of bound arrays (each array
/// decoded, the set materialised, a row at a time through the executor) took its one core
/// about twice as long, and the end of a rebuild waits on that core.
struct CopyRows {
    fileprivate var buffer: ByteBuffer
    private var startsRow = true

    fileprivate init(capacity: Int) { buffer = ByteBufferAllocator().buffer(capacity: capacity) }

    private mutating func separate() {
        if !startsRow { buffer.writeInteger(UInt8(ascii: "\t")) }
        startsRow = false
    }

    /// A text cell (nil: NULL), its backslashes, tabs and line ends escaped.
    mutating func text(_ value: String?) {
        separate()
        guard var value else {
            buffer.writeStaticString("\\N")
            return
        }
        value.withUTF8 { bytes in
            guard bytes.contains(where: Self.needsEscape) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    mutating func integer(_ value: some FixedWidthInteger) {
        separate()
        CanonicalJSON.withDecimal(Int64(value)) { buffer.writeBytes($0) }
    }

    mutating func bool(_ value: Bool) {
        separate()
        buffer.writeInteger(UInt8(ascii: value ? "t" : "f"))
    }

    /// A `date` cell, as `YYYY-MM-DD`.
    mutating func date(_ day: BusinessDate) {
        separate()
        buffer.writeString(day.description)
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        startsRow = true
    }
}

extension PostgresConnection {
    /// Sends `rows` into `table`'s `columns` with `COPY … FROM STDIN`, about a MiB at a time,
    /// `write` putting each row's cells in the columns' order. `table` and `columns` are
    /// names this code chose, never input: `COPY` takes no bound parameters.
    func copy<Rows: Sequence>(
        _ rows: Rows, into table: String, columns: [String], logger: Logger, write: (inout CopyRows, Rows.Element) -> Void
    ) async throws {
        let flushAt = 1 << 20
        try await copyFrom(table: table, columns: columns, logger: logger) { writer in
            var copy = CopyRows(capacity: flushAt + (64 << 10))
            for row in rows {
                write(&copy, row)
                copy.endRow()
                if copy.buffer.readableBytes >= flushAt {
                    try await writer.write(copy.buffer)
                    copy.buffer.clear()
                }
            }
            if copy.buffer.readableBytes > 0 { try await writer.write(copy.buffer) }
        }
    }
}
