import Foundation
import PledgerDomain

/// One item of a bank's bulk report: `op`, `contract_no`, and the fields of the matching
/// single-operation request. JSON items and CSV rows both become these.
enum BulkOperation {
    static let operations = [
        "originate", "repayment", "default", "claim", "recovery", "return_recovery",
        "write_off", "close", "cancel", "reversal",
    ]

    /// CSV columns: `op`, `contract_no`, then any request field. Collateral in CSV is
    /// `asset_id`, `valuation_id`, `registration_no`, several assets separated by `;`.
    static let csvColumns = [
        "op", "contract_no", "borrower", "principal_fen", "interest_fen", "rate_bp", "originated_on", "matures_on",
        "fund_id", "asset_id", "valuation_id", "registration_no", "paid_on", "defaulted_on", "missed_due_on", "days_overdue",
        "classification", "amount_fen", "claimed_on", "received_on", "source", "recovery_no", "returned_on",
        "reference", "written_off_on", "closed_on", "cancelled_on", "reason", "reversed_event_id", "reversed_on",
    ]
    static let integerColumns: Set<String> = ["principal_fen", "interest_fen", "rate_bp", "days_overdue", "amount_fen", "recovery_no"]

    /// The command an item asks for; errors name the item's field.
    /// The single-operation request an item's fields are read as.
    static func schema(_ name: String) throws -> JSONValue {
        guard let schema = Contract.component(name) else { throw Problem.invalid("operations", "no schema \(name) in the contract") }
        return schema
    }

    static func command(_ item: JSONValue, bank: BankId, prefix: String) throws -> LedgerCommand {
        guard case .object(var fields) = item else {
            throw Problem.invalid(prefix.dropLast().description, "each operation must be a JSON object")
        }
        guard case .string(let op) = fields["op"] ?? .null, operations.contains(op) else {
            throw Problem.invalid(prefix + "op", "op must be one of \(operations.joined(separator: ", "))")
        }
        guard case .string(let contractText) = fields["contract_no"] ?? .null, let contract = try? ContractNo(contractText) else {
            throw Problem.invalid(prefix + "contract_no", "contract_no is required (1–64 letters, digits, '-', '_', '.')")
        }
        fields.remove("op")
        let key = LoanKey(bank: bank, contract: contract)
        if op != "originate" { fields.remove("contract_no") }
        var recoveryNo = 0
        if op == "return_recovery" {
            guard case .integer(let number) = fields["recovery_no"] ?? .null, number > 0 else {
                throw Problem.invalid(prefix + "recovery_no", "recovery_no is required for return_recovery")
            }
            recoveryNo = Int(number)
            fields.remove("recovery_no")
        }
        let body = JSONValue.object(fields)
        switch op {
        case "originate":
            return try JSONIO.decode(OriginateRequest.self, from: body, schema: try schema("Originate"), prefix: prefix).command(bank)
        case "repayment":
            return .loan(key, try JSONIO.decode(RepaymentRequest.self, from: body, schema: try schema("Repayment"), prefix: prefix).command)
        case "default":
            return .loan(key, try JSONIO.decode(DefaultRequest.self, from: body, schema: try schema("Default"), prefix: prefix).command)
        case "claim":
            return .loan(key, try JSONIO.decode(ClaimRequest.self, from: body, schema: try schema("Claim"), prefix: prefix).command)
        case "recovery":
            return .loan(key, try JSONIO.decode(RecoveryRequest.self, from: body, schema: try schema("Recovery"), prefix: prefix).command)
        case "return_recovery":
            return .loan(
                key,
                try JSONIO.decode(RecoveryReturnRequest.self, from: body, schema: try schema("RecoveryReturn"), prefix: prefix).command(
                    recoveryNo))
        case "write_off":
            return .loan(key, try JSONIO.decode(WriteOffRequest.self, from: body, schema: try schema("WriteOff"), prefix: prefix).command)
        case "close":
            return .loan(key, try JSONIO.decode(CloseRequest.self, from: body, schema: try schema("Close"), prefix: prefix).command)
        case "cancel":
            return .loan(key, try JSONIO.decode(CancelRequest.self, from: body, schema: try schema("Cancel"), prefix: prefix).command)
        default:
            return .loan(
                key, try JSONIO.decode(ReversalRequest.self, from: body, schema: try schema("Reversal"), prefix: prefix).loanCommand)
        }
    }

    /// A CSV row as the JSON item it stands for (empty cells are absent fields).
    static func item(_ table: CSV.Table, _ row: CSV.Row) throws -> JSONValue {
        var object = JSONObject()
        for column in table.header {
            let text = table.value(row, column)
            guard !text.isEmpty, !["asset_id", "valuation_id", "registration_no"].contains(column) else { continue }
            if integerColumns.contains(column) {
                guard let number = Int64(text), abs(number) <= JSONValue.maxSafeInteger else {
                    throw Problem.invalid(column, "line \(row.line): \(column) must be an integer (amounts in fen), not \"\(text)\"")
                }
                object.set(column, .integer(number))
            } else {
                object.set(column, .string(text))
            }
        }
        let assets = split(table.value(row, "asset_id"))
        let valuations = split(table.value(row, "valuation_id"))
        let registrations = split(table.value(row, "registration_no"))
        if !assets.isEmpty {
            guard registrations.count == assets.count, valuations.isEmpty || valuations.count == assets.count else {
                throw Problem.invalid(
                    "registration_no",
                    "line \(row.line): give one registration_no (and valuation_id, if any) per asset_id, separated by ';'")
            }
            object.set(
                "collateral",
                .array(
                    assets.indices.map { index in
                        var pledge = JSONObject()
                        pledge.set("asset_id", .string(assets[index]))
                        pledge.set("registration_no", .string(registrations[index]))
                        if !valuations.isEmpty { pledge.set("valuation_id", .string(valuations[index])) }
                        return .object(pledge)
                    }))
        }
        return .object(object)
    }

    private static func split(_ text: String) -> [String] {
        text.split(separator: ";").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
