import PledgerDomain

/// `reconcile projections`: the stored read models against a fresh replay of the log.
public struct ProjectionReconciliation: Sendable {
    public struct Difference: Sendable, Hashable {
        public var table: String
        public var key: String
        public var problem: String
    }

    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    public func run(progress: (Int64, Int64) -> Void = { _, _ in }) async throws -> (
        differences: [Difference], checked: Int, position: Int64
    ) {
        let checkpoint = try await Projector.checkpoint(store)
        // Replay exactly as far as the read models claim to be.
        let fold = try await store.replay(toPosition: checkpoint, reading: .copy, streams: .readModelSources, progress: progress)
        let expected = try await fold.states.allRows()
        let storedLoans = Dictionary(uniqueKeysWithValues: try await ReadModelWriter.loadLoans(store).map { ($0.stream, $0) })
        let storedFunds = Dictionary(uniqueKeysWithValues: try await ReadModelWriter.loadFunds(store).map { ($0.fundId, $0) })
        var differences: [Difference] = []
        let head = try await store.head().position
        if checkpoint < head {
            differences.append(
                Difference(
                    table: "projection_checkpoints", key: Projector.name,
                    problem: "read models are at position \(checkpoint), the log at \(head) (projector behind)"))
        }
        var seen = Set<String>()
        for row in expected.loans {
            seen.insert(row.stream)
            guard let stored = storedLoans[row.stream] else {
                differences.append(Difference(table: "rm_loans", key: row.stream, problem: "missing from the read model"))
                continue
            }
            if stored.snapshotJSON != row.snapshotJSON {
                differences.append(
                    Difference(
                        table: "rm_loans", key: row.stream, problem: Self.describe(stored: stored.snapshotJSON, replayed: row.snapshotJSON))
                )
            }
        }
        for stream in storedLoans.keys.sorted() where !seen.contains(stream) {
            differences.append(Difference(table: "rm_loans", key: stream, problem: "in the read model but not in the log"))
        }
        var seenFunds = Set<String>()
        for row in expected.funds {
            seenFunds.insert(row.fundId)
            if let stored = storedFunds[row.fundId] {
                if stored != row {
                    differences.append(Difference(table: "rm_funds", key: row.fundId, problem: "stored \(stored) ≠ replayed \(row)"))
                }
            } else {
                differences.append(Difference(table: "rm_funds", key: row.fundId, problem: "missing from the read model"))
            }
        }
        for id in storedFunds.keys.sorted() where !seenFunds.contains(id) {
            differences.append(Difference(table: "rm_funds", key: id, problem: "in the read model but not in the log"))
        }
        // The reports' sums, each row keyed by a readable name, against sums from the replay.
        func compare<Value: Equatable>(_ table: String, wanted: [String: Value], found: [String: Value], _ show: (Value) -> String) {
            for name in Set(wanted.keys).union(found.keys).sorted() where wanted[name] != found[name] {
                differences.append(
                    Difference(
                        table: table, key: name,
                        problem: "stored \(found[name].map(show) ?? "nothing") ≠ replayed \(wanted[name].map(show) ?? "nothing")"))
            }
        }
        func show(_ sums: GrowthSums) -> String { "\(sums.loans) loans, \(sums.principalFen) fen" }
        let expectedTally = GrowthTally(expected.loans.map(\.snapshot), byBank: true)
        let expectedGrowth = expectedTally.entries
        func byName(_ entries: [GrowthEntry: GrowthSums]) -> [String: GrowthSums] {
            Dictionary(
                uniqueKeysWithValues: entries.map { entry, sums in
                    ("\(entry.scope) \(entry.series) \(entry.value) \(entry.day) after \(entry.previousMonth?.description ?? "none")", sums)
                })
        }
        let storedGrowth = try await store.withConnection("rm_growth") { try await GrowthTable.all(on: $0, logger: store.logger) }
        compare("rm_growth", wanted: byName(expectedGrowth), found: byName(storedGrowth), show)
        let storedMonths = try await store.withConnection("rm_growth_months") {
            try await GrowthTable.storedMonths(on: $0, logger: store.logger)
        }
        compare("rm_growth_months", wanted: GrowthTable.months(of: expectedTally), found: storedMonths, show)
        let expectedExposure = try await ExposureTable.expected(fold.states)
        let storedExposure = try await store.withConnection("rm_exposure") { connection in
            try await ExposureTable.stored(
                "SELECT \(unescaped: ExposureTable.columns) FROM rm_exposure", on: connection, logger: store.logger)
        }
        func byName(_ rows: some Collection<ExposureTable.Row>) -> [String: ExposureTable.Figures] {
            Dictionary(
                uniqueKeysWithValues: rows.map { row in
                    (
                        "\(row.fund) \(row.scope) \(row.borrower.isEmpty ? "(sums)" : row.borrower) \(row.bank.isEmpty ? "(whole)" : row.bank)",
                        row.figures
                    )
                })
        }
        compare("rm_exposure", wanted: byName(expectedExposure), found: byName(storedExposure)) { "\($0.values)" }
        let states = try await storedStates(against: fold.states)
        differences += states.differences
        return (
            differences, expected.loans.count + expected.funds.count + expectedGrowth.count + expectedExposure.count + states.checked,
            checkpoint
        )
    }

