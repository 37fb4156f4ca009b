import Foundation
import Testing

@testable import PledgerDomain

@Suite("Time-ordered event ids")
struct TimeOrderedIdTests {
    /// The bytes PostgreSQL's `uuid` comparison orders by.
    private func bytes(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    @Test("An id carries its time's milliseconds first, then version 7 and the RFC variant")
    func layout() {
        let time = RecordedTime(microseconds: 1_764_547_200_123_456)  // 2025-12-01T00:00:00.123456Z
        var random = SeededRandom(state: 1)
        let id = bytes(UUID.timeOrdered(at: time, using: &random))
        let milliseconds = id[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_764_547_200_123)
        #expect(id[6] >> 4 == 7)
        #expect(id[8] >> 6 == 0b10)
        #expect(UUID.timeOrdered(at: time, using: &random) != UUID.timeOrdered(at: time, using: &random))
    }

    @Test("Ids made at later milliseconds sort after earlier ones, byte by byte")
    func ordered() {
        var random = SeededRandom(state: 7)
        var time = RecordedTime(microseconds: 1_700_000_000_000_000)
        var previous = bytes(UUID.timeOrdered(at: time, using: &random))
        for step in 1...1000 {
            time = RecordedTime(microseconds: time.microseconds + Int64(step % 7 + 1) * 1000)
            let next = bytes(UUID.timeOrdered(at: time, using: &random))
            #expect(previous.lexicographicallyPrecedes(next))
            previous = next
        }
    }

    @Test("The same seed gives the same ids; the system's generator gives distinct ones")
    func reproducibleAndDistinct() {
        let time = RecordedTime(microseconds: 1_700_000_000_000_000)
        var (a, b) = (SeededRandom(state: 42), SeededRandom(state: 42))
        #expect(
            (0..<100).map { _ in UUID.timeOrdered(at: time, using: &a) } == (0..<100).map { _ in UUID.timeOrdered(at: time, using: &b) })
        #expect(Set((0..<10_000).map { _ in UUID.timeOrdered(at: time) }).count == 10_000)
    }

    @Test("A time before 1970 gives the epoch's milliseconds, not a wrapped-around value")
    func beforeEpoch() {
        var random = SeededRandom(state: 3)
        let id = bytes(UUID.timeOrdered(at: RecordedTime(microseconds: -5_000_000), using: &random))
        #expect(id[0..<6].allSatisfy { $0 == 0 })
    }
}
