import Foundation
import Logging
import PledgerDomain
import Synchronization

/// Executes domain commands against the event log: loads the streams a command reads,
/// lets the domain decide, and appends the resulting events with the expected version of
/// every written stream. A version conflict means someone else wrote first; the command
/// is then decided again on fresh state (safe, because deciding has no side effects).
public struct CommandHandler: Sendable {
    public let store: EventStore
    public var maxAttempts = 8
    private let locks: StreamLocks
    private let cache: StateCache

    /// `cache`: the process's states of streams, shared with the reports and the projector
    /// (see `Ledger`); a handler made alone keeps its own.
    public init(store: EventStore) { self.init(store: store, cache: StateCache()) }

    init(store: EventStore, cache: StateCache) {
        self.store = store
        self.cache = cache
        locks = StreamLocks(patience: store.operationTimeout)
    }

    /// What a command wrote.
    public struct Outcome: Sendable {
        public let append: AppendResult
        public let writes: [StreamWrite]
    }

    /// The target stream was not at the version the caller expected (HTTP `If-Match`).
    public struct PreconditionFailed: Error, Sendable {
        public let stream: String
        public let expected: Int32
        public let actual: Int32
    }

    /// Decides and appends. With `expectedVersion`, the command's target stream must be at
    /// exactly that version (an optimistic lock held by the caller): no retry on conflict.
    @discardableResult
    public func handle(
        _ command: LedgerCommand, meta: JSONObject = JSONObject(), idempotency: Idempotency? = nil, expectedVersion: Int32? = nil
    ) async throws -> Outcome {
        try await withStreamLocks([command.target.name]) {
            try await decideAndAppend(command, meta: meta, idempotency: idempotency, expectedVersion: expectedVersion)
        }
    }

    /// Runs `body` holding this process's queue position on each of `streams` (taken in a
    /// fixed order, so two holders of several cannot deadlock): commands on those streams
    /// wait rather than race into version conflicts.
    public func withStreamLocks<Result: Sendable>(_ streams: [String], _ body: @Sendable () async throws -> Result) async throws -> Result {
        try await withLocks(Array(Set(streams)).sorted()[...], body)
    }

    private func withLocks<Result: Sendable>(_ streams: ArraySlice<String>, _ body: @Sendable () async throws -> Result) async throws
        -> Result
    {
        guard let first = streams.first else { return try await body() }
        return try await locks.withLock(first) { try await withLocks(streams.dropFirst(), body) }
    }

    private func decideAndAppend(_ command: LedgerCommand, meta: JSONObject, idempotency: Idempotency?, expectedVersion: Int32?)
        async throws -> Outcome
    {
        var attempt = 0
        while true {
            attempt += 1
            let states = try await load(for: command)
            // Deciding first: a malformed or refused command is reported as such (422/409)
            // even when the caller's version is stale; only an acceptable one gets 412.
            let writes = try Workflow.decide(command, states)
            let current = states.versions[command.target] ?? 0
            if let expectedVersion, expectedVersion != current {
                throw PreconditionFailed(stream: command.target.name, expected: expectedVersion, actual: current)
            }
            let request = try Self.request(writes, states: states, meta: meta, idempotency: idempotency)
            do {
                return Outcome(append: try await store.append(request), writes: writes)
            } catch AppendError.wrongExpectedVersion(let stream, _, let actual)
                where expectedVersion != nil && stream == command.target.name
            {
                throw PreconditionFailed(stream: stream, expected: expectedVersion!, actual: actual)
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
            try await cache.load(missing, from: store, into: &states)
        }
    }

    /// Loads into a session every stream the command reads that it does not hold yet.
    public func prepare(_ session: inout LedgerSession, for command: LedgerCommand) async throws {
        while case let missing = session.missing(for: command), !missing.isEmpty {
            for ref in Set(missing) { session.absorb(ref, try await store.events(of: ref)) }
        }
    }

    /// Loads one stream's state: from the cache plus whatever was appended since, or from
    /// the start. The log is append-only, so reading on from the cached version is always
    /// exact, whoever wrote in between.
    public func load(_ ref: StreamRef, into states: inout AggregateStates) async throws {
        try await cache.load([ref], from: store, into: &states)
    }

    /// The append for a decision: every written stream at the version it was read at.
    static func request(_ writes: [StreamWrite], states: AggregateStates, meta: JSONObject, idempotency: Idempotency?) throws
        -> AppendRequest
    {
        var parts: [StreamAppend] = []
        for write in writes where !write.events.isEmpty {
            let version = states.versions[write.stream] ?? 0
            let events = try write.events.map { event in
                try NewEvent(type: event.type, schema: event.schema, data: try event.jsonData(), meta: meta)
            }
            parts.append(StreamAppend(stream: write.stream.name, expected: version == 0 ? .noStream : .exact(version), events: events))
        }
        return AppendRequest(parts, idempotency: idempotency)
    }
}
