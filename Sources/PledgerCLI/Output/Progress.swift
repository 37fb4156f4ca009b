import Foundation

/// Progress on standard error for long work, only when stderr is a terminal, at most
/// ten updates a second, so that pipes and logs stay clean.
struct Progress {
    let label: String
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var lastPrinted = ContinuousClock.now - .seconds(1)

    init(_ label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    mutating func update(_ done: Int64, of total: Int64, unit: String = "events") {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastPrinted >= .milliseconds(100) else { return }
        lastPrinted = now
        let seconds = (now - started).inSeconds
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        FileHandle.standardError.write(
            Data(String(format: "\r%@: %lld/%lld %@ (%.0f%%, %.0f/s)   ", label, done, total, unit, percent, rate).utf8))
    }

    /// Reports a step of long work that has no count (a rebuild's writing), on the same line,
    /// with the seconds since the work began.
    var stepReporter: @Sendable (String) -> Void {
        { [label, enabled, started] text in
            guard enabled else { return }
            let seconds = (ContinuousClock.now - started).inSeconds
            FileHandle.standardError.write(Data(String(format: "\r%@: %@ (%.1f s)\u{1B}[K", label, text, seconds).utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Writes a line to standard error (messages for people, never data).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
