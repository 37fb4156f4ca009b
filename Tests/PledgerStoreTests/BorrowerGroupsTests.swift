import PledgerDomainTestSupport
import Testing

@testable import PledgerDomain
@testable import PledgerStore

@Suite("Borrowers' buckets and groups for a rebuild")
struct BorrowerGroupsTests {
    private static func originated(_ borrower: String, fund: String? = nil) throws -> String {
        CanonicalJSON.string(
            try LedgerEvent.loanOriginated(
                LoanOriginated(
                    bankId: bankId("B1"), contractNo: try ContractNo("C-1"), borrower: uscc(borrower), principalFen: yuan("100.00"),
                    rateBp: Bp(385), originatedOn: date("2025-01-02"), maturesOn: date("2026-01-02"),
                    collateral: [], pledgeRateBp: Bp(5000), fundId: fund.map(fundId))
            ).jsonData())
    }

    private static func found(_ text: String) -> String? {
        Array(text.utf8).withUnsafeBufferPointer { bytes in
            BorrowerGroups.borrower(inCanonical: bytes).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test("a founding payload's borrower is read from its canonical text as the parser reads it")
    func borrowerOfCanonicalPayload() throws {
        for borrower in ["91512081MA62K0260E", "91110000100000000R"] {
            let text = try Self.originated(borrower, fund: "F1")
            #expect(Self.found(text) == borrower)
            #expect(try JSONParser.parse(text)["borrower"] == .string(borrower))
        }
    }

    @Test(
        "a payload not plainly canonical is left to the parser: only a top-level key counts, an escaped value or spaces are not read",
        arguments: [
            (#"{"a":{"borrower":"X"},"borrower":"Y"}"#, "Y"),
            (#"{"a":["borrower",{"borrower":"X"}],"borrower":"Y"}"#, "Y"),
            (#"{"a":"\"borrower\":\"X","borrower":"Y"}"#, "Y"),
            (#"{"a":{"borrower":"X"}}"#, nil),
            (#"{"borrower":"Y\u0041"}"#, nil),
            (#"{"borrower": "Y"}"#, nil),
            (#"{"borrower":1}"#, nil),
            (#"{"borrower":"Y"#, nil),
            (#""borrower":"Y""#, nil),
        ] as [(String, String?)])
    func borrowerNotPlain(_ text: String, _ expected: String?) {
        #expect(Self.found(text) == expected)
    }

    @Test("a loan's events go to its borrower's bucket, learned from its founding event; a later event before it is misplaced")
    func bucketsFromFoundingEvents() throws {
        var groups = BorrowerGroups(buckets: 16)
        func bucket(_ stream: String, _ version: Int32, _ data: String = "{}") throws -> Int? {
            try Array(data.utf8).withUnsafeBufferPointer { try groups.bucket(ofStream: stream, version: version, data: $0) }
        }
        let borrower = "91512081MA62K0260E"
        let own = try #require(try bucket("borrower-\(borrower)", 1))
        #expect(try bucket("loan-B1-C-1", 1, Self.originated(borrower)) == own)
        #expect(try bucket("loan-B1-C-1", 2) == own)
        #expect(try bucket("fund-F1", 1) == nil)
        #expect(throws: BorrowerGroups.Misplaced.self) { try bucket("loan-B1-C-2", 2) }
    }

    @Test("a borrower folded in a group other than its USCC's bucket's is misplaced")
    func borrowerInAnotherGroup() throws {
        var groups = BorrowerGroups(buckets: 64)
        let borrowers = (0..<40).map { validUscc("9111000010000\(String(format: "%04d", $0))") }
        for (number, borrower) in borrowers.enumerated() {
            let data = try Self.originated(borrower.value)
            _ = try Array(data.utf8).withUnsafeBufferPointer { try groups.bucket(ofStream: "loan-B1-\(number)", version: 1, data: $0) }
        }
        groups.join(loansPerGroup: 10)
        #expect(groups.count >= 2)
        func group(of borrower: Uscc) throws -> Int {
            let bucket = try #require(
                try Array("{}".utf8).withUnsafeBufferPointer { empty in
                    try groups.bucket(ofStream: Streams.borrower(borrower), version: 1, data: empty)
                })
            return try #require(groups.groups.firstIndex { $0.contains(bucket) })
        }
        for borrower in borrowers {
            let own = try group(of: borrower)
            try groups.check([], borrowers: [borrower], group: own)
            #expect(throws: BorrowerGroups.Misplaced.self) { try groups.check([], borrowers: [borrower], group: (own + 1) % groups.count) }
        }
    }

    @Test("buckets are joined into groups of at least the loans asked for, the last with what is left")
    func joinedGroups() throws {
        var groups = BorrowerGroups(buckets: 64)
        for number in 0..<500 {
            let borrower = validUscc("9111000010000\(String(format: "%04d", number))")
            let data = try Self.originated(borrower.value)
            _ = try Array(data.utf8).withUnsafeBufferPointer { try groups.bucket(ofStream: "loan-B1-\(number)", version: 1, data: $0) }
        }
        groups.join(loansPerGroup: 100)
        #expect(groups.count >= 2 && groups.count <= 5, "\(groups.groups)")
        // The groups cover every bucket once, in order.
        #expect(groups.groups.first?.lowerBound == 0 && groups.groups.last?.upperBound == 64)
        #expect(zip(groups.groups, groups.groups.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        groups.join(loansPerGroup: 1)
        #expect(groups.count >= 32, "500 loans over 64 buckets leave few empty")
        groups.join(loansPerGroup: 10_000)
        #expect(groups.groups == [0..<64])
    }

    @Test("a log is read into about four buckets per group it will make, at most 256")
    func bucketCount() {
        #expect(BorrowerGroups.buckets(through: 1_697_635, loansPerGroup: 20_000) == 44)
        #expect(BorrowerGroups.buckets(through: 0, loansPerGroup: 20_000) == 4)
        #expect(BorrowerGroups.buckets(through: 1_000, loansPerGroup: 1) == 256)
        #expect(BorrowerGroups.buckets(through: 100_000_000, loansPerGroup: 20_000) == 256)
    }
}
