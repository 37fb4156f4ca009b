/// A fund's state written down (`stream_states`), so that a start, a command or a report
/// reads it and the events after it instead of the fund's whole stream: a national fund's
/// stream holds an event for every loan it covers, hundreds of thousands. It is written in
/// parts: the first is the state's canonical JSON without its covered loans, each other part
/// up to `storedLoansPerPart` of those loans as lines (`CoverBook`), so that a reader holds
/// one part's text at a time, not the whole state's twice. `storedForm` names the shape and
/// the fold that made it; a stored state of another form is never read (it is folded again
/// from the log instead).
extension FundState {
    /// Changed whenever `FundState`'s fields or what its fold makes of an event change:
    /// `FundStoredStateTests` pins the shape of each form's text.
    public static let storedForm = "fund-state-1"
    public static let storedLoansPerPart = 10_000

    public func storedParts(loansPerPart: Int = storedLoansPerPart) throws -> [String] {
        var first = self
        first.cover.loans = [:]
        let lines = cover.loanLines()
        return [CanonicalJSON.string(try JSONValueEncoder.encode(first))]
            + stride(from: 0, to: lines.count, by: max(1, loansPerPart)).map {
                lines[$0..<min($0 + max(1, loansPerPart), lines.count)].joined(separator: ";")
            }
    }

    public init(storedParts parts: [String]) throws {
        guard let first = parts.first else { throw CoverBook.corrupt("no parts", []) }
        var reading = try StoredReading(first: Array(first.utf8), loanParts: parts.count - 1)
        for part in parts.dropFirst() { try reading.add(Array(part.utf8)) }
        self = reading.state
    }

    /// A stored state read a part at a time: each part's bytes are let go before the next
    /// part is read. Given the number of loan parts to come, the cover book is sized once from
    /// the first of them: grown as it fills, a national fund's book was copied into one twice
    /// its size while both were alive, the peak of a server's memory at its first report.
    public struct StoredReading {
        public private(set) var state: FundState
        private var loanParts: Int
        static let reserveLimit = 1 << 22

        public init(first bytes: consuming [UInt8], loanParts: Int = 0) throws {
            let json = try JSONParser.parse(bytes)
            _ = consume bytes
            state = try JSONValueDecoder.decode(FundState.self, from: json)
            self.loanParts = min(max(0, loanParts), Self.reserveLimit)
        }

        public mutating func add(_ loans: [UInt8]) throws {
            if loanParts > 0 {
                let lines = loans.isEmpty ? 0 : 1 + loans.count { $0 == UInt8(ascii: ";") }
                // Capped: the count of parts comes from the stored rows, which a bad row may overstate.
                state.cover.loans.reserveCapacity(state.cover.loans.count + min(lines * loanParts, Self.reserveLimit))
                loanParts = 0
            }
            try state.cover.addLoanLines(loans)
        }
    }
}

/// Written compactly: a national fund covers hundreds of thousands of loans, and read through
/// `Codable` containers each loan's entry was two thirds of reading a stored state (and the
/// JSON tree of its members most of the memory). The loans are lines separated by `;`, each
/// line's fields by a space: bank, contract, borrower, principal, enrolled on, then the
/// defaulted outstanding and date, the release cause and date, empty when absent. A
/// borrower's year is a line of borrower, year and fen. Lines are sorted, so the text is the
/// same for the same book. Ids, USCCs, dates and causes hold neither separator, and neither
/// needs an escape in JSON (a tab's escape made reading three times slower).
extension CoverBook: Codable {
    private enum CodingKeys: String, CodingKey { case loans, total, byBank, grantedByBorrowerYear, bankSuspensions }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(loanLines().joined(separator: ";"), forKey: .loans)
        try container.encode(total, forKey: .total)
        try container.encode(byBank, forKey: .byBank)
        let granted = grantedByBorrowerYear.map { "\($0.key.borrower.value) \($0.key.year) \($0.value.fen)" }
        try container.encode(granted.sorted().joined(separator: ";"), forKey: .grantedByBorrowerYear)
        try container.encode(bankSuspensions, forKey: .bankSuspensions)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try addLoanLines(Array(try container.decode(String.self, forKey: .loans).utf8), decoder.codingPath)
        total = try container.decode(Totals.self, forKey: .total)
        byBank = try container.decode([BankId: Totals].self, forKey: .byBank)
        for line in Self.lines(try container.decode(String.self, forKey: .grantedByBorrowerYear).utf8) {
            let fields = try Self.fields(line, count: 3, decoder.codingPath)
            guard let year = Int(fields[1]) else { throw Self.corrupt(fields[1], decoder.codingPath) }
            grantedByBorrowerYear[BorrowerYear(borrower: try Self.scalar(fields[0], decoder.codingPath), year: year)] = try Self.money(
                fields[2], decoder.codingPath)
        }
        bankSuspensions = try container.decode([BankId: [FundState.StatusChange]].self, forKey: .bankSuspensions)
    }

    /// Each covered loan as a line, sorted.
    func loanLines() -> [String] {
        loans.map { key, entry in
            [
                key.bank.value, key.contract.value, entry.borrower.value, String(entry.principal.fen), entry.enrolledOn.description,
                entry.defaultedOutstanding.map { String($0.fen) } ?? "", entry.defaultedOn?.description ?? "",
                entry.released?.rawValue ?? "", entry.releasedOn?.description ?? "",
            ].joined(separator: " ")
        }.sorted()
    }

    /// Adds the loans of `loanLines` lines joined by `;`.
    mutating func addLoanLines(_ text: [UInt8], _ codingPath: [any CodingKey] = []) throws {
        for line in Self.lines(text) {
            let fields = try Self.fields(line, count: 9, codingPath)
            let key = LoanKey(bank: try Self.scalar(fields[0], codingPath), contract: try Self.scalar(fields[1], codingPath))
            loans[key] = Entry(
                borrower: try Self.scalar(fields[2], codingPath), principal: try Self.money(fields[3], codingPath),
                enrolledOn: try Self.scalar(fields[4], codingPath),
                defaultedOutstanding: fields[5].isEmpty ? nil : try Self.money(fields[5], codingPath),
                defaultedOn: fields[6].isEmpty ? nil : try Self.scalar(fields[6], codingPath),
                released: fields[7].isEmpty ? nil : try Self.scalar(fields[7], codingPath),
                releasedOn: fields[8].isEmpty ? nil : try Self.scalar(fields[8], codingPath))
        }
    }

    private static func lines<Text: Collection<UInt8>>(_ text: Text) -> [Text.SubSequence] {
        text.isEmpty ? [] : text.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
    }

    private static func fields(_ line: some Collection<UInt8>, count: Int, _ codingPath: [any CodingKey]) throws -> [String] {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard fields.count == count else { throw corrupt(String(decoding: line, as: UTF8.self), codingPath) }
        return fields
    }

    private static func scalar<Value: JSONScalarValue>(_ field: String, _ codingPath: [any CodingKey]) throws -> Value {
        guard let value = Value(jsonScalar: .string(field)) else { throw corrupt(field, codingPath) }
        return value
    }

    private static func money(_ field: String, _ codingPath: [any CodingKey]) throws -> Money {
        guard let fen = Int64(field), let money = Money(jsonScalar: .integer(fen)) else { throw corrupt(field, codingPath) }
        return money
    }

    static func corrupt(_ text: String, _ codingPath: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a stored cover line or field: \(text)"))
    }
}
