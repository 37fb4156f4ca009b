/// A value read straight from the members of its JSON object, without a `Decoder`: for the
/// event types the log holds most of (repayments, assets, originations), whose decoding
/// through `JSONValueDecoder` — a container, a coding path and a key lookup per field — was a
/// third of a rebuild's time and most of a past view's.
///
/// `init(members:)` returns nil wherever the `Decodable` path might read the object
/// differently or refuse it: a member missing, null where a value is required, of another
/// type, or a scalar its type refuses. The caller then decodes through `Decodable`, which
/// gives the value or its usual error, so a stored event is read the same either way and a
/// bad one is reported as before. Tested equal to the `Decodable` path on every event type's
/// samples, random command sequences and broken objects (`MembersDecodableTests`).
protocol MembersDecodable: Decodable {
    init?(members: JSONMembers)
}

/// The members of one JSON object, read as `JSONValueDecoder` reads them for a synthesised
/// `init(from:)`: keys in snake case, members it does not ask for ignored.
struct JSONMembers {
    let object: JSONObject

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

    func bool(_ key: String) -> Bool? {
        guard case .bool(let flag)? = object[key] else { return nil }
        return flag
    }

    /// An array of objects, each read by `Element`; nil when any of them is not one.
    func array<Element: MembersDecodable>(_ key: String, of element: Element.Type) -> [Element]? {
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

extension MembersDecodable {
    /// Straight from the members, or through `Decodable` where they do not say (see above).
    static func decode(from value: JSONValue) throws -> Self {
        if case .object(let object) = value, let decoded = Self(members: JSONMembers(object: object)) { return decoded }
        return try JSONValueDecoder.decode(Self.self, from: value)
    }
}
