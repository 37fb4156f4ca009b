import Synchronization

/// Conversions of coding keys (snake case to camel case and back), remembered: a few hundred
/// property names are converted millions of times (every event written or read), and
/// converting costs a fifth of encoding or decoding. At 4,096 keys (a dictionary's keys from
/// data) the table starts again: bounded, and never left full of keys that are not the
/// ledger's own. A key the conversion leaves as it is (`keepsAsIs`, a scan of its bytes:
/// `amount`, `status`) skips the table and its lock, which every core decoding at once
/// contended for.
final class KeyConversions: Sendable {
    private let convert: @Sendable (String) -> String
    private let keepsAsIs: @Sendable (String.UTF8View) -> Bool
    private let known = Mutex<[String: String]>([:])
    static let capacity = 4096

    init(_ convert: @escaping @Sendable (String) -> String, keepsAsIs: @escaping @Sendable (String.UTF8View) -> Bool) {
        self.convert = convert
        self.keepsAsIs = keepsAsIs
    }

    func callAsFunction(_ key: String) -> String {
        if keepsAsIs(key.utf8) { return key }
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
