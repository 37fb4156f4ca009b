import Synchronization

/// Conversions of coding keys (snake case to camel case and back), remembered: a few hundred
/// property names are converted millions of times (every event written or read), and
/// converting costs a fifth of encoding or decoding. At 4,096 keys (a dictionary's keys from
/// data) the table starts again: bounded, and never left full of keys that are not the
/// ledger's own.
final class KeyConversions: Sendable {
    private let convert: @Sendable (String) -> String
    private let known = Mutex<[String: String]>([:])
    static let capacity = 4096

    init(_ convert: @escaping @Sendable (String) -> String) { self.convert = convert }

    func callAsFunction(_ key: String) -> String {
        if let converted = known.withLock({ $0[key] }) { return converted }
        let converted = convert(key)
        known.withLock { known in
            if known.count >= Self.capacity { known.removeAll() }
            known[key] = converted
        }
        return converted
    }

    /// How many conversions are remembered.
    var count: Int { known.withLock { $0.count } }
}
