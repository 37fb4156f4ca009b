import Foundation

/// The cores this process may use, asked once: Foundation reads the cgroup's quota from files
/// on every ask, which a request that decodes a few rows would pay each time.
enum EveryCore {
    static let count = ProcessInfo.processInfo.activeProcessorCount
}

extension Array where Element: Sendable {
    /// `transform` of each element, in order, with the work split into parts for every core
    /// (parts of at least `minimum` elements, so a short array stays on one): for the steps
    /// that encode or tally every row of a ledger — an import's events, a rebuild's rows.
    /// Four parts a core, not one: a core that was busy with other work meanwhile (a fold
    /// beside the decoding of its next page) leaves its parts to the cores that are free,
    /// rather than the others waiting for its one part at the end.
    func mapOnEveryCore<Transformed: Sendable>(
        minimum: Int = 500, _ transform: @escaping @Sendable (Element) throws -> Transformed
    ) async throws -> [Transformed] {
        let parts = Swift.max(1, Swift.min(EveryCore.count * 4, count / Swift.max(1, minimum)))
        guard parts > 1 else { return try map(transform) }
        let size = (count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: (Int, [Transformed]).self) { group in
            for part in 0..<parts {
                let slice = self[Swift.min(count, part * size)..<Swift.min(count, (part + 1) * size)]
                group.addTask { (part, try slice.map(transform)) }
            }
            var done = [[Transformed]](repeating: [], count: parts)
            for try await (part, transformed) in group { done[part] = transformed }
            return done.flatMap { $0 }
        }
    }
}
