import Foundation
import PledgerDomain
import PledgerStore
import Testing

@Suite("HTTP: signed checkpoints of the ledger head")
struct CheckpointAPITests {
    @Test("a fund administrator signs the head on request; everyone lists it; it verifies and names the head's hash")
    func signAndList() async throws {
        let (privateKey, publicKey) = Checkpoint.generatePrivateKey()
        try await APIHarness.run(configure: { $0.checkpointKey = privateKey }) { api in
            _ = try await api.seedDistrict()
            #expect(try await api.send(.post, "/v1/ledger/checkpoints", as: "bank:LCRCB").status == 403)
            let signed = try await api.send(.post, "/v1/ledger/checkpoints", as: "fund_admin")
            #expect(signed.status == 201, "\(signed.text)")
            let (checkpoint, key) = try Checkpoint.verify(json: signed.text, trustedPublicKey: publicKey)
            #expect(key == publicKey)
            let head = try await api.store.head()
            #expect(checkpoint.position == head.position && checkpoint.hash == head.hash)

            let listed = try await api.send(.get, "/v1/ledger/checkpoints", as: "bank:LCRCB")
            #expect(listed.status == 200)
            #expect(listed.json["items"]?.arrayValue?.count == 1)
            #expect(listed.json["items"]?.arrayValue?.first?["signature"] == .string(String(signed.string("signature") ?? "")))
        }
    }

    @Test("without a key the server signs nothing: 409 saying how to give it one")
    func noKey() async throws {
        try await APIHarness.run { api in
            let refused = try await api.send(.post, "/v1/ledger/checkpoints", as: "admin")
            #expect(refused.status == 409 && refused.problem == "invalid-state")
            #expect(refused.string("detail")?.contains("--checkpoint-key") == true)
            #expect(try await api.send(.get, "/v1/ledger/checkpoints", as: "auditor").json["items"]?.arrayValue?.isEmpty == true)
        }
    }
}
