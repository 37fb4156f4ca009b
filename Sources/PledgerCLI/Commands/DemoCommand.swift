import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load a realistic demo district (2022–2025) into an empty ledger.",
        discussion: """
            The Longcheng district fund with contributions from province, city and district, five partner banks, new-energy borrowers with valid USCCs, pledged patents and trademarks, and four years of loans around the 15% growth target with defaults, claims, payouts and recoveries. Every command passes the same rules as the API. The same --seed and --scale always give the same ledger and head hash.

            Examples:
              pledger demo
              pledger demo --scale 1000      (about 1 million events, for benchmarks)
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Random seed.") var seed: UInt64 = 2023
    @Option(help: "Size: 1 ≈ 100 loans and 1,000 events; grows linearly.") var scale: Int = 1

    func run() async throws {
        guard (1...5000).contains(scale) else { throw ApplicationError.badInput("--scale must be 1–5000") }
        let (summary, states, events, decided, appendSeconds) = try await decideAndAppend()
        // The ledger was empty, and so were its read models: they are computed at once from the
        // states the session decided (the fold of the log, if nothing else was written), not
        // brought forward batch by batch nor folded again from the log.
        var projecting = Progress("projecting")
        let projected = try await connection.withLedger { ledger in
            try await DemoDistrict(seed: seed, scale: scale).project(states, recorded: events, in: ledger) {
                projecting.update($0, of: $1)
            }
        }
        projecting.finish()
        let head = try await connection.withLedger { try await $0.log.head() }
        print(
            "demo district loaded: \(summary.loans) loans, \(summary.defaults) defaults, \(summary.claimsPaid) claims paid, \(events) events"
        )
        print(
            "decided in \(String(format: "%.2f", decided)) s; appended in \(String(format: "%.2f", appendSeconds)) s (\(Int(Double(events) / max(appendSeconds, 0.001))) events/s); read models at \(projected)"
        )
        print("head \(head.position) \(head.hash.hex)")
        if !summary.refused.isEmpty {
            note(
                "planned commands the rules refused (skipped): "
                    + summary.refused.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
    }

    /// Decides the district's commands in memory and appends what they recorded; returns what
    /// was loaded, the states decided, the events, and the seconds each step took. The events
    /// themselves are let go here.
    private func decideAndAppend() async throws -> (
        DemoDistrict.Summary, states: AggregateStates, events: Int, decided: Double, appended: Double
    ) {
        var generation = Progress("deciding")
        let started = ContinuousClock.now
        let district = DemoDistrict(seed: seed, scale: scale)
        let (session, summary) = district.generate { generation.update(Int64($0), of: Int64($1), unit: "commands") }
        generation.finish()
        let decided = (ContinuousClock.now - started).inSeconds
        let appended = try await connection.withLedger { ledger in
            var progress = Progress("appending")
            let appendStart = ContinuousClock.now
            try await district.record(session, in: ledger) { progress.update(Int64($0), of: Int64($1)) }
            progress.finish()
            return (ContinuousClock.now - appendStart).inSeconds
        }
        return (summary, session.states, session.recorded.count, decided, appended)
    }
}
