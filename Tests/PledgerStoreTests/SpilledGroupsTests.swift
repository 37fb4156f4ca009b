import Foundation
import PledgerTestSupport
import Testing

@testable import PledgerStore

@Suite("A rebuild's files by borrower")
struct SpilledGroupsTests {
    @Test("a rebuild removes its files, and those of a rebuild whose process is gone; a running process's it keeps")
    func leftovers() async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await ProjectorTests.randomWorkload(store, seed: 5, steps: 60)
            let temporary = FileManager.default.temporaryDirectory
            // pid_max is at most 2^22 on Linux: no process has this number.
            let gone = temporary.appendingPathComponent("pledger-rebuild-4194304-\(UUID().uuidString)")
            let running = temporary.appendingPathComponent("pledger-rebuild-\(getpid())-\(UUID().uuidString)")
            for directory in [gone, running] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
            defer { try? FileManager.default.removeItem(at: running) }
            #expect(try await Projector(store: store).rebuild(loansPerGroup: 2) == store.head().position)
            #expect(!FileManager.default.fileExists(atPath: gone.path))
            #expect(FileManager.default.fileExists(atPath: running.path))
            // Its own files are gone too (other tests' rebuilds in this process come and go).
            try await eventually { Self.ours(in: temporary) == [running.lastPathComponent] }
        }
    }

    private static func ours(in directory: URL) -> Set<String> {
        Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
                $0.hasPrefix("pledger-rebuild-\(getpid())-")
            })
    }
}
