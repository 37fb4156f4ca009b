import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain

@Suite("Frequent events read and written straight from and to their members")
struct MembersCodableTests {
    enum Read<P: Equatable>: Equatable {
        case value(P)
        case refused(String)
    }

    /// `value` read through `Decodable`, and straight from its members (nil: not read that way).
    static func both<P: EventPayload>(_ type: P.Type, _ value: JSONValue) -> (decodable: Read<P>, members: P?) {
        let decodable: Read<P>
        do { decodable = .value(try JSONValueDecoder.decode(P.self, from: value)) } catch { decodable = .refused("\(error)") }
        guard let reader = P.self as? any MembersCodable.Type, case .object(let object) = value else { return (decodable, nil) }
        return (decodable, reader.init(members: JSONMembers(object: object)) as? P)
    }

    /// Read straight from its members: the same value as through `Decodable`, never a value
    /// where that refuses. With `complete`, the members must say (the value is read that way).
    static func check<P: EventPayload>(_ type: P.Type, _ value: JSONValue, complete: Bool, _ comment: Comment) {
        let (decodable, members) = both(P.self, value)
        if let members {
            #expect(decodable == .value(members), comment)
        } else if complete {
            Issue.record("not read from its members: \(comment)")
        }
        // And through the catalogue, which tries the members first: the same value, or the
        // error it gave when every event went through `Decodable`.
        let expected: Read<P>
        do { expected = .value(try JSONValueDecoder.decode(P.self, from: value)) } catch let error as DecodingError {
            expected = .refused("\(EventDecodingError.malformed(type: P.type, detail: EventCoding.describe(error)))")
        } catch { expected = .refused("\(error)") }
        let viaCatalogue: Read<P>
        do {
            viaCatalogue = .value(try LedgerEvent.decode(type: P.type, schema: P.schema, data: CanonicalJSON.string(value)).payload as! P)
        } catch { viaCatalogue = .refused("\(error)") }
        #expect(viaCatalogue == expected, comment)
    }

    /// Written straight to its members: the encoder's object, byte for byte, and what the
    /// event's `jsonData` gives.
    static func checkWritten<P: EventPayload>(_ payload: P, _ event: LedgerEvent, _ comment: Comment) throws {
        let encoded = try JSONValueEncoder.encode(payload)
        #expect(try event.jsonData().isIdentical(to: encoded), comment)
        guard let writer = payload as? any MembersCodable else { return }
        let members = try #require(writer.members, comment)
        #expect(JSONValue.object(members).isIdentical(to: encoded), comment)
    }

    /// The optional members of the types read from their members.
    static let optionalMembers: Set<String> = ["fund_id", "firm_size"]

    static let readFromMembers: Set<String> = [
        RepaymentReceived.type, LoanOriginated.type, LoanClosed.type, BorrowerRegistered.type, AssetRegistered.type, AssetValued.type,
        AssetPledged.type, AssetPledgeReleased.type, CoverGranted.type, CoverReleased.type, LoanDefaulted.type, CoverDefaulted.type,
        CompensationClaimed.type, RecoveryReceived.type, InterestSubsidyApplied.type, AppraisalFeeSubsidyApplied.type,
        SubsidyApproved.type, SubsidyRejected.type, SubsidyPaid.type, SchemeLoanEnrolled.type, LoanEnrolledInScheme.type,
        LossShareSettled.type,
    ]

    @Test(
        "every sample of every event type: the frequent ones read from their members as through Decodable, written as the encoder writes them"
    )
    func samples() throws {
        var seen = Set<String>()
        func sample<P: EventPayload>(_ payload: P) throws {
            if P.self is any MembersCodable.Type { seen.insert(P.type) }
            Self.check(P.self, try JSONValueEncoder.encode(payload), complete: P.self is any MembersCodable.Type, "\(P.type)")
        }
        for event in EventRoundTripTests.samples {
            try sample(event.payload)
            try Self.checkWritten(event.payload, event, "\(event.type)")
        }
        #expect(seen == Self.readFromMembers)
    }

    @Test("every event of random command sequences", arguments: 0..<4)
    func randomSequences(seed: UInt64) throws {
        var generator = CommandGenerator(seed: seed)
        var ledger = InMemoryLedger()
        for command in generator.setup() { try ledger.run(command) }
        for _ in 0..<300 { _ = try? ledger.run(generator.next(ledger)) }
        var read = 0
        func event<P: EventPayload>(_ payload: P) throws {
            guard P.self is any MembersCodable.Type else { return }
            read += 1
            Self.check(P.self, try JSONValueEncoder.encode(payload), complete: true, "\(P.type) \(payload)")
        }
        for recorded in ledger.log {
            try event(recorded.event.payload)
            try Self.checkWritten(recorded.event.payload, recorded.event, "\(recorded.event.type)")
        }
        #expect(read > 30)
    }

