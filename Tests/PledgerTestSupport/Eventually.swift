/// Waits until `condition` holds, polling every 5 ms; throws after `seconds` (generous: a
/// loaded two-core machine can hold a task back for seconds).
public func eventually(within seconds: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { throw ConditionNotReached(seconds: seconds) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// `eventually`'s condition did not hold in time.
public struct ConditionNotReached: Error, CustomStringConvertible {
    public let seconds: Double
    public var description: String { "condition not reached within \(seconds) s" }
}
