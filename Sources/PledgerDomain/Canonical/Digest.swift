import Crypto

/// SHA-256 in one call, for fingerprints and checksums outside the hash chain.
public enum Digest {
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(SHA256.hash(data: Array(bytes)))
    }

    public static func sha256Hex(_ text: String) -> String {
        LedgerHash(bytes: sha256(text.utf8))!.hex
    }

    /// SHA-256 of bytes that arrive a part at a time (a file read in blocks).
    public struct Running {
        private var hasher = SHA256()
        public init() {}
        public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 { hasher.update(data: Array(bytes)) }
        public var hex: String { LedgerHash(bytes: Array(hasher.finalize()))!.hex }
    }
}
