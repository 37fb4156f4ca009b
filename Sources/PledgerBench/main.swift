import Foundation
import Logging
import PledgerDomain
import PledgerStore

/// Append throughput of the event store on this machine (scripts/bench runs it):
///   single      one client, one event per append (every append its own commit)
///   concurrent  64 clients, one event per append (group commit batches them)
///   batched     one client, 100 events per append
/// Usage: pledger-bench DATABASE_URL [events]
let arguments = CommandLine.arguments
guard arguments.count >= 2, let url = try? DatabaseURL(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: pledger-bench postgres://… [events]\n".utf8))
    exit(2)
}
let total = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
var logger = Logger(label: "bench")
logger.logLevel = .error

func payload(_ n: Int) throws -> NewEvent {
    try NewEvent(
        type: "RepaymentReceived",
        data: .object(
            JSONObject([
                ("principal_fen", .integer(Int64(n) * 100)), ("interest_fen", .integer(1234)), ("paid_on", .string("2025-03-31")),
            ])))
}

@MainActor func measure(_ name: String, events: Int, _ body: () async throws -> Void) async rethrows {
    let started = ContinuousClock.now
    try await body()
    let seconds = (ContinuousClock.now - started).inSeconds
    print(String(format: "%-12@ %8d events  %7.2f s  %9.0f events/s", name as NSString, events, seconds, Double(events) / seconds))
}

try await LedgerRuntime.with(url, maxConnections: 8, logger: logger) { ledger in
    let store = ledger.log
    let single = min(total, 3000)
    try await measure("single", events: single) {
        for n in 0..<single {
            try await store.append(AppendRequest(stream: "bench-single-\(n % 50)", expected: .any, events: [try payload(n)]))
        }
    }
    let before = store.statistics
    try await measure("concurrent", events: total) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<64 {
                group.addTask {
                    for n in 0..<(total / 64) {
                        try await store.append(AppendRequest(stream: "bench-\(client)", expected: .any, events: [try payload(n)]))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    let after = store.statistics
    print(
        "             (\(after.requests - before.requests) appends in \(after.transactions - before.transactions) transactions, largest \(after.largestBatch))"
    )
    try await measure("batched", events: total) {
        for batch in 0..<(total / 100) {
            try await store.append(
                AppendRequest(
                    stream: "bench-batch-\(batch % 20)", expected: .any, events: try (0..<100).map { try payload(batch * 100 + $0) }))
        }
    }
    let report = try await LedgerVerification(store: store).run()
    print(
        String(
            format: "verify       %8d events  %7.2f s  %9.0f events/s  (chain %@)", report.verified, report.seconds, report.eventsPerSecond,
            report.isIntact ? "intact" : "BROKEN"))
}
