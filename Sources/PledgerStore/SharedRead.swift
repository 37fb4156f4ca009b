import Synchronization

/// One query for many callers: the questions asked while a read is running wait and are
/// answered together by the next read, which starts after all of them arrived. Every answer
/// is therefore read after its question was asked (a write acknowledged, a token revoked
/// before the request came is seen), while thirty-two dashboards asking at once cost one
/// round trip at a time instead of thirty-two. An error of a read is every waiting caller's.
/// `read` must end within a deadline of its own (the store's reads do): a caller waits for
/// at most the read running when it came and its own; a caller cancelled before its read
/// starts leaves at once.
final class SharedRead<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    typealias Reader = @Sendable (Set<Key>) async throws -> [Key: Value]

    private struct Question {
        let id: UInt64
        let key: Key
        let answer: CheckedContinuation<Value?, any Error>
    }

    private struct Waiting {
        var questions: [Question] = []
        var reading = false
        var nextId: UInt64 = 0
        /// Callers not yet asking (their question is appended next); a caller cancelled
        /// meanwhile is taken out, and then does not ask.
        var arriving = Set<UInt64>()
    }

    private let waiting = Mutex(Waiting())
    private let read: Reader

    /// `read` answers a set of keys in one query; a key it leaves out is answered nil.
    init(_ read: @escaping Reader) { self.read = read }

    func value(for key: Key) async throws -> Value? {
        let id = waiting.withLock { waiting in
            defer { waiting.nextId += 1 }
            waiting.arriving.insert(waiting.nextId)
            return waiting.nextId
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { answer in
                let (startReading, cancelled) = waiting.withLock { waiting -> (Bool, Bool) in
                    if waiting.arriving.remove(id) == nil { return (false, true) }
                    waiting.questions.append(Question(id: id, key: key, answer: answer))
                    defer { waiting.reading = true }
                    return (!waiting.reading, false)
                }
                if cancelled { answer.resume(throwing: CancellationError()) }
                // Detached: the read is every waiting caller's, not the task-locals' of the first.
                if startReading { Task.detached { await self.readWhileAsked() } }
            }
        } onCancel: {
            let left = waiting.withLock { waiting -> Question? in
                // Not asked yet: it will see it was taken out. Already in a read: answered by it.
                if waiting.arriving.remove(id) != nil { return nil }
                guard let index = waiting.questions.firstIndex(where: { $0.id == id }) else { return nil }
                return waiting.questions.remove(at: index)
            }
            left?.answer.resume(throwing: CancellationError())
        }
    }

    /// How many callers wait for a read to take their question (for tests).
    var waitingCount: Int { waiting.withLock { $0.questions.count } }

    /// Reads until no question is waiting; only one runs at a time.
    private func readWhileAsked() async {
        while true {
            let batch = waiting.withLock { waiting in
                let batch = waiting.questions
                waiting.questions = []
                if batch.isEmpty { waiting.reading = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let values = try await read(Set(batch.map(\.key)))
                for question in batch { question.answer.resume(returning: values[question.key]) }
            } catch {
                for question in batch { question.answer.resume(throwing: error) }
            }
        }
    }
}

extension SharedRead where Key == Bool {
    /// A read without a key (the positions of the log): every caller waiting gets its value.
    convenience init(_ read: @escaping @Sendable () async throws -> Value) {
        self.init { _ in [true: try await read()] }
    }

    func value() async throws -> Value {
        guard let value = try await value(for: true) else { preconditionFailure("a keyless read answers its one key") }
        return value
    }
}
