/// Small shared checks, so that every refusal of the same kind reads the same way.
enum Rules {
    static func positive(_ amount: Money, field: String) throws {
        guard amount.isPositive else { throw DomainError.invalid(field, "must be more than 0.00 (got \(amount))") }
        try atMostMaximum(amount, field: field)
    }

    static func nonNegative(_ amount: Money, field: String) throws {
        guard !amount.isNegative else { throw DomainError.invalid(field, "must not be negative (got \(amount))") }
        try atMostMaximum(amount, field: field)
    }

    /// Every amount a command carries is at most `Money.maximum`, so that no single entry
    /// can push a total past what JSON clients read exactly.
    static func atMostMaximum(_ amount: Money, field: String) throws {
        guard amount <= .maximum else { throw DomainError.invalid(field, "must be at most \(Money.maximum) (got \(amount))") }
    }

    static func text(_ value: String, field: String, maxLength: Int = 500) throws {
        let trimmed = value.trimmingCharactersInWhitespace()
        guard !trimmed.isEmpty else { throw DomainError.invalid(field, "is required") }
        guard value.count <= maxLength else { throw DomainError.invalid(field, "is longer than \(maxLength) characters") }
    }

    static func notBefore(_ date: BusinessDate, _ earliest: BusinessDate, field: String, what: String) throws {
        guard date >= earliest else {
            throw DomainError(.dateOrder, field: field, "\(date) is before \(what) (\(earliest))")
        }
    }
}
