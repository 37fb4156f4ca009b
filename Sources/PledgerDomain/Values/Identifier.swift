/// A business identifier (fund, bank, asset, contract, valuation…): 1–64 characters of
/// letters, digits, `-`, `_`, `.`, starting with a letter or digit. Phantom-typed, so a
/// bank id cannot be passed where a fund id is expected.
public struct Identifier<Kind: IdentifierKind>: Sendable, Hashable, Comparable, Codable, JSONScalarValue, CustomStringConvertible {
    public let value: String

    public init(_ text: String, field: String = Kind.field) throws {
        guard IdentifierAlphabet.accepts(text.utf8) else {
            throw DomainError.invalid(field, "\"\(text)\" is not a valid \(Kind.noun) id (1–64 letters, digits, '-', '_', '.')")
        }
        value = text
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    public var description: String { value }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder) { try Self($0) } }
    public init?(jsonScalar: JSONValue) { self.init(validating: jsonScalar) { try Self($0) } }
    public var jsonScalar: JSONValue? { .string(value) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

public protocol IdentifierKind: Sendable {
    static var field: String { get }
    static var noun: String { get }
}

public enum FundKind: IdentifierKind {
    public static let field = "fund_id"
    public static let noun = "fund"
}
public enum BankKind: IdentifierKind {
    public static let field = "bank_id"
    public static let noun = "bank"
}
public enum AssetKindTag: IdentifierKind {
    public static let field = "asset_id"
    public static let noun = "asset"
}
public enum ContractKind: IdentifierKind {
    public static let field = "contract_no"
    public static let noun = "contract"
}
public enum ValuationKind: IdentifierKind {
    public static let field = "valuation_id"
    public static let noun = "valuation"
}

/// A risk-sharing scheme: a dated, versioned agreement on how a loss is split.
public enum SchemeKind: IdentifierKind {
    public static let field = "scheme_id"
    public static let noun = "scheme"
}
/// An insurer, guarantor or appraiser named in a risk-sharing scheme.
public enum SchemePartyKind: IdentifierKind {
    public static let field = "party_id"
    public static let noun = "party"
}

/// A subsidy programme (贴息, 评估费补贴): a dated policy with a budget.
public enum SubsidyProgrammeKind: IdentifierKind {
    public static let field = "programme_id"
    public static let noun = "subsidy programme"
}

/// A pledge insurer (质押保险): the same id it has as a party of a scheme.
public enum InsurerKind: IdentifierKind {
    public static let field = "insurer_id"
    public static let noun = "insurer"
}
/// A pledge-insurance policy number, unique within its insurer.
public enum PolicyKind: IdentifierKind {
    public static let field = "policy_no"
    public static let noun = "policy"
}

public typealias FundId = Identifier<FundKind>
public typealias BankId = Identifier<BankKind>
public typealias AssetId = Identifier<AssetKindTag>
public typealias ContractNo = Identifier<ContractKind>
public typealias ValuationId = Identifier<ValuationKind>
public typealias SchemeId = Identifier<SchemeKind>
public typealias SchemePartyId = Identifier<SchemePartyKind>
public typealias SubsidyProgrammeId = Identifier<SubsidyProgrammeKind>
public typealias InsurerId = Identifier<InsurerKind>
public typealias PolicyNo = Identifier<PolicyKind>

/// A loan is identified by its bank and the bank's contract number.
public struct LoanKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let bank: BankId
    public let contract: ContractNo

    public init(bank: BankId, contract: ContractNo) {
        self.bank = bank
        self.contract = contract
    }

    public var stream: String { Streams.loan(self) }
    public var description: String { "\(bank)/\(contract)" }
    public static func < (lhs: LoanKey, rhs: LoanKey) -> Bool { (lhs.bank, lhs.contract) < (rhs.bank, rhs.contract) }

    enum CodingKeys: String, CodingKey {
        case bank = "bankId"
        case contract = "contractNo"
    }
}

/// Stream names.
public enum Streams {
    public static func fund(_ id: FundId) -> String { "fund-\(id)" }
    public static func bank(_ id: BankId) -> String { "bank-\(id)" }
    public static func borrower(_ uscc: Uscc) -> String { "borrower-\(uscc)" }
    public static func asset(_ id: AssetId) -> String { "asset-\(id)" }
    public static func loan(_ key: LoanKey) -> String { loans(of: key.bank) + key.contract.value }
    /// How the names of a bank's loans begin (a bank whose id extends this one's with a dash
    /// shares it: a superset, to be sorted by the loans' keys).
    public static func loans(of bank: BankId) -> String { "loan-\(bank)-" }
    public static func scheme(_ id: SchemeId) -> String { "scheme-\(id)" }
    public static func subsidy(_ id: SubsidyProgrammeId) -> String { "subsidy-\(id)" }
    public static func insurer(_ id: InsurerId) -> String { "insurer-\(id)" }

    /// Whether a stream name is a loan's (a loan's key cannot be read back from its name:
    /// a bank's id may hold a dash).
    public static func isLoan(_ name: String) -> Bool { name.hasPrefix("loan-") }
    public static func isFund(_ name: String) -> Bool { name.hasPrefix("fund-") }
}

/// Checked byte by byte: every id of every event read passes here.
private enum IdentifierAlphabet {
    static func accepts(_ utf8: String.UTF8View) -> Bool {
        guard (1...64).contains(utf8.count), let first = utf8.first, isLetterOrDigit(first) else { return false }
        return utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }
}
