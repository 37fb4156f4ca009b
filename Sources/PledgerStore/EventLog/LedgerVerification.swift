import Foundation
import PledgerDomain

/// Recomputes the hash chain from the database and compares it with the head row.
public struct LedgerVerification: Sendable {
    public struct Report: Sendable {
        public var from: Int64
        public var verified: Int64 = 0
        public var lastPosition: Int64 = 0
        public var lastHash: LedgerHash = .zero
        public var head: LedgerHead?
        public var firstBreak: ChainBreak?
        public var seconds: Double = 0

        public var isIntact: Bool { firstBreak == nil }
        public var eventsPerSecond: Double { seconds > 0 ? Double(verified) / seconds : 0 }
    }

    public let store: EventStore
    public var pageSize = 5000

    public init(store: EventStore) { self.store = store }

    /// Verifies positions `from…head`. Starting later than 1 trusts the stored hash of the
    /// position before `from`; a signed checkpoint is how an auditor removes that trust.
    public func run(from: Int64 = 1, progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> Report {
        let started = ContinuousClock.now
        let head = try await store.head()
        var report = Report(from: max(1, from))
        report.head = head
        var verifier: HashChainVerifier
        if report.from > 1 {
            guard let before = try await store.read(after: report.from - 2, limit: 1).first, before.position == report.from - 1 else {
                report.firstBreak = ChainBreak(position: report.from - 1, reason: "position \(report.from - 1) is missing")
                return report
            }
            verifier = HashChainVerifier(after: before.position, hash: before.hash)
        } else {
            verifier = HashChainVerifier()
        }
        var cursor = report.from - 1
        pages: while true {
            let page = try await store.read(after: cursor, limit: pageSize)
            guard let last = page.last else { break }
            for event in page {
                if let problem = verifier.check(event.envelope, storedPrevious: event.prevHash, storedHash: event.hash) {
                    report.firstBreak = problem
                    break pages
                }
            }
            cursor = last.position
            progress(cursor, head.position)
        }
        report.verified = verifier.verified
        report.lastPosition = verifier.nextPosition - 1
        report.lastHash = verifier.previous
        if report.firstBreak == nil {
            if report.lastPosition < head.position {
                report.firstBreak = ChainBreak(
                    position: report.lastPosition + 1,
                    reason: "the head says \(head.position) events exist but the log ends at \(report.lastPosition)")
            } else if report.lastPosition > head.position || (report.lastPosition > 0 && report.lastHash != head.hash) {
                report.firstBreak = ChainBreak(
                    position: head.position,
                    reason: "the head row (position \(head.position), hash \(head.hash.hex.prefix(16))…) does not match the log")
            }
        }
        report.seconds = (ContinuousClock.now - started).inSeconds
        return report
    }
}
