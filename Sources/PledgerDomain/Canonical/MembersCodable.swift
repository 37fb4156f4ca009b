/// A value read from and written to the members of its JSON object without a `Decoder` or
/// an `Encoder`: the event types the log holds most of (repayments, assets, originations),
/// whose trip through `JSONValueDecoder` — a container, a coding path and a key lookup per
/// field — was a third of a rebuild's time and most of a past view's, and through
/// `JSONValueEncoder` a tenth of an import's.
///
/// `init(members:)` returns nil wherever the `Decodable` path might read the object
/// differently or refuse it: a member missing, null where a value is required, of another
/// type, a scalar its type refuses, or a member it does not name (`JSONMembers.holds`).
/// `members` is nil where `JSONValueEncoder` would refuse a value (an amount or a number
/// beyond ±(2^53 − 1)). The caller then takes the `Codable` path,
/// which gives the value or its usual error, so an event is read and written the same either
/// way. Tested equal to the `Codable` path on every event type's samples, random command
/// sequences and broken objects (`MembersCodableTests`).
protocol MembersCodable: Codable {
    init?(members: JSONMembers)
    /// The object `JSONValueEncoder` makes of the value: keys in snake case, an absent optional
    /// left out.
    var members: JSONObject? { get }
}

extension MembersCodable {
    /// Straight from the members, or through `Decodable` where they do not say (see above).
    static func decode(from value: JSONValue) throws -> Self {
        if case .object(let object) = value, let decoded = Self(members: JSONMembers(object: object)) { return decoded }
        return try JSONValueDecoder.decode(Self.self, from: value)
    }

    /// Straight to the members, or through `Encodable` where they cannot hold a value.
    func encoded() throws -> JSONValue {
        if let members { return .object(members) }
        return try JSONValueEncoder.encode(self)
    }
}

/// The members of one JSON object, read as `JSONValueDecoder` reads them for a synthesised
/// `init(from:)`, by their keys in snake case.
struct JSONMembers {
    let object: JSONObject

    /// Whether the object holds the `required` members and, of `optionals`, only those present
    /// — nothing else. `JSONDecoder`'s key conversion reads other spellings of a key
    /// (`principalFen`, `PRINCIPAL_FEN`, `principal__fen`) as the same field, and the first in
    /// key order wins; so an object with any member its reader does not name goes the
    /// `Decodable` way. Called once the required members were read, so their count is theirs.
    func holds(only required: Int, optionals: [String] = []) -> Bool {
        var expected = required
        for key in optionals where object[key] != nil { expected += 1 }
        return object.members.count == expected
    }

    /// A required scalar: nil when absent, null or refused by its type.
    func callAsFunction<Value: JSONScalarValue>(_ key: String) -> Value? {
        object[key].flatMap { Value(jsonScalar: $0) }
    }

    /// An optional scalar: `.some(nil)` when absent or null, nil when present and refused.
    func optional<Value: JSONScalarValue>(_ key: String) -> Value?? {
        guard let value = object[key], value != .null else { return .some(nil) }
        return Value(jsonScalar: value).map { .some($0) }
    }

    func string(_ key: String) -> String? {
        guard case .string(let text)? = object[key] else { return nil }
        return text
    }

    /// An `Int`, as `JSONValueDecoder` reads one: a JSON integer only.
    func integer(_ key: String) -> Int? {
        guard case .integer(let value)? = object[key] else { return nil }
        return Int(exactly: value)
    }

    func bool(_ key: String) -> Bool? {
        guard case .bool(let flag)? = object[key] else { return nil }
        return flag
    }

    /// An array of objects, each read by `Element`; nil when any of them is not one.
    func array<Element: MembersCodable>(_ key: String, of element: Element.Type) -> [Element]? {
        guard case .array(let values)? = object[key] else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(values.count)
        for value in values {
            guard case .object(let object) = value, let element = Element(members: JSONMembers(object: object)) else { return nil }
            elements.append(element)
        }
        return elements
    }
}

/// Where a value's members are written, in key order: into a JSON object
/// (`JSONMembersWriter`) or straight as canonical text (`CanonicalTextWriter`), so that a type
/// written both ways lists its members once.
protocol MembersWriter {
    init()
    /// A scalar; nothing when `value` is nil.
    mutating func put(_ key: String, _ value: (some JSONScalarValue)?)
    mutating func put(_ key: String, _ flag: Bool)
    /// An array of objects, each written by `write` into a writer of its own.
    mutating func put<Element>(_ key: String, objects: [Element], _ write: (Element, inout Self) -> Void)
}

/// Writes the members of one JSON object as `JSONValueEncoder` writes a synthesised
/// `encode(to:)`: an absent optional left out; `object` nil once a value was beyond JSON.
struct JSONMembersWriter: MembersWriter {
    private var written = JSONObject()
    private var complete = true

    var object: JSONObject? { complete ? written : nil }

    /// A scalar; nothing when `value` is nil.
    mutating func put(_ key: String, _ value: (some JSONScalarValue)?) {
        guard let value else { return }
        if let scalar = value.jsonScalar {
            written.insert(key, scalar)
        } else {
            complete = false
        }
    }

    mutating func put(_ key: String, _ text: String) { written.insert(key, .string(text)) }

    mutating func put(_ key: String, _ flag: Bool) { written.insert(key, .bool(flag)) }

    /// An `Int`, beyond JSON past ±(2^53 − 1) as for the encoder.
    mutating func put(_ key: String, _ number: Int) {
        guard let value = Int64(exactly: number), value.magnitude <= UInt64(JSONValue.maxSafeInteger) else {
            complete = false
            return
        }
        written.insert(key, .integer(value))
    }

    mutating func put<Element>(_ key: String, objects: [Element], _ write: (Element, inout JSONMembersWriter) -> Void) {
        put(
            key,
            objects: objects.map { element in
                var object = JSONMembersWriter()
                write(element, &object)
                return object.object
            })
    }

    /// An array of objects, each one's members (nil: beyond JSON).
    mutating func put(_ key: String, objects: [JSONObject?]) {
        var values: [JSONValue] = []
        values.reserveCapacity(objects.count)
        for object in objects {
            guard let object else {
                complete = false
                return
            }
            values.append(.object(object))
        }
        written.insert(key, .array(values))
    }
}
