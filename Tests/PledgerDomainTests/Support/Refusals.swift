import PledgerDomain
import Testing

/// Expects `body` to be refused with a `DomainError` of class `code` naming `field` — and,
/// when given, with exactly `message`, or a message containing `text`. One helper for every
/// rule test, so a refusal is checked the same way everywhere.
func refused(
    _ code: DomainError.Code, _ field: String, _ message: String? = nil, containing text: String = "",
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(sourceLocation: sourceLocation) {
        try body()
    } throws: { error in
        guard let error = error as? DomainError else { return false }
        return error.code == code && error.field == field && (message.map { $0 == error.message } ?? true)
            && (text.isEmpty || error.message.contains(text))
    }
}
