import Foundation
import PledgerDomain
import PledgerTestSupport
import PostgresNIO
import Testing

@testable import PledgerStore

@Suite("Cells read raw: the driver's values, and nil for any other type, format or NULL")
struct RawCellsTests {
    static let id = UUID(uuidString: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")!

    /// One row, read by `read` on a fresh ledger's connection.
    static func row<Value: Sendable>(_ sql: String, _ read: @escaping @Sendable (PostgresRow) throws -> Value) async throws -> Value {
        try await TestDatabase.withLedger { store, _ in
            try await store.withConnection("test") { connection in
                let rows = try await connection.allRows(PostgresQuery(unsafeSQL: sql), logger: store.logger)
                return try read(rows[0])
            }
        }
    }

    @Test("each type read raw is what the driver decodes")
    func sameAsTheDriver() async throws {
        let sql = """
            SELECT (-9007199254740993)::int8, '知识产权 pledge'::text, (-2147483648)::int4, '\(Self.id)'::uuid, '\\x00ff10'::bytea,
                   9223372036854775807::int8, ''::text
            """
        let (raw, driver) = try await Self.row(sql) { row in
            var cells = RawCells(row)
            let raw = (
                cells.int64(), cells.text(), cells.int32(), cells.uuid(), cells.bytea().map { Array($0.readableBytesView) },
                cells.int64(), cells.text()
            )
            let driver = try row.decode((Int64, String, Int32, UUID, ByteBuffer, Int64, String).self)
            return (raw, driver)
        }
        #expect(raw.0 == driver.0 && raw.0 == -9_007_199_254_740_993)
        #expect(raw.1 == driver.1 && raw.1 == "知识产权 pledge")
        #expect(raw.2 == driver.2 && raw.2 == Int32.min)
        #expect(raw.3 == driver.3 && raw.3 == Self.id)
        #expect(raw.4 == Array(driver.4.readableBytesView) && raw.4 == [0x00, 0xFF, 0x10])
        #expect(raw.5 == .max && raw.6 == "")
    }

    @Test("a cell of another type, or NULL, or past the last column reads as nil")
    func otherTypes() async throws {
        let read = try await Self.row("SELECT 1::int4, 1::int8, 'a'::varchar, NULL::text, 'a'::text, 1::int2") { row in
            var cells = RawCells(row)
            return [
                cells.int64() == nil, cells.int32() == nil, cells.text() == nil, cells.text() == nil, cells.uuid() == nil,
                cells.int32() == nil, cells.bytea() == nil,
            ]
        }
        #expect(read == Array(repeating: true, count: 7))
    }
}

@Suite("Stored events read raw")
struct StoredEventRowTests {
    @Test("an event row read raw is the row the driver decodes; a row of other types takes the driver's path and its error")
    func eventRows() async throws {
        try await TestDatabase.withLedger { store, _ in
            _ = try await store.append(
                AppendRequest(stream: "raw-1", expected: .noStream, events: [try event("Tested", [("名称", .string("质押"))]), try event()]))
            let (raw, driver, refused) = try await store.withConnection("test") { connection in
                let rows = try await connection.allRows(
                    "SELECT \(unescaped: EventStore.columns) FROM events ORDER BY position", logger: store.logger)
                let driver = try rows.map { row in
                    let (position, stream, version, eventId, type, schema, data, meta, micros, prev, hash) = try row.decode(
                        (Int64, String, Int32, UUID, String, Int32, String, String, Int64, ByteBuffer, ByteBuffer).self)
                    return StoredEvent(
                        envelope: EventEnvelope(
                            position: position, stream: stream, version: version, eventId: eventId, type: type, schema: schema,
                            data: data, meta: meta, recordedAt: RecordedTime(microseconds: micros)),
                        prevHash: try LedgerHash.decoding(prev), hash: try LedgerHash.decoding(hash))
                }
                let other = try await connection.allRows(
                    "SELECT position::numeric, stream, version, event_id, type, schema, data, meta, 0::int8, prev_hash, hash FROM events",
                    logger: store.logger)
                let refused: String? = {
                    do {
                        _ = try EventStore.stored(other[0])
                        return "no error"
                    } catch { return (error as? PostgresDecodingError)?.columnName ?? "\(error)" }
                }()
                return (try rows.map(EventStore.stored), driver, refused)
            }
            #expect(raw == driver && raw.count == 2 && raw[0].envelope.data.contains("质押"))
            #expect(refused == "position")
        }
    }
}
