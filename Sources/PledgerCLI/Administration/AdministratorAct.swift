import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

/// Options every act of a fund administrator shares.
struct ActOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Your reference for this act (the voucher or instruction number). It is recorded, and it makes the command idempotent: running it again with the same reference and the same values writes nothing and reports the first result.",
            valueName: "ref"))
    var reference: String

    @Flag(name: .customLong("yes"), help: "Do not ask for confirmation (asked only when standard input is a terminal).")
    var assumeYes = false
}

/// An administrator's act from the command line: the reference checked, confirmed on a
/// terminal, performed as the user running it.
extension AdministratorAct {
    /// Runs the act; returns what was appended (or the first result, on a repeated reference).
    func perform(_ options: ActOptions, ledger: Ledger) async throws -> AppendResult {
        try Self.check(reference: options.reference)
        if !options.assumeYes, isatty(STDIN_FILENO) != 0 {
            FileHandle.standardError.write(Data("\(summary)\nReference: \(options.reference)\nProceed? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                throw ApplicationError.failure("nothing was written")
            }
        }
        let result = try await perform(
            reference: options.reference, actor: "cli:\(ProcessInfo.processInfo.environment["USER"] ?? "fund_admin")", ledger: ledger)
        if result.replayed {
            note("already recorded under reference \(options.reference) (position \(result.lastPosition)); nothing new was written")
        }
        return result
    }

    private static func check(reference: String) throws {
        guard !reference.trimmingCharacters(in: .whitespaces).isEmpty, reference.count <= 120,
            !reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ApplicationError.badInput("--reference must be 1–120 printable characters")
        }
    }
}

/// Parsing of administrator input into domain values, with the flag in the message.
enum ActInput {
    static func money(_ text: String, flag: String) throws -> Money {
        do {
            let amount = try Money(parsing: text, field: flag)
            guard amount.isPositive else {
                throw ApplicationError.badInput("\(flag): must be more than 0.00 (amounts are in yuan, like 1,000,000.00)")
            }
            return amount
        } catch let error as DomainError {
            throw ApplicationError.badInput("\(flag): \(error.message)")
        }
    }

    static func date(_ text: String?, flag: String) throws -> BusinessDate {
        guard let text else { return BusinessDate(containing: .now()) }
        do { return try BusinessDate(parsing: text, field: flag) } catch let error as DomainError {
            throw ApplicationError.badInput("\(flag): \(error.message)")
        }
    }

    static func id<T>(_ text: String, flag: String, _ make: (String) throws -> T) throws -> T {
        do { return try make(text) } catch let error as DomainError { throw ApplicationError.badInput("\(flag): \(error.message)") }
    }

    static func text(_ text: String, flag: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ApplicationError.badInput("\(flag) must not be empty") }
        return text
    }
}
