import Synchronization

/// One query for many callers: the questions asked while a read is running wait and are
/// answered together by the next read, which starts after all of them arrived. Every answer
/// is therefore read after its question was asked (a write acknowledged, a token revoked
/// before the request came is seen), while thirty-two dashboards asking at once cost one
/// round trip at a time instead of thirty-two. An error of a read is every waiting caller's.
final class SharedRead<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    typealias Reader = @Sendable (Set<Key>) async throws -> [Key: Value]

    private struct Waiting {
        var questions: [(key: Key, answer: CheckedContinuation<Value?, any Error>)] = []
        var reading = false
    }

    private let waiting = Mutex(Waiting())
    private let read: Reader

    /// `read` answers a set of keys in one query; a key it leaves out is answered nil.
    init(_ read: @escaping Reader) { self.read = read }

    func value(for key: Key) async throws -> Value? {
        try await withCheckedThrowingContinuation { answer in
            let startReading = waiting.withLock { waiting in
                waiting.questions.append((key, answer))
                defer { waiting.reading = true }
                return !waiting.reading
            }
            if startReading { Task { await readWhileAsked() } }
        }
    }

    /// Reads until no question is waiting; only one runs at a time.
    private func readWhileAsked() async {
        while true {
            let batch = waiting.withLock { waiting in
                defer { waiting.questions.removeAll(keepingCapacity: true) }
                if waiting.questions.isEmpty { waiting.reading = false }
                return waiting.questions
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
