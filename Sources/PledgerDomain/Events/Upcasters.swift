/// Upcasting: how an event stored under an older schema is read today. Stored bytes are
/// never rewritten (the hash chain covers them); each step here turns schema N's JSON
/// into schema N+1's when the event is loaded.
enum Upcasters {
    typealias Step = @Sendable (JSONValue) throws -> JSONValue

    /// (type, from-schema) → step to from-schema + 1.
    static let steps: [String: [Int32: Step]] = [
        // Schema 2 added max_valuation_age_months to the policy; funds established under
        // schema 1 used the regulation's default of 12 months.
        // Schema 3 allows the optional policy rules (eligibility, quota, recovery_return_days,
        // which schema-2 policies never had; absent still means not set, or 30 days) and gives
        // an amendment its scope: schema-2 amendments applied to all loans.
        FundEstablished.type: [1: { try addingPolicyDefault($0) }, 2: unchanged],
        FundPolicyAmended.type: [1: { try addingPolicyDefault($0) }, 2: { try addingScope($0) }],
        // Schema 2 added the optional firm_size: schema-1 registrations have none.
        BorrowerRegistered.type: [1: unchanged],
        LoanDefaulted.type: [1: { try addingMissedDueOn($0) }],
        // Schema 2 of CompensationPaid says what is left unpaid after the payment; every
        // schema-1 payment paid the whole approved amount, so nothing was left.
        CompensationPaid.type: [1: { try adding("remaining_fen", .integer(0), to: $0, type: CompensationPaid.type) }],
    ]

    /// Schema 3 of `FundEstablished` only allows optional policy rules that schema 2 never
    /// had: a schema-2 event is a valid schema-3 one as it stands.
    private static let unchanged: Step = { $0 }

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

    /// Schema 3 added `applies_to`. Schema-2 amendments were decided — and claims, limits and
    /// reports computed — with every amendment reaching every loan from its effective date:
    /// they are read as `all_loans`, so that history keeps the meaning it was decided with.
    private static func addingScope(_ json: JSONValue) throws -> JSONValue {
        guard case .object(var event) = json else {
            throw EventDecodingError.malformed(type: FundPolicyAmended.type, detail: "expected an object")
        }
        if event["applies_to"] == nil { event.set("applies_to", .string(PolicyScope.allLoans.rawValue)) }
        return .object(event)
    }

    /// Schema 2 added `missed_due_on`. A schema-1 default said the loan was `days_overdue`
    /// days overdue on `defaulted_on`: the due date it missed is that many days earlier —
    /// even where that is before origination (schema 1 took the figure on trust; the old
    /// event keeps its meaning, the rule applies to new defaults). Schema 1 allowed up to
    /// 36,500 days, which can reach before 1900: such a date is read as 1900-01-01, the
    /// earliest the ledger reads (and a hostile negative count at most 2200-12-31), so that
    /// the event still loads.
    private static func addingMissedDueOn(_ json: JSONValue) throws -> JSONValue {
        guard case .object(var event) = json, case .string(let defaulted)? = event["defaulted_on"],
            case .integer(let days)? = event["days_overdue"], let on = try? BusinessDate(parsing: defaulted)
        else {
            throw EventDecodingError.malformed(
                type: LoanDefaulted.type, detail: "expected defaulted_on (a date) and days_overdue (an integer)")
        }
        let earliest = try BusinessDate(year: 1900, month: 1, day: 1)
        let latest = try BusinessDate(year: 2200, month: 12, day: 31)
        let missed = min(latest, max(earliest, on.adding(days: -Int(max(-1_000_000, min(days, 1_000_000))))))
        if event["missed_due_on"] == nil { event.set("missed_due_on", .string(missed.description)) }
        return .object(event)
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
