/// Upcasting: how an event stored under an older schema is read today. Stored bytes are
/// never rewritten (the hash chain covers them); each step here turns schema N's JSON
/// into schema N+1's when the event is loaded.
enum Upcasters {
    typealias Step = @Sendable (JSONValue) throws -> JSONValue

    /// (type, from-schema) → step to from-schema + 1.
    static let steps: [String: [Int32: Step]] = [
        // Schema 2 added max_valuation_age_months to the policy; funds established under
        // schema 1 used the regulation's default of 12 months.
        // Schema 3 may carry recovery_return_days in the policy; schema-2 policies never
        // did, and its absence still means the default (30 days): nothing to change.
        FundEstablished.type: [1: { try addingPolicyDefault($0) }, 2: { $0 }],
        FundPolicyAmended.type: [1: { try addingPolicyDefault($0) }, 2: { $0 }],
        // Schema 2 of CompensationPaid says what is left unpaid after the payment; every
        // schema-1 payment paid the whole approved amount, so nothing was left.
        CompensationPaid.type: [1: { try adding("remaining_fen", .integer(0), to: $0, type: CompensationPaid.type) }],
    ]

    static func upcast(type: String, from schema: Int32, to target: Int32, _ json: JSONValue) throws -> JSONValue {
        var json = json
        var version = schema
        while version < target {
            guard let step = steps[type]?[version] else {
                throw EventDecodingError.malformed(type: type, detail: "no upcaster from schema \(version)")
            }
            json = try step(json)
            version += 1
        }
        return json
    }

    private static func addingPolicyDefault(_ json: JSONValue) throws -> JSONValue {
        guard case .object(var event) = json, case .object(var policy) = event["policy"] else {
            throw EventDecodingError.malformed(type: "policy", detail: "expected an object with a policy")
        }
        if policy["max_valuation_age_months"] == nil { policy.set("max_valuation_age_months", .integer(12)) }
        event.set("policy", .object(policy))
        return .object(event)
    }

    private static func adding(_ key: String, _ value: JSONValue, to json: JSONValue, type: String) throws -> JSONValue {
        guard case .object(var event) = json else {
            throw EventDecodingError.malformed(type: type, detail: "expected an object")
        }
        if event[key] == nil { event.set(key, value) }
        return .object(event)
    }
}
