import PledgerDomain

/// Where a page's figures come from, printed in its footer so that a printed report can be
/// verified against the ledger: the last event the figures saw (position and hash: compare
/// with `pledger verify` or an export), the moment the ledger was read at (`known_at`), and
/// the command that draws the same page again.
public struct Provenance: Sendable, Hashable {
    public var position: Int64
    public var hash: LedgerHash
    public var knownAt: RecordedTime
    /// The command (or request) that reproduces the page, shown verbatim.
    public var reproduce: String

    public init(position: Int64, hash: LedgerHash, knownAt: RecordedTime, reproduce: String) {
        self.position = position
        self.hash = hash
        self.knownAt = knownAt
        self.reproduce = reproduce
    }
}

/// A JSON report a page's figures can be checked against: a key (`data-report`) and the
/// API request for it.
struct Source: Sendable, Hashable {
    var key: String
    var path: String
    var query: [(String, String)]

    static func == (lhs: Source, rhs: Source) -> Bool {
        lhs.key == rhs.key && lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query, by: ==)
    }
    func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// `path?name=value&…`, each value percent-encoded.
    var request: String {
        path + "?" + query.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }
}
