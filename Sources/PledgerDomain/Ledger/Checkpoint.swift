import Crypto
import Foundation

/// A published head of the log — position, hash and time — signed with Ed25519. Whoever
/// holds an old checkpoint can later prove that history up to it was not rewritten: the
/// log must still have that hash at that position, and the chain must lead to it.
public struct Checkpoint: Sendable, Hashable {
    public let position: Int64
    public let hash: LedgerHash
    public let signedAt: RecordedTime

    public init(position: Int64, hash: LedgerHash, signedAt: RecordedTime) {
        self.position = position
        self.hash = hash
        self.signedAt = signedAt
    }

    /// The bytes that are signed: canonical JSON of the three fields.
    public var signedBytes: [UInt8] {
        var object = JSONObject()
        object.set("position", .integer(position))
        object.set("hash", .string(hash.hex))
        object.set("signed_at", .string(signedAt.description))
        return CanonicalJSON.bytes(.object(object))
    }

    /// Signs with a raw 32-byte Ed25519 private key; returns the checkpoint file's JSON.
    public func signed(privateKey: Data) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        let signature = try key.signature(for: Data(signedBytes))
        var object = JSONObject()
        object.set("position", .integer(position))
        object.set("hash", .string(hash.hex))
        object.set("signed_at", .string(signedAt.description))
        object.set("public_key", .string(LedgerHash.hex(Array(key.publicKey.rawRepresentation))))
        object.set("signature", .string(LedgerHash.hex(Array(signature))))
        return CanonicalJSON.string(.object(object))
    }

    /// Reads a checkpoint file and checks its signature (against `trustedPublicKey` when given,
    /// else against the key it names). Throws `CheckpointError` if anything is off.
    public static func verify(json text: String, trustedPublicKey: Data? = nil) throws -> (Checkpoint, publicKey: Data) {
        let value = try JSONParser.parse(text)
        guard case .integer(let position) = value["position"], case .string(let hashHex) = value["hash"],
            case .string(let signedAtText) = value["signed_at"], case .string(let keyHex) = value["public_key"],
            case .string(let signatureHex) = value["signature"], let hash = LedgerHash(hex: hashHex),
            let signedAt = RecordedTime(parsing: signedAtText), let key = LedgerHash.bytes(hex: keyHex),
            let signature = LedgerHash.bytes(hex: signatureHex)
        else { throw CheckpointError.malformed }
        let publicKeyData = Data(key)
        if let trustedPublicKey, trustedPublicKey != publicKeyData { throw CheckpointError.untrustedKey }
        let checkpoint = Checkpoint(position: position, hash: hash, signedAt: signedAt)
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: publicKeyData)
        guard publicKey.isValidSignature(Data(signature), for: Data(checkpoint.signedBytes)) else { throw CheckpointError.badSignature }
        return (checkpoint, publicKeyData)
    }

    public static func generatePrivateKey() -> (privateKey: Data, publicKey: Data) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation, key.publicKey.rawRepresentation)
    }
}

public enum CheckpointError: Error, CustomStringConvertible {
    case malformed, badSignature, untrustedKey

    public var description: String {
        switch self {
        case .malformed: "the checkpoint file is not a Pledger checkpoint (position, hash, signed_at, public_key, signature)"
        case .badSignature: "the checkpoint's signature does not verify: the file was altered or signed with another key"
        case .untrustedKey: "the checkpoint was signed with a key other than the trusted public key"
        }
    }
}

extension LedgerHash {
    /// Lowercase hex of any byte string.
    /// `hex(bytes)`'s bytes, written through a cursor.
    static func writeHex(_ bytes: [UInt8], to cursor: inout ByteCursor) {
        let table: StaticString = "0123456789abcdef"
        for byte in bytes {
            cursor.put(table.utf8Start[Int(byte >> 4)])
            cursor.put(table.utf8Start[Int(byte & 0xF)])
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes from hex (either case); nil on odd length or a non-hex digit.
    public static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}
