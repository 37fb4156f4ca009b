import Crypto

/// SHA-256 in one call, for fingerprints and checksums outside the hash chain.
public enum Digest {
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(SHA256.hash(data: Array(bytes)))
    }

    public static func sha256Hex(_ text: String) -> String {
        LedgerHash(bytes: sha256(text.utf8))!.hex
    }
}
