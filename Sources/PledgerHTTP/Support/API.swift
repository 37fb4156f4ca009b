import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PledgerDomain
import PledgerStore

/// What the routes share: the ledger, and the HTTP side of writing to it.
struct API: Sendable {
    let ledger: Ledger
    let writes: Writes
    /// The key checkpoints are signed with on request; nil when the server has none.
    let checkpointKey: Data?
    /// How long a read waits for the projector to reach `min_position`.
    let readYourWritesTimeout: Duration
    /// How long a report may run (see `ServerConfiguration.reportTimeout`).
    let reportTimeout: Duration
    /// Where reads go when the ledger has a replica (nil: everything on the primary).
    let replica: ReplicaRouting?

    init(
        ledger: Ledger, readYourWritesTimeout: Duration = .seconds(2), reportTimeout: Duration = .seconds(30), checkpointKey: Data? = nil,
        replicaWait: Duration = .seconds(1)
    ) {
        self.ledger = ledger
        replica = ledger.replica.map { ReplicaRouting(reads: $0, wait: replicaWait) }
        self.checkpointKey = checkpointKey
        writes = Writes(handler: ledger.commands)
        self.readYourWritesTimeout = readYourWritesTimeout
        self.reportTimeout = reportTimeout
    }

    /// Loads one stream's state; 404 when the stream does not exist.
    func load(_ ref: StreamRef, notFound: String) async throws -> (AggregateStates, version: Int32) {
        var states = AggregateStates()
        try await ledger.commands.load(ref, into: &states)
        let version = states.versions[ref] ?? 0
        guard version > 0 else { throw Problem.notFound(notFound) }
        return (states, version)
    }

    /// The position a read asked to see (`min_position`, or the `Pledger-Min-Position`
    /// header; the larger if both), checked for form; nil when it asked for none.
    func minPosition(_ request: Request) throws -> Int64? {
        var positions: [Int64] = []
        for (field, text) in [
            ("min_position", request.query.string("min_position")), ("Pledger-Min-Position", request.headers[.pledgerMinPosition]),
        ] {
            guard let text else { continue }
            guard text.count <= 18, let position = Int64(text), position >= 0 else {
                throw Problem.invalid(field, "\(field) must be a non-negative integer: a position a write returned")
            }
            positions.append(position)
        }
        return positions.max()
    }

    /// Refuses a position the log does not hold yet (422): no wait could ever reach it.
    func checkExists(_ wanted: Int64) async throws {
        let head = try await ledger.log.head().position
        guard wanted <= head else {
            throw Problem.invalid(
                "min_position", "position \(wanted) does not exist yet (the ledger head is \(head)); use a position a write returned")
        }
    }

    /// Read-your-writes on the primary: waits until the projector has reached `wanted`, else
    /// 503. A read of the log itself (`.log`: a past view, history, the feed) need not wait
    /// there — the primary's log is the log — but the position is still checked.
    func awaitOnPrimary(_ wanted: Int64?, _ needs: ReadNeeds) async throws {
        guard let wanted else { return }
        try await checkExists(wanted)
        guard needs == .readModels else { return }
        let deadline = ContinuousClock.now + readYourWritesTimeout
        while true {
            if try await Projector.checkpoint(ledger.log) >= wanted { return }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        var problem = Problem(
            .serviceUnavailable, "projection-lag", "Not yet visible",
            detail: "the read models have not reached position \(wanted) yet; retry shortly")
        problem.headers[.retryAfter] = "1"
        throw problem
    }
}

/// Path parameters, validated: an id that cannot exist is a 404 like one that does not.
extension PledgerRequestContext {
    func id<T>(_ name: String, _ make: (String) throws -> T) throws -> T {
        guard let text = parameters.get(name), let value = try? make(text.removingPercentEncoding ?? text) else {
            throw Problem.notFound("no such \(name.replacingOccurrences(of: "_", with: " "))")
        }
        return value
    }

    func bankId() throws -> BankId { try id("bank_id") { try BankId($0) } }
    func fundId() throws -> FundId { try id("fund_id") { try FundId($0) } }
    func assetId() throws -> AssetId { try id("asset_id") { try AssetId($0) } }
    func schemeId() throws -> SchemeId { try id("scheme_id") { try SchemeId($0) } }
    func insurerId() throws -> InsurerId { try id("insurer_id") { try InsurerId($0) } }
    func programmeId() throws -> SubsidyProgrammeId { try id("programme_id") { try SubsidyProgrammeId($0) } }
    func applicationNo() throws -> Int { try positiveNumber("application_no") }
    func policyNo() throws -> PolicyNo { try id("policy_no") { try PolicyNo($0) } }
    func loanKey() throws -> LoanKey { LoanKey(bank: try bankId(), contract: try id("contract_no") { try ContractNo($0) }) }
    func recoveryNo() throws -> Int { try positiveNumber("recovery_no") }

    /// A path's number (a recovery, an application): 1, 2, …; anything else is no such thing.
    private func positiveNumber(_ name: String) throws -> Int {
        try id(name) { text -> Int in
            guard let number = Int(text), number > 0 else {
                throw Problem.notFound("no such \(name.replacingOccurrences(of: "_", with: " "))")
            }
            return number
        }
    }
}

/// Cursor pages: `{"items": [...], "next_cursor": "…" | null}`.
func page(_ items: [JSONValue], next: String?) -> JSONValue {
    Views.object(["items": .array(items), "next_cursor": next.map(JSONValue.string) ?? .null])
}
