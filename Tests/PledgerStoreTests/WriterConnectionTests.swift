import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("The writer's connection")
struct WriterConnectionTests {
    @Test("kept while in use, replaced once idle for longer than its limit, refused after close")
    func replacedWhenIdle() async throws {
        try await TestDatabase.withDatabase { url in
            // Long enough that the two calls in a row fall within it on a loaded machine: the idle
            // time counts from the first call's start, its connecting included, which took over
            // 3 s in a CI run with the whole suite connecting at once.
            let writer = WriterConnection(url: url, limits: .none, maxIdle: .seconds(20), logger: TestDatabase.logger)
            let first = try await writer.connection()
            #expect(try await writer.connection() === first)
            #expect(writer.opened == 1)
            try await Task.sleep(for: .milliseconds(20_300))
            let second = try await writer.connection()
            #expect(second !== first)
            #expect(writer.opened == 2)
            try await eventually { first.isClosed }
            await writer.close()
            try await eventually { second.isClosed }
            await #expect(throws: StoreError.self) { try await writer.connection() }
        }
    }
}
