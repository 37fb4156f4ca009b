import Foundation
import PledgerDomain

/// Who is calling the API, and what they may touch.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case admin
        case fundAdmin = "fund_admin"
        case auditor
        case bank
        /// A pledge insurer: reads its own policies and settles its own share of their loans' losses.
        case insurer
    }

    public let tokenId: UUID
    public let name: String
    public let role: Role
    /// Set for `bank` tokens: the only bank whose loans the caller sees.
    public let bank: BankId?
    /// Set for `insurer` tokens: the only insurer whose policies the caller sees.
    public let insurer: InsurerId?

    public init(tokenId: UUID, name: String, role: Role, bank: BankId?, insurer: InsurerId? = nil) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
        self.bank = bank
        self.insurer = insurer
    }

    /// `bank:LCRCB`, `insurer:PICC-LC`, `fund_admin`, … — the form roles are written in.
    public var description: String { bank.map { "bank:\($0)" } ?? insurer.map { "insurer:\($0)" } ?? role.rawValue }

    /// A role as written: its kind and, for a bank or an insurer, the party it is scoped to.
    public struct Scope: Sendable, Hashable {
        public var role: Role
        public var bank: BankId?
        public var insurer: InsurerId?
    }

    /// Parses `admin`, `fund_admin`, `auditor`, `bank:{bankId}` or `insurer:{insurerId}`.
    public static func parseRole(_ text: String) throws -> Scope {
        if text.hasPrefix("bank:") { return Scope(role: .bank, bank: try BankId(String(text.dropFirst(5)))) }
        if text.hasPrefix("insurer:") { return Scope(role: .insurer, insurer: try InsurerId(String(text.dropFirst(8)))) }
        guard let role = Role(rawValue: text), role != .bank, role != .insurer else {
            throw DomainError.invalid(
                "role", "\"\(text)\" is not a role; use admin, fund_admin, auditor, bank:{bankId} or insurer:{insurerId}")
        }
        return Scope(role: role)
    }
}
