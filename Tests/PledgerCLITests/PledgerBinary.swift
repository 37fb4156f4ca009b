import Foundation
import PledgerStore

/// Runs the built `pledger` executable as a user would, capturing its output and exit code.
enum PledgerBinary {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// `.build/<triple>/debug/pledger`, beside the test bundle that `swift build --build-tests` made.
    static let url: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while folder.path != "/" {
            folder.deleteLastPathComponent()
            let candidate = folder.appendingPathComponent("pledger")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/debug/pledger")
    }()

    /// Async, and on a thread of its own while the child runs: the tests run in parallel on
    /// a cooperative pool as wide as the machine (two threads here), and a thread blocked
    /// waiting for a child would stall every other test's timers and I/O meanwhile.
    static func run(_ arguments: [String], database: DatabaseURL? = nil, stdin: Data? = nil, environment extra: [String: String] = [:])
        async throws -> Outcome
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, database: database, stdin: stdin, environment: extra) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], database: DatabaseURL?, stdin: Data?, environment extra: [String: String]) throws
        -> Outcome
    {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        if let database {
            environment["DATABASE_URL"] = "postgres://\(database.username)@\(database.host):\(database.port)/\(database.database)"
        }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large output cannot block the child.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}
