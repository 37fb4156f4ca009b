import Foundation
import PledgerDomain

/// Who is calling the API, and what they may touch.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case admin
        case fundAdmin = "fund_admin"
        case auditor
        case bank
    }

    public let tokenId: UUID
    public let name: String
    public let role: Role
    /// Set for `bank` tokens: the only bank whose loans the caller sees.
    public let bank: BankId?

    public init(tokenId: UUID, name: String, role: Role, bank: BankId?) {
        self.tokenId = tokenId
        self.name = name
        self.role = role
        self.bank = bank
    }

    /// `bank:LCRCB`, `fund_admin`, … — the form roles are written in.
    public var description: String { bank.map { "bank:\($0)" } ?? role.rawValue }

    /// Parses `admin`, `fund_admin`, `auditor` or `bank:{bankId}`.
    public static func parseRole(_ text: String) throws -> (Role, BankId?) {
        if text.hasPrefix("bank:") { return (.bank, try BankId(String(text.dropFirst(5)))) }
        guard let role = Role(rawValue: text), role != .bank else {
            throw DomainError.invalid("role", "\"\(text)\" is not a role; use admin, fund_admin, auditor or bank:{bankId}")
        }
        return (role, nil)
    }
}
