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
        guard value.contains(where: { !$0.isWhitespace }) else { throw DomainError.invalid(field, "is required") }
        // A string has no more characters than UTF-8 bytes: count them only when it may be too long.
        guard value.utf8.count <= maxLength || value.count <= maxLength else {
            throw DomainError.invalid(field, "is longer than \(maxLength) characters")
        }
        try noControlCharacters(value, field: field)
    }

    /// Control characters (C0, DEL, C1, and the line and paragraph separators U+2028/U+2029)
    /// have no place in a name or a reason: they truncate text in C clients (NUL), ring or
    /// move cursors in terminals, and split lines in logs, CSV and reports. Lone surrogates
    /// cannot occur: a Swift `String` is valid Unicode.
    static func noControlCharacters(_ value: String, field: String) throws {
        guard let scalar = value.unicodeScalars.first(where: isControl) else { return }
        let code = String(scalar.value, radix: 16, uppercase: true)
        throw DomainError.invalid(
            field, "contains a control character (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)); remove it")
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        // General category Cc is exactly U+0000–U+001F and U+007F–U+009F (a stability policy
        // of Unicode), checked without a lookup in the character database.
        switch scalar.value {
        case 0...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    static func notBefore(_ date: BusinessDate, _ earliest: BusinessDate, field: String, what: String) throws {
        guard date >= earliest else {
            throw DomainError(.dateOrder, field: field, "\(date) is before \(what) (\(earliest))")
        }
    }
}
