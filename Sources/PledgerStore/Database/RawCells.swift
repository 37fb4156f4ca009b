import Foundation
import PostgresNIO

/// A row's cells read in order straight from their binary bytes, each checked against the
/// column's type, without `PostgresRow.decode`: its generic decoding (a metadata lookup per
/// column and row) was a fifth of the CPU of reading a stream's events. Each read returns nil
/// for a cell of another type or format, or NULL, and the caller then takes the general path,
/// whose errors say what was wrong.
struct RawCells {
    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    private mutating func next(_ type: PostgresDataType, size: Int? = nil) -> ByteBuffer? {
        guard let cell = cells.next(), cell.format == .binary, cell.dataType == type, let bytes = cell.bytes,
            size.map({ bytes.readableBytes == $0 }) ?? true
        else { return nil }
        return bytes
    }

    mutating func int64() -> Int64? { next(.int8, size: 8).flatMap { $0.getInteger(at: $0.readerIndex, as: Int64.self) } }

    mutating func int32() -> Int32? { next(.int4, size: 4).flatMap { $0.getInteger(at: $0.readerIndex, as: Int32.self) } }

    mutating func text() -> String? { next(.text).map { String(buffer: $0) } }

    mutating func bytea() -> ByteBuffer? { next(.bytea) }

    mutating func uuid() -> UUID? {
        next(.uuid, size: 16).map { bytes in
            bytes.withUnsafeReadableBytes { raw in
                UUID(
                    uuid: (
                        raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13],
                        raw[14], raw[15]
                    ))
            }
        }
    }
}
