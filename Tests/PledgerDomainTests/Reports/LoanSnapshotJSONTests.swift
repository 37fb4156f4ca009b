import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("A loan snapshot's JSON, built field by field")
struct LoanSnapshotJSONTests {
    /// Every loan of a random command sequence, as the loans of a district stand after it.
    static func snapshots(seed: UInt64) throws -> [LoanSnapshot] {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for _ in 0..<400 { _ = try? ledger.run(generator.next(ledger)) }
        return ledger.states.loanSnapshots
    }

    @Test("every loan of random command sequences: the encoder's value, and it reads back as the snapshot", arguments: 0..<6)
    func randomSequences(seed: UInt64) throws {
        let snapshots = try Self.snapshots(seed: seed)
        #expect(snapshots.count >= 3)
        #expect(snapshots.contains { $0.status != .active })
        for snapshot in snapshots {
            let built = try #require(snapshot.jsonValue)
            #expect(built.isIdentical(to: try JSONValueEncoder.encode(snapshot)))
            #expect(try JSONValueDecoder.decode(LoanSnapshot.self, from: JSONParser.parse(CanonicalJSON.string(built))) == snapshot)
        }
    }

    @Test("optionals left out when absent, no shares or several, every status and amounts at both ends of what JSON holds")
    func edges() throws {
        let base = try #require(try Self.snapshots(seed: 1).first)
        var variants: [LoanSnapshot] = []
        var bare = base
        (bare.industry, bare.region, bare.fundId, bare.schemeId) = (nil, nil, nil, nil)
        bare.principalByKind = []
        variants.append(bare)
        var full = base
        (full.industry, full.region, full.fundId, full.schemeId) = (
            try IndustryCode("C3841"), try RegionCode("211303"), fundId("LC-IPRC"), schemeId("SCHEME-1")
        )
        full.principalByKind = [
            .init(kind: .copyright, principalFen: Money(fen: 1)), .init(kind: .patent, principalFen: Money(fen: 9_007_199_254_740_991)),
            .init(kind: .trademark, principalFen: Money(fen: -9_007_199_254_740_991)),
        ]
        (full.techSme, full.pendingClaimApproved) = (!base.techSme, !base.pendingClaimApproved)
        full.writtenOffFen = Money(fen: -9_007_199_254_740_991)
        variants.append(full)
        for status in LoanStatus.allCases {
            var variant = base
            variant.status = status
            variants.append(variant)
        }
        for snapshot in variants {
            #expect(try #require(snapshot.jsonValue).isIdentical(to: try JSONValueEncoder.encode(snapshot)))
        }
        #expect(variants[0].jsonValue?["fund_id"] == nil && variants[0].jsonValue?["principal_by_kind"] == .array([]))
        #expect(variants[1].jsonValue?["scheme_id"] == .string("SCHEME-1"))
    }

    @Test("an amount beyond ±(2^53 − 1), in a field or a share: no value, and the encoder refuses it")
    func beyondJSON() throws {
        let base = try #require(try Self.snapshots(seed: 2).first)
        var inField = base
        inField.outstandingFen = Money(fen: 9_007_199_254_740_992)
        var inShare = base
        inShare.principalByKind = [.init(kind: .patent, principalFen: Money(fen: -9_007_199_254_740_992))]
        for snapshot in [inField, inShare] {
            #expect(snapshot.jsonValue == nil)
            #expect(throws: CanonicalJSONError.self) { _ = try JSONValueEncoder.encode(snapshot) }
        }
    }
}
