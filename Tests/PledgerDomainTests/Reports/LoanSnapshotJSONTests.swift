import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("A loan snapshot's JSON, written and read field by field")
struct LoanSnapshotJSONTests {
    /// Every loan of a random command sequence, as the loans of a district stand after it.
    static func snapshots(seed: UInt64) throws -> [LoanSnapshot] {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for _ in 0..<400 { _ = try? ledger.run(generator.next(ledger)) }
        return ledger.states.loanSnapshots
    }

    /// Written as the encoder writes it, byte for byte, and read back as the snapshot.
    static func roundTrip(_ snapshot: LoanSnapshot) throws {
        let members = try #require(snapshot.members)
        #expect(JSONValue.object(members).isIdentical(to: try JSONValueEncoder.encode(snapshot)))
        #expect(LoanSnapshot(members: JSONMembers(object: members)) == snapshot)
        #expect(try LoanSnapshot(json: JSONParser.parse(CanonicalJSON.string(try snapshot.json()))) == snapshot)
        // Its canonical text written straight: the tree's, byte for byte.
        #expect(try snapshot.canonicalText() == CanonicalJSON.string(try snapshot.json()))
    }

    @Test("every loan of random command sequences: the encoder's JSON, read back as the snapshot", arguments: 0..<6)
    func randomSequences(seed: UInt64) throws {
        let snapshots = try Self.snapshots(seed: seed)
        #expect(snapshots.count >= 3)
        for snapshot in snapshots { try Self.roundTrip(snapshot) }
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
        for snapshot in variants { try Self.roundTrip(snapshot) }
        #expect(variants[0].members?["fund_id"] == nil && variants[0].members?["principal_by_kind"] == .array([]))
        #expect(variants[1].members?["scheme_id"] == .string("SCHEME-1"))
    }

    @Test(
        "a stored row read as Decodable reads it, value or error: rows written before owed_to_fund_fen and scheme_id, members missing, null, of another type or spelled otherwise"
    )
    func reading() throws {
        let base = try #require(try Self.snapshots(seed: 3).first { $0.fundId != nil })
        let object = try #require(base.members)
        var older = object
        older.remove("owed_to_fund_fen")
        older.remove("scheme_id")
        var expected = base
        (expected.owedToFundFen, expected.schemeId) = (.zero, nil)
        #expect(LoanSnapshot(members: JSONMembers(object: older)) == expected)
        let variants = MembersCodableTests.variants(
            of: object, optionals: ["industry", "region", "fund_id", "owed_to_fund_fen", "scheme_id"])
        for (variant, _, settled) in variants {
            let text = CanonicalJSON.string(.object(variant))
            let decodable: String
            do { decodable = "\(try JSONValueDecoder.decode(LoanSnapshot.self, from: .object(variant)))" } catch { decodable = "\(error)" }
            let direct = LoanSnapshot(members: JSONMembers(object: variant))
            if let direct { #expect(decodable == "\(direct)", "\(text)") }
            if settled { #expect(direct != nil, "\(text)") }
            let read: String
            do { read = "\(try LoanSnapshot(json: .object(variant)))" } catch { read = "\(error)" }
            #expect(read == decodable, "\(text)")
        }
        #expect(variants.count > 100)
    }

    @Test("an amount beyond ±(2^53 − 1), in a field or a share: no members, and the JSON (and its text) refused as the encoder refuses it")
    func beyondJSON() throws {
        let base = try #require(try Self.snapshots(seed: 2).first)
        var inField = base
        inField.outstandingFen = Money(fen: 9_007_199_254_740_992)
        var inShare = base
        inShare.principalByKind = [.init(kind: .patent, principalFen: Money(fen: -9_007_199_254_740_992))]
        for snapshot in [inField, inShare] {
            #expect(snapshot.members == nil)
            #expect(throws: CanonicalJSONError.self) { _ = try snapshot.json() }
            #expect(throws: CanonicalJSONError.self) { _ = try snapshot.canonicalText() }
            #expect(throws: CanonicalJSONError.self) { _ = try JSONValueEncoder.encode(snapshot) }
        }
    }
}
