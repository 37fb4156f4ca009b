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
              pledger demo --scale 1000      (about 1.2 million events, for benchmarks)
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Random seed.") var seed: UInt64 = 2023
    @Option(help: "Size: 1 ≈ 120 loans and 1,200 events; grows about linearly.") var scale: Int = 1

    func run() async throws {
        guard (1...5000).contains(scale) else { throw ApplicationError.badInput("--scale must be 1–5000") }
        let district = DemoDistrict(seed: seed, scale: scale)
        var loading = Progress("deciding and appending")
        // Each progress line is cleared also when its work fails: the error gets a line of its own.
        defer { loading.finish() }
        let (loaded, projected, head) = try await connection.withLedger { ledger in
            var loaded = try await district.load(into: ledger) { loading.update(Int64($0), of: Int64($1), unit: "commands") }
            loading.finish()
            // The ledger was empty, and so were its read models: they are computed at once from
            // the states the history ends in (the fold of the log, if nothing else was written),
            // not brought forward batch by batch nor folded again from the log. The states are
            // handed over, not copied, so they are let go once their rows are made.
            let states = loaded.states
            loaded.states = AggregateStates()
            var projecting = Progress("projecting")
            defer { projecting.finish() }
            let step = projecting.stepReporter
            let projected = try await district.project(
                consume states, events: loaded.events, in: ledger, progress: { projecting.update($0, of: $1) }, stage: { step($0.text) }
            )
            return (loaded, projected, try await ledger.log.head())
        }
        let summary = loaded.summary
        print(
            "demo district loaded: \(summary.loans) loans, \(summary.defaults) defaults, \(summary.claimsPaid) claims paid, \(loaded.events) events"
        )
        print(
            "decided and appended in \(String(format: "%.2f", loaded.seconds)) s (\(Int(Double(loaded.events) / max(loaded.seconds, 0.001))) events/s; deciding \(String(format: "%.2f", loaded.decidingSeconds)) s of it, beside the appending); read models at \(projected)"
        )
        print("head \(head.position) \(head.hash.hex)")
        if !summary.refused.isEmpty {
            note(
                "planned commands the rules refused (skipped): "
                    + summary.refused.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
    }
}
