import Foundation
import PledgerDomain
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

    @Test(
        "the loans' and borrowers' events read a few positions at a time into buckets, folded a group at a time, give every loan the whole fold gives",
        arguments: [7, 50_000])
    func groupsMakeTheWholeFold(positionsPerRead: Int) async throws {
        try await TestDatabase.withLedger(maxConnections: 6) { store, _ in
            _ = try await ProjectorTests.randomWorkload(store, seed: 23, steps: 300)
            let head = try await store.head().position
            let spilled = try #require(
                try await SpilledGroups.write(store, through: head, loansPerGroup: 2, positionsPerRead: Int64(positionsPerRead)))
            defer { spilled.remove() }
            #expect(spilled.groups.count >= 2)
            var grouped: [LoanSnapshot] = []
            for group in 0..<spilled.groups.count {
                let states = try await spilled.fold(group: group).states
                let rows = try await states.allRows().loans
                try spilled.groups.check(rows, borrowers: states.borrowers.keys, group: group)
                grouped += states.loanSnapshots
            }
            let whole = try await store.replay(reading: .copy).states.loanSnapshots
            #expect(!whole.isEmpty)
            #expect(grouped.sorted { $0.key < $1.key } == whole.sorted { $0.key < $1.key })
        }
    }

    private static func ours(in directory: URL) -> Set<String> {
        Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
                $0.hasPrefix("pledger-rebuild-\(getpid())-")
            })
    }
}
