import PledgerDomain
import PledgerStore

/// One act of a fund administrator (a contribution, a claim approved, a policy amended):
/// decided and appended through the same `CommandHandler` as the API's writes, and
/// idempotent on the administrator's reference.
public struct AdministratorAct: Sendable {
    /// What will happen, in one sentence, for a confirmation and the log.
    public var summary: String
    public var command: LedgerCommand
    /// The values the administrator gave, named as in the API: the idempotency fingerprint.
    public var fields: [(String, JSONValue)]

    public init(summary: String, command: LedgerCommand, fields: [(String, JSONValue)]) {
        self.summary = summary
        self.command = command
        self.fields = fields
    }

    /// Performs the act under `reference` (the voucher or instruction number), recorded with
    /// `actor`. Returns what was appended — or, when the reference was used before for the
    /// same act, the first result (`replayed`) without writing anything.
    public func perform(reference: String, actor: String, ledger: Ledger) async throws -> AppendResult {
        var meta = JSONObject()
        meta.set("actor", .string(actor))
        meta.set("reference", .string(reference))
        var asked = try JSONObject(fields)
        asked.set("act", .string(String(describing: command.target)))
        // Scoped `cli:` like the acts already recorded: another scope would let a retried act write again.
        let idempotency = Idempotency(key: "cli:\(reference)", fingerprint: Digest.sha256(CanonicalJSON.bytes(.object(asked))))
        do {
            return try await ledger.commands.handle(command, meta: meta, idempotency: idempotency).append
        } catch let error as DomainError {
            // A repeat of an act that took effect is refused by the rules (a share already
            // paid, a premium already subsidised): it is the first act's result all the same.
            if let first = try await ledger.log.idempotencyRecord(idempotency.key), first.fingerprint == idempotency.fingerprint {
                var replayed = first.result
                replayed.replayed = true
                return replayed
            }
            throw ApplicationError.failure("refused — \(error.field): \(error.message)")
        } catch AppendError.idempotencyConflict {
            throw ApplicationError.failure("reference \(reference) was already used for a different act; use a new reference")
        }
    }
}