    /// Objects that differ from `object` in one member — removed, set to null or to a value of
    /// each other JSON type (or one its type refuses), or spelled otherwise beside itself
    /// (spellings `JSONDecoder`'s key conversion reads as the same field, first in key order:
    /// the members alone cannot say which value it takes) — each with what changed and whether
    /// its reader must still settle it from the members (one of `optionals` absent or null).
    static func variants(of object: JSONObject, optionals: Set<String>) -> [(object: JSONObject, change: String, settled: Bool)] {
        let others: [JSONValue] = [
            .null, .bool(true), .integer(1), .integer(-5), .string(""), .string("x"), .string("2024-02-30"), .array([]),
            .array([.object(JSONObject())]),
            .object(JSONObject()),
        ]
        var variants: [(object: JSONObject, change: String, settled: Bool)] = []
        for member in object.members {
            let optional = optionals.contains(member.key)
            var removed = object
            removed.remove(member.key)
            variants.append((removed, "without \(member.key)", optional))
            for other in others where other != member.value {
                var changed = object
                changed.set(member.key, other)
                variants.append((changed, "\(member.key) = \(CanonicalJSON.string(other))", optional && other == .null))
            }
            let camel = JSONValueDecoder.camelCase(member.key)
            for spelling in Set([camel, member.key.uppercased(), member.key.replacingOccurrences(of: "_", with: "__")])
            where spelling != member.key {
                for value in [member.value, .null, .integer(1)] {
                    var doubled = object
                    doubled.set(spelling, value)
                    variants.append((doubled, "\(spelling) = \(CanonicalJSON.string(value)) beside \(member.key)", false))
                }
            }
        }
        return variants
    }

    @Test(
        "a member missing, null, of every other type, refused by its type or spelled otherwise beside it; an optional one set or absent; members not asked for"
    )
    func brokenObjects() throws {
        var mutations = 0
        func mutate<P: EventPayload>(_ payload: P) throws {
            guard P.self is any MembersCodable.Type, case .object(let object) = try JSONValueEncoder.encode(payload) else { return }
            var variants = Self.variants(of: object, optionals: Self.optionalMembers)
            for (key, value) in [
                ("fund_id", JSONValue.string("LC-IPRC")), ("firm_size", .string("small")), ("unknown_member", .integer(7)),
            ] {
                var added = object
                added.set(key, value)
                variants.append(
                    (
                        added, "\(key) set",
                        P.type == (key == "fund_id" ? LoanOriginated.type : key == "firm_size" ? BorrowerRegistered.type : "")
                    ))
            }
            for (variant, comment, settled) in variants {
                mutations += 1
                Self.check(P.self, .object(variant), complete: settled, "\(P.type) \(comment)")
            }
        }
        for event in EventRoundTripTests.samples { try mutate(event.payload) }
        #expect(mutations > 900)
    }

    @Test(
        "an amount or a number beyond ±(2^53 − 1), in a field or in collateral: no members, and the event's JSON refused as the encoder refuses it"
    )
    func beyondJSON() throws {
        let beyond = Money(fen: 9_007_199_254_740_992)
        let repayment = RepaymentReceived(principalFen: beyond, interestFen: .zero, paidOn: date("2024-03-01"))
        var origination = try #require(
            EventRoundTripTests.samples.lazy.compactMap { event -> LoanOriginated? in
                if case .loanOriginated(let payload) = event { return payload }
                return nil
            }.first)
        origination.collateral[0].appraisedValueFen = beyond
        // An Int as well: an application number past 2^53 − 1.
        let approval = SubsidyApproved(applicationNo: 9_007_199_254_740_992, amountFen: .zero, approvedOn: date("2024-03-01"))
        #expect(repayment.members == nil && origination.members == nil && approval.members == nil)
        #expect(SubsidyApproved(applicationNo: 9_007_199_254_740_991, amountFen: .zero, approvedOn: date("2024-03-01")).members != nil)
        for event in [LedgerEvent.repaymentReceived(repayment), .loanOriginated(origination), .subsidyApproved(approval)] {
            #expect(throws: CanonicalJSONError.self) { _ = try event.jsonData() }
        }
    }
}
