import ArgumentParser
import Foundation
import PledgerApplication
import PledgerDomain
import PledgerStore

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Publish the ledger head signed with Ed25519, and inspect signed checkpoints.",
        discussion: """
            Publish checkpoints (e.g. monthly) where the auditors keep them. Later, `pledger verify --checkpoint FILE` proves the log still leads to the same hash.

            Examples:
              pledger checkpoint keygen --key fund.key          (once; keep fund.key secret)
              pledger checkpoint sign --key fund.key --out checkpoints/2025-12.json
              pledger checkpoint show checkpoints/2025-12.json
              pledger checkpoint show --public-key 3b6a27bc… checkpoints/2025-12.json

            Anyone can make a key and sign a checkpoint, so whoever checks one for someone else (an auditor, a province rolling up its districts) pins the signer's public key — the line `checkpoint keygen` printed — with --public-key.
            """,
        subcommands: [Keygen.self, Sign.self, Show.self]
    )

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an Ed25519 signing key file (hex, mode 600).")
        @Option(help: ArgumentHelp("Where to write the private key.", valueName: "file")) var key: String

        func run() throws {
            guard !FileManager.default.fileExists(atPath: key) else {
                throw ApplicationError.badInput("\(key) exists; refusing to overwrite a signing key")
            }
            let (privateKey, publicKey) = Checkpoint.generatePrivateKey()
            guard
                FileManager.default.createFile(
                    atPath: key, contents: Data((LedgerHash.hex(Array(privateKey)) + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw ApplicationError.badInput("cannot write \(key)") }
            print("public key \(LedgerHash.hex(Array(publicKey)))")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign the current head (position, hash, time).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Private key file from `checkpoint keygen`.", valueName: "file")) var key: String
        @Option(help: ArgumentHelp("Where to write the checkpoint (default: standard output).", valueName: "file")) var out: String?

        func run() async throws {
            let privateKey = try SignedCheckpoint.readKey(path: key)
            let head = try await connection.withLedger { try await $0.log.head() }
            let text = try Checkpoint(position: head.position, hash: head.hash, signedAt: .now()).signed(privateKey: privateKey)
            if let out {
                try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: out))
                note("signed checkpoint at position \(head.position) written to \(out)")
            } else {
                print(text)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a checkpoint's signature and print it.")
        @Argument(help: ArgumentHelp("Checkpoint file.", valueName: "file")) var file: String
        @Option(help: SignedCheckpoint.publicKeyHelp) var publicKey: String?

        func run() throws {
            let signed = try SignedCheckpoint.load(path: file, trusting: try publicKey.map(SignedCheckpoint.parsePublicKey))
            print("position   \(signed.position)")
            print("hash       \(signed.checkpoint.hash.hex)")
            print("signed at  \(signed.checkpoint.signedAt)")
            print("public key \(LedgerHash.hex(Array(signed.publicKey)))")
            print("signature  valid")
        }
    }
}

/// A checkpoint file whose signature has been checked.
struct SignedCheckpoint {
    let checkpoint: Checkpoint
    let publicKey: Data
    var position: Int64 { checkpoint.position }

    static let publicKeyHelp = ArgumentHelp(
        "The signer's Ed25519 public key (64 hex digits, as `checkpoint keygen` printed it): refuse a checkpoint signed with any other.",
        valueName: "hex")

    /// `trusting`: the only public key the checkpoint may be signed with (any, when nil).
    static func load(path: String, trusting trusted: Data? = nil) throws -> SignedCheckpoint {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ApplicationError.badInput("cannot read checkpoint file \(path)")
        }
        do {
            let (checkpoint, key) = try Checkpoint.verify(
                json: text.trimmingCharacters(in: .whitespacesAndNewlines), trustedPublicKey: trusted)
            return SignedCheckpoint(checkpoint: checkpoint, publicKey: key)
        } catch {
            throw ApplicationError.failure("\(path): \(error)")
        }
    }

    static func parsePublicKey(_ text: String) throws -> Data {
        guard let bytes = LedgerHash.bytes(hex: text.trimmingCharacters(in: .whitespaces)), bytes.count == 32 else {
            throw ApplicationError.badInput("--public-key must be 64 hex digits: the `public key` line `pledger checkpoint keygen` printed")
        }
        return Data(bytes)
    }

    static func readKey(path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path),
            let bytes = LedgerHash.bytes(hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        else { throw ApplicationError.badInput("\(path) is not a key file from `pledger checkpoint keygen` (64 hex digits)") }
        return Data(bytes)
    }

    /// Nil when the log still has the checkpoint's hash at its position.
    func check(against ledger: Ledger) async throws -> String? {
        guard position > 0 else { return nil }
        guard let event = try await ledger.log.read(after: position - 1, limit: 1).first, event.position == position else {
            return "the log no longer has position \(position), which the checkpoint signed"
        }
        guard event.hash == checkpoint.hash else {
            return
                "history was rewritten: position \(position) has hash \(event.hash.hex.prefix(16))…, the checkpoint signed \(checkpoint.hash.hex.prefix(16))…"
        }
        return nil
    }
}
