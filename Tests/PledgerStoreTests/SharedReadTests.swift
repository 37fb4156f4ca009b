import Synchronization
import Testing

@testable import PledgerStore

@Suite("Reads shared by the callers asking together: one query at a time, each answer read after its question")
struct SharedReadTests {
    /// A reader that counts its reads, each waiting until the gate is opened.
    final class Reader: Sendable {
        let reads = Mutex<[Set<Int>]>([])
        private let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
        let failing = Atomic<Bool>(false)

        func read(_ keys: Set<Int>) async throws -> [Int: Int] {
            let generation = reads.withLock { reads in
                reads.append(keys)
                return reads.count
            }
            await withCheckedContinuation { continuation in
                let open = gate.withLock { gate in
                    if !gate.open { gate.waiting.append(continuation) }
                    return gate.open
                }
                if open { continuation.resume() }
            }
            if failing.load(ordering: .sequentiallyConsistent) { throw StoreError.notMigrated }
            return Dictionary(uniqueKeysWithValues: keys.filter { $0 >= 0 }.map { ($0, generation) })
        }

        func open() {
            for continuation in gate.withLock({ gate in
                gate.open = true
                defer { gate.waiting = [] }
                return gate.waiting
            }) { continuation.resume() }
        }

        func started() async throws {
            while reads.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    /// A shared read whose first read, of key 1 for the caller `first`, has started and waits at the gate.
    static func firstReadHeld() async throws -> (Reader, SharedRead<Int, Int>, Task<Int?, any Error>) {
        let reader = Reader()
        let shared = SharedRead<Int, Int> { try await reader.read($0) }
        let first = Task { try await shared.value(for: 1) }
        try await reader.started()
        return (reader, shared, first)
    }

    @Test("callers arriving during a read are answered together by the next one, which they all arrived before; unknown keys are nil")
    func sharedAfterArrival() async throws {
        let (reader, shared, first) = try await Self.firstReadHeld()

        // Twenty callers arrive while the first read waits at the gate.
        let later = (0..<20).map { caller in Task { try await shared.value(for: caller % 4 - 1) } }
        while shared.waitingCount < 20 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(reader.reads.withLock { $0.count } == 1, "a read started while another ran")
        reader.open()

        #expect(try await first.value == 1)
        for (caller, task) in later.enumerated() {
            // Read by the second read, which began after they all arrived.
            #expect(try await task.value == (caller % 4 - 1 >= 0 ? 2 : nil), "caller \(caller)")
        }
        #expect(reader.reads.withLock { $0 } == [[1], [-1, 0, 1, 2]])

        // With nothing running, a caller starts a read of its own at once.
        #expect(try await shared.value(for: 5) == 3)
    }

    @Test("a failed read fails every caller waiting for it, and the next caller reads again")
    func failureIsEveryWaitersAndPasses() async throws {
        let reader = Reader()
        let shared = SharedRead<Bool, Int> { try await reader.read([1])[1]! }
        reader.failing.store(true, ordering: .sequentiallyConsistent)
        let callers = (0..<5).map { _ in Task { try await shared.value() } }
        try await reader.started()
        reader.open()
        for caller in callers { await #expect(throws: StoreError.self) { try await caller.value } }
        reader.failing.store(false, ordering: .sequentiallyConsistent)
        let reads = reader.reads.withLock { $0.count }
        #expect(try await shared.value() == reads + 1)
    }

    @Test("a caller cancelled while it waits leaves at once and is not asked for; the others are answered")
    func cancelledWaiterLeaves() async throws {
        let (reader, shared, first) = try await Self.firstReadHeld()
        let staying = Task { try await shared.value(for: 2) }
        let leaving = Task { try await shared.value(for: 3) }
        while shared.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
        leaving.cancel()
        let deadline = ContinuousClock.now + .seconds(5)
        while shared.waitingCount > 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(shared.waitingCount == 1, "the cancelled caller still waits for the read")
        reader.open()
        await #expect(throws: CancellationError.self) { try await leaving.value }
        #expect(try await first.value == 1)
        #expect(try await staying.value == 2)
        #expect(reader.reads.withLock { $0 } == [[1], [2]])
    }
}
