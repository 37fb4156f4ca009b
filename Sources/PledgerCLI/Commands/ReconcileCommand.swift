import ArgumentParser
import PledgerDomain
import PledgerStore

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the ledger with bank statements, the fund's account, or its own read models.",
        subcommands: [Projections.self]
    )

    struct Projections: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the stored read models with a fresh replay of the log.",
            discussion: "Lists every difference; exit 0 only when there is none.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Output: table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let (differences, checked, position) = try await connection.withLedger { store in
                var progress = Progress("replaying")
                let result = try await ProjectionReconciliation(store: store).run { progress.update($0, of: $1) }
                progress.finish()
                return result
            }
            switch format {
            case .json:
                print(CanonicalJSON.string(.object(try JSONObject([
                    ("position", .integer(position)), ("rows_checked", .integer(Int64(checked))),
                    ("differences", .array(differences.map { .object((try? JSONObject([("table", .string($0.table)), ("key", .string($0.key)), ("problem", .string($0.problem))])) ?? JSONObject()) })),
                ]))))
            case .csv:
                print("table,key,problem")
                for d in differences { print("\(CSV.field(d.table)),\(CSV.field(d.key)),\(CSV.field(d.problem))") }
            case .table:
                var table = Table([("Table", .left), ("Key", .left), ("Problem", .left)])
                for d in differences { table.add([d.table, d.key, d.problem]) }
                print("checked \(checked) rows against a replay of positions 1…\(position): \(differences.isEmpty ? "no differences" : "\(differences.count) difference(s)")")
                if !differences.isEmpty { print(table.render()) }
            }
            if !differences.isEmpty { throw ExitCode(1) }
        }
    }
}
