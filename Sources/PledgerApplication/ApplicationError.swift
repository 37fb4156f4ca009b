/// Why an application service did not do what it was asked, in one sentence for the person
/// who asked — naming the file, line and column when a file is at fault. Front ends decide
/// how to report it (the CLI's exit code follows the case).
public enum ApplicationError: Error, Equatable, CustomStringConvertible {
    /// The ledger refused the act, has nothing to act on, or disagrees.
    case failure(String)
    /// The input is wrong (a file, a value): fix it and ask again.
    case badInput(String)

    public var description: String {
        switch self {
        case .failure(let message), .badInput(let message): message
        }
    }
}
