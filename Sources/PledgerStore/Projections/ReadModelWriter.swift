import Logging
import PledgerDomain
import PostgresNIO

/// SQL for the read-model tables: one statement over arrays per table and page.
enum ReadModelWriter {
    static func upsert(_ loans: [LoanRow], _ funds: [FundRow], position: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        if !loans.isEmpty {
            let s = loans.map(\.snapshot)
            try await connection.query(
                """
                INSERT INTO rm_loans (stream, bank_id, contract_no, borrower, fund_id, originated_on, status, principal_fen, outstanding_fen, snapshot, last_position)
                SELECT u.stream, u.bank, u.contract, u.borrower, NULLIF(u.fund, ''), u.originated::date, u.status, u.principal, u.outstanding, u.snapshot, \(position)
                FROM unnest(\(loans.map(\.stream))::text[], \(s.map(\.bankId.value))::text[], \(s.map(\.contractNo.value))::text[],
                            \(s.map(\.borrower.value))::text[], \(s.map { $0.fundId?.value ?? "" })::text[], \(s.map(\.originatedOn.description))::text[],
                            \(s.map(\.status.rawValue))::text[], \(s.map(\.principalFen.fen))::int8[], \(s.map(\.outstandingFen.fen))::int8[],
                            \(loans.map(\.snapshotJSON))::text[])
                     AS u(stream, bank, contract, borrower, fund, originated, status, principal, outstanding, snapshot)
                ON CONFLICT (stream) DO UPDATE SET
                    status = EXCLUDED.status, outstanding_fen = EXCLUDED.outstanding_fen, snapshot = EXCLUDED.snapshot,
                    last_position = EXCLUDED.last_position
                """, logger: logger)
        }
        if !funds.isEmpty {
            try await connection.query(
                """
                INSERT INTO rm_funds (fund_id, name, contributed_fen, paid_out_fen, returned_fen, balance_fen, suspended, last_position)
                SELECT u.*, \(position)
                FROM unnest(\(funds.map(\.fundId))::text[], \(funds.map(\.name))::text[], \(funds.map(\.contributedFen))::int8[],
                            \(funds.map(\.paidOutFen))::int8[], \(funds.map(\.returnedFen))::int8[], \(funds.map(\.balanceFen))::int8[],
                            \(funds.map(\.suspended))::bool[]) AS u
                ON CONFLICT (fund_id) DO UPDATE SET
                    name = EXCLUDED.name, contributed_fen = EXCLUDED.contributed_fen, paid_out_fen = EXCLUDED.paid_out_fen,
                    returned_fen = EXCLUDED.returned_fen, balance_fen = EXCLUDED.balance_fen, suspended = EXCLUDED.suspended,
                    last_position = EXCLUDED.last_position
                """, logger: logger)
        }
        try await connection.query(
            """
            INSERT INTO projection_checkpoints (name, position) VALUES (\(Projector.name), \(position))
            ON CONFLICT (name) DO UPDATE SET position = GREATEST(projection_checkpoints.position, EXCLUDED.position), updated_at = now()
            """, logger: logger)
    }

    static func loadLoans(_ store: EventStore, fund: FundId? = nil, bank: BankId? = nil) async throws -> [LoanRow] {
        try await store.client.withConnection { connection in
            let rows: PostgresRowSequence
            if let fund {
                rows = try await connection.query("SELECT stream, snapshot FROM rm_loans WHERE fund_id = \(fund.value) ORDER BY stream", logger: store.logger)
            } else if let bank {
                rows = try await connection.query("SELECT stream, snapshot FROM rm_loans WHERE bank_id = \(bank.value) ORDER BY stream", logger: store.logger)
            } else {
                rows = try await connection.query("SELECT stream, snapshot FROM rm_loans ORDER BY stream", logger: store.logger)
            }
            var result: [LoanRow] = []
            for try await (stream, snapshot) in rows.decode((String, String).self) {
                result.append(try LoanRow(stream: stream, snapshotJSON: snapshot))
            }
            return result
        }
    }

    static func loadFunds(_ store: EventStore) async throws -> [FundRow] {
        try await store.client.withConnection { connection in
            var result: [FundRow] = []
            let rows = try await connection.query(
                "SELECT fund_id, name, contributed_fen, paid_out_fen, returned_fen, balance_fen, suspended FROM rm_funds ORDER BY fund_id", logger: store.logger)
            for try await (id, name, contributed, paidOut, returned, balance, suspended) in rows.decode((String, String, Int64, Int64, Int64, Int64, Bool).self) {
                result.append(FundRow(fundId: id, name: name, contributedFen: contributed, paidOutFen: paidOut, returnedFen: returned, balanceFen: balance, suspended: suspended))
            }
            return result
        }
    }
}
