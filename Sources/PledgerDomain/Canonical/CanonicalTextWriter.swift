/// Writes one JSON object's canonical text member by member, in the order the caller gives
/// (which must be the keys' sorted order), without building a `JSONValue` tree: every loan's
/// snapshot is written so for its read-model row, and building its tree to write it was most
/// of making a national ledger's rows. The text is what `CanonicalJSON.string` writes for
/// the tree `JSONMembersWriter` makes of the same members (`LoanSnapshotJSONTests`).
struct CanonicalTextWriter: MembersWriter {
    private(set) var bytes: [UInt8] = []
    /// False once a value was beyond JSON (an integer past ±(2^53 − 1)), as for the encoder.
    private(set) var complete = true
    private var first = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    init() { self.init(capacity: 64) }

    /// A key as it stands (the members' keys are snake-case words: nothing to escape).
    private mutating func key(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key.utf8)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func put(_ name: String, _ value: (some JSONScalarValue)?) {
        guard let value else { return }
        key(name)
        switch value.jsonScalar {
        case .string(let text)?: CanonicalJSON.writeString(text, into: &bytes)
        case .integer(let number)?: CanonicalJSON.writeInteger(number, into: &bytes)
        case let other?: CanonicalJSON.write(other, into: &bytes)
        case nil: complete = false
        }
    }

    mutating func put(_ name: String, _ flag: Bool) {
        key(name)
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    mutating func put<Element>(_ name: String, objects: [Element], _ write: (Element, inout CanonicalTextWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (offset, element) in objects.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            var object = CanonicalTextWriter()
            write(element, &object)
            guard let text = object.finished else {
                complete = false
                return
            }
            bytes.append(contentsOf: text)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The object's bytes with its closing brace; nil where a value was beyond JSON.
    var finished: [UInt8]? {
        guard complete else { return nil }
        return bytes + [UInt8(ascii: "}")]
    }
}
