import Foundation
import Logging
import PledgerDomain

/// Executes domain commands against the event log: loads the streams a command reads,
/// lets the domain decide, and appends the resulting events with the expected version of
/// every written stream. A version conflict means someone else wrote first; the command
/// is then decided again on fresh state (safe, because deciding has no side effects).
public struct CommandHandler: Sendable {
    public let store: EventStore
    public var maxAttempts = 8
    private let locks = StreamLocks()

    public init(store: EventStore) { self.store = store }

    /// What a command wrote.
    public struct Outcome: Sendable {
        public let append: AppendResult
        public let writes: [StreamWrite]
    }

    @discardableResult
    public func handle(_ command: LedgerCommand, meta: JSONObject = JSONObject(), idempotencyKey: String? = nil) async throws -> Outcome {
        try await locks.withLock(command.target.name) {
            try await decideAndAppend(command, meta: meta, idempotencyKey: idempotencyKey)
        }
    }

    private func decideAndAppend(_ command: LedgerCommand, meta: JSONObject, idempotencyKey: String?) async throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            let states = try await load(for: command)
            let writes = try Workflow.decide(command, states)
            let request = try Self.request(writes, states: states, meta: meta, idempotencyKey: idempotencyKey)
            do {
                return Outcome(append: try await store.append(request), writes: writes)
            } catch AppendError.wrongExpectedVersion(let stream, _, _) where attempt < maxAttempts {
                store.logger.debug("version conflict, deciding again", metadata: ["stream": "\(stream)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
                continue
            }
        }
    }

    /// Loads every stream the command reads (repeating while loaded state asks for more).
    public func load(for command: LedgerCommand) async throws -> AggregateStates {
        var states = AggregateStates()
        while true {
            let missing = command.reads(states).filter { !states.isLoaded($0) }
            if missing.isEmpty { return states }
            for ref in Set(missing) { try await load(ref, into: &states) }
        }
    }

    public func load(_ ref: StreamRef, into states: inout AggregateStates) async throws {
        states.markLoaded(ref)
        var from: Int32 = 1
        while true {
            let page = try await store.read(stream: ref.name, fromVersion: from, limit: 5000)
            for stored in page { states.apply(try RecordedEvent(stored.envelope), to: ref) }
            guard page.count == 5000, let last = page.last else { return }
            from = last.envelope.version + 1
        }
    }

    /// The append for a decision: every written stream at the version it was read at.
    static func request(_ writes: [StreamWrite], states: AggregateStates, meta: JSONObject, idempotencyKey: String?) throws -> AppendRequest {
        var parts: [StreamAppend] = []
        for write in writes where !write.events.isEmpty {
            let version = states.versions[write.stream] ?? 0
            let events = try write.events.map { event in
                try NewEvent(type: event.type, schema: event.schema, data: try event.jsonData(), meta: meta)
            }
            parts.append(StreamAppend(stream: write.stream.name, expected: version == 0 ? .noStream : .exact(version), events: events))
        }
        return AppendRequest(parts, idempotencyKey: idempotencyKey)
    }
}
