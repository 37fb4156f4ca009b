import Foundation
import PledgerDomain
import PostgresNIO

/// Paged reads for the API's list routes. Cursors are the last key returned.
public struct ReadModelQueries: Sendable {
    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    public func funds(after cursor: String?, limit: Int) async throws -> [FundRow] {
        try await store.withConnection(#function) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: FundRow.columns) FROM rm_funds
                WHERE fund_id > \(cursor ?? "") ORDER BY fund_id LIMIT \(Int64(limit))
                """, logger: store.logger)
            return try await FundRow.decode(rows)
        }
    }

    public func loans(bank: BankId, status: LoanStatus?, after cursor: String?, limit: Int) async throws -> [LoanRow] {
        try await store.withConnection(#function) { connection in
            var result: [LoanRow] = []
            let rows = try await connection.allRows(
                """
                SELECT stream, snapshot FROM rm_loans
                WHERE bank_id = \(bank.value) AND contract_no > \(cursor ?? "") AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                ORDER BY contract_no LIMIT \(Int64(limit))
                """, logger: store.logger)
            for row in rows {
                let (stream, snapshot) = try row.decode((String, String).self)
                result.append(try LoanRow(stream: stream, snapshotJSON: snapshot))
            }
            return result
        }
    }

    /// The loans a compensation claim may be open on, one fund's or every fund's, by stream: a
    /// claim is filed only on a defaulted or written-off loan, which never becomes active again
    /// and is not closed while its claim is open. The claims awaiting a decision are among the
    /// few thousand loans in default, so a national fund's hundred thousand performing and closed
    /// loans are not read.
    public func defaultedOrWrittenOff(fund: FundId?) async throws -> [LoanSnapshot] {
        let statuses = [LoanStatus.defaulted.rawValue, LoanStatus.writtenOff.rawValue]
        return try await store.withConnection(#function) { connection in
            let rows = try await connection.allRows(
                """
                SELECT stream, snapshot FROM rm_loans
                WHERE status = ANY(\(statuses)) AND (\(fund?.value)::text IS NULL OR fund_id = \(fund?.value))
                ORDER BY stream
                """, logger: store.logger)
            return try rows.map { row in
                let (stream, snapshot) = try row.decode((String, String).self)
                return try LoanRow(stream: stream, snapshotJSON: snapshot).snapshot
            }
        }
    }

    /// Creation events of one type (banks, borrowers, assets, funds), by position.
    public func registrations(type: String, after position: Int64, limit: Int) async throws -> [StoredEvent] {
        try await store.withConnection(#function) { connection in
            try EventStore.decode(
                await connection.allRows(
                    """
                    SELECT \(unescaped: EventStore.columns) FROM events
                    WHERE type = \(type) AND position > \(position) ORDER BY position LIMIT \(Int64(limit))
                    """, logger: store.logger))
        }
    }

    /// The schemes agreed up to `position`, in the order they were agreed: found by their
    /// agreements (an indexed handful of rows, 500 per query).
    public func schemesAgreed(through position: Int64 = .max) async throws -> [SchemeId] {
        var schemes: [SchemeId] = []
        var after: Int64 = 0
        while after < position {
            let agreements = try await registrations(type: SchemeAgreed.type, after: after, limit: 500)
            for agreement in agreements where agreement.position <= position {
                if case .schemeAgreed(let agreed) = try RecordedEvent(agreement.envelope).event { schemes.append(agreed.schemeId) }
            }
            guard agreements.count == 500, let last = agreements.last else { break }
            after = last.position
        }
        return schemes
    }

    /// How many events of one type the log holds (an indexed count for the types with a
    /// partial index, e.g. `SchemeAgreed`).
    public func count(type: String) async throws -> Int64 {
        try await store.withConnection(#function) { connection in
            let rows = try await connection.query("SELECT count(*) FROM events WHERE type = \(type)", logger: store.logger)
            for try await count in rows.decode(Int64.self) { return count }
            return 0
        }
    }
}
