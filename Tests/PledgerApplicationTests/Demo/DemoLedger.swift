import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore
import PledgerTestSupport

/// The demo district (seed 2023, scale 1) as the tests' fixture: decided once per process in
/// memory (for tests of the events alone), and decided again and loaded into a test database
/// through `DemoDistrict.load` when a test needs the ledger (a fifth of a second) — the samples in deploy/samples describe it.
enum DemoLedger {
    static let district = DemoDistrict()
    static let generated = district.generate()
    static let samples = TestDatabase.repositoryRoot.appendingPathComponent("deploy/samples")

    /// A test database holding the demo district, with its read models up to date.
    static func with<Result: Sendable>(_ body: (EventStore) async throws -> Result) async throws -> Result {
        try await withURL { store, _ in try await body(store) }
    }

    /// The same, with the test database's address (to change it as its superuser).
    static func withURL<Result: Sendable>(_ body: (EventStore, DatabaseURL) async throws -> Result) async throws -> Result {
        try await TestDatabase.withLedger { store, url in
            _ = try await district.load(into: Ledger(log: store))
            _ = try await Projector(store: store).catchUp()
            return try await body(store, url)
        }
    }

    static func sample(_ name: String, required: [String], optional: [String] = []) throws -> SpreadsheetFile {
        try SpreadsheetFile(path: samples.appendingPathComponent(name).path, required: required, optional: optional)
    }
}