    /// Each stored state of this build's form against its stream folded from the log to its
    /// version (the replay's state when it is at that version).
    private func storedStates(against replayed: AggregateStates) async throws -> (differences: [Difference], checked: Int) {
        let rows = try await store.withConnection("stream_states") { connection in
            try await connection.allRows(
                """
                SELECT s.stream, min(s.version), max(s.version), count(*), min(s.parts), max(s.parts),
                       bool_and(e.hash = s.hash), max(e.position)
                FROM stream_states s LEFT JOIN events e ON e.stream = s.stream AND e.version = s.version
                WHERE s.form = \(FundState.storedForm) GROUP BY s.stream ORDER BY s.stream
                """, logger: store.logger)
        }
        var differences: [Difference] = []
        for row in rows {
            let (stream, version, highest, count, parts, mostParts, sameHash, position) = try row.decode(
                (String, Int32, Int32, Int64, Int32, Int32, Bool?, Int64?).self)
            func differ(_ problem: String) { differences.append(Difference(table: "stream_states", key: stream, problem: problem)) }
            guard version == highest, parts == mostParts, count == Int64(parts) else {
                differ("its \(count) parts are not one whole state (versions \(version)–\(highest), \(parts)–\(mostParts) parts)")
                continue
            }
            guard let position, sameHash == true else {
                differ(position == nil ? "version \(version) is not in the log" : "the log's event at version \(version) has another hash")
                continue
            }
            guard let id = StoredStates.fundId(stream) else {
                differ("not a fund's stream")
                continue
            }
            guard let stored = try await StoredStates.read(id, through: position, from: store)?.state else {
                differ("unreadable in form \(FundState.storedForm)")
                continue
            }
            let folded: FundState?
            if replayed.versions[.fund(id)] == version {
                folded = replayed.funds[id]
            } else {
                var states = AggregateStates()
                try await store.load(.fund(id), through: position, into: &states)
                folded = states.funds[id]
            }
            guard stored != folded else { continue }
            // Every field of a fund's state is Hashable: those that differ, by name.
            let fields = zip(Mirror(reflecting: stored).children, Mirror(reflecting: folded ?? FundState()).children)
                .filter { $0.value as? AnyHashable != $1.value as? AnyHashable }.compactMap(\.0.label)
            differ("stored state at version \(version) ≠ its stream folded; fields: \(fields.joined(separator: ", "))")
        }
        return (differences, rows.count)
    }

    /// Names the fields that differ between two canonical JSON objects.
    static func describe(stored: String, replayed: String) -> String {
        guard case .object(let a) = try? JSONParser.parse(stored), case .object(let b) = try? JSONParser.parse(replayed) else {
            return "stored snapshot differs from the replay"
        }
        let keys = Set(a.members.map(\.key)).union(b.members.map(\.key)).sorted()
        let fields = keys.filter { a[$0] != b[$0] }.map { key in
            "\(key): stored \(a[key].map(CanonicalJSON.string) ?? "—"), replayed \(b[key].map(CanonicalJSON.string) ?? "—")"
        }
        return fields.joined(separator: "; ")
    }
}
