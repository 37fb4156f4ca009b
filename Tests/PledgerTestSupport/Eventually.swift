/// Waits until `condition` holds, polling every 5 ms; throws after `seconds` (generous: a
/// loaded two-core machine can hold a task back for seconds, and with the whole suite at
/// once a wait of 10 s has not been enough), naming where it waited.
public func eventually(
    within seconds: Double = 30, fileID: String = #fileID, line: Int = #line, _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { throw ConditionNotReached(seconds: seconds, at: "\(fileID):\(line)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// `eventually`'s condition did not hold in time.
public struct ConditionNotReached: Error, CustomStringConvertible {
    public let seconds: Double
    /// The file and line of the `eventually` that gave up.
    public let at: String
    public var description: String { "the condition at \(at) was not reached within \(seconds) s" }
}
