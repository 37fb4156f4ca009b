import Foundation

/// Decodes a `Decodable` value straight from a `JSONValue`: what `JSONDecoder` (keys
/// `.convertFromSnakeCase`) gives for the same JSON text — the path every event read from the
/// log takes, so its cost is every replay's, rebuild's and past view's. `JSONDecoder` converts
/// each key of each object it meets (a fifth of a replay's time); here an object's keys are
/// converted through a table of the keys seen before, so a key is converted once per process.
/// The same conversion (`JSONDecoder`'s own, asked once per key), the same treatment of
/// `[String: V]` (its keys as they are), and the same `DecodingError`s for missing keys, nulls
/// and mismatched types. Tested equal to `JSONDecoder` on every event type and on the read
/// models' loan snapshots (`JSONValueDecoderTests`).
public enum JSONValueDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder.decode(T.self, from: value, at: [])
    }

    /// `key` as `JSONDecoder` with `.convertFromSnakeCase` reads it, remembered (`KeyConversions`).
    static func camelCase(_ key: String) -> String { camelCases(key) }
    private static let camelCases = KeyConversions(convertFromSnakeCase) { utf8 in
        // No underscore: `JSONDecoder` leaves the key as it is.
        !utf8.contains(UInt8(ascii: "_"))
    }
    static var rememberedCamelCases: Int { camelCases.count }

    /// Asks `JSONDecoder` itself, on a one-key object, so the two can never disagree.
    private static func convertFromSnakeCase(_ key: String) -> String {
        struct FirstKey: Decodable {
            let name: String?
            init(from decoder: any Decoder) throws {
                name = try decoder.container(keyedBy: AnyKey.self).allKeys.first?.stringValue
            }
        }
        guard let object = try? JSONObject([(key, .null)]) else { return key }
        let text = Data(CanonicalJSON.bytes(.object(object)))
        return ((try? EventCoding.decoder.decode(FirstKey.self, from: text))?.name) ?? key
    }
}

/// Any key, by name or by index.
struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }
    init(intValue: Int) {
        stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

/// `[String: V]`: `JSONDecoder` reads its keys as they are, without converting them.
private protocol StringKeyedDictionary {
    static func decodeEntries(of object: JSONObject, at path: [any CodingKey]) throws -> Self
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    fileprivate static func decodeEntries(of object: JSONObject, at path: [any CodingKey]) throws -> Self {
        var entries: [String: Value] = [:]
        entries.reserveCapacity(object.members.count)
        for member in object.members {
            entries[member.key] = try ValueDecoder.decode(Value.self, from: member.value, at: path + [AnyKey(stringValue: member.key)])
        }
        return entries
    }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The path is asked for only where a decoder is made: a scalar read straight from its value
    /// (a string, a number, a `JSONScalarValue`) needs none, and joining it allocated.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: @autoclosure () -> [any CodingKey]) throws -> T {
        switch value {
        case .string(let string):
            if T.self == String.self { return string as! T }
            if let scalar = scalar(T.self, value) { return scalar as! T }
        case .integer(let integer):
            if T.self == Int64.self { return integer as! T }
            if T.self == Int.self { return Int(integer) as! T }
            if let scalar = scalar(T.self, value) { return scalar as! T }
        case .bool(let bool):
            if T.self == Bool.self { return bool as! T }
        case .object(let object):
            if let dictionary = T.self as? any StringKeyedDictionary.Type {
                return try dictionary.decodeEntries(of: object, at: path()) as! T
            }
        case .null, .array: break
        }
        return try T(from: ValueDecoder(value: value, codingPath: path()))
    }

    /// Returns `any` rather than `T?`: asking for `Optional<T>`'s metadata at run time, once per
    /// field, cost more than the cast.
    private static func scalar<T>(_ type: T.Type, _ value: JSONValue) -> (any JSONScalarValue)? {
        guard let scalarType = T.self as? any JSONScalarValue.Type else { return nil }
        return scalarType.init(jsonScalar: value)
    }

    static func mismatch(_ type: Any.Type, _ value: JSONValue, at path: [any CodingKey]) -> DecodingError {
        let found =
            switch value {
            case .null: "null"
            case .bool: "a boolean"
            case .integer: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "a dictionary"
            }
        return DecodingError.typeMismatch(
            type, DecodingError.Context(codingPath: path, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }

    /// `JSONDecoder`'s error for a container asked of a null: a missing value, not a mismatch.
    private func absent(_ type: Any.Type, _ kind: String) -> DecodingError {
        DecodingError.valueNotFound(
            type,
            DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get \(kind) decoding container -- found null value instead"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if value == .null { throw absent([String: Any].self, "keyed") }
        guard case .object(let object) = value else { throw Self.mismatch([String: Any].self, value, at: codingPath) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        if value == .null { throw absent([Any].self, "unkeyed") }
        guard case .array(let elements) = value else { throw Self.mismatch([Any].self, value, at: codingPath) }
        return UnkeyedValueContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(value: value, codingPath: codingPath) }
}

/// Reads a scalar the way `JSONDecoder` does: the exact type, integers within range, null
/// refused where a value is required.
private enum Scalar {
    static func read<T>(_ type: T.Type, _ value: JSONValue, at path: @autoclosure () -> [any CodingKey]) throws -> T {
        switch value {
        case .null:
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: path(), debugDescription: "Expected \(type) value but found null instead."))
        case .bool(let bool) where type == Bool.self: return bool as! T
        case .string(let string) where type == String.self: return string as! T
        case .integer(let integer):
            if let converted = integerValue(integer, as: type) { return converted as! T }
            if type == Double.self { return Double(integer) as! T }
            if type == Float.self { return Float(integer) as! T }
            if isInteger(type) {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: path(), debugDescription: "Number \(integer) is not representable in Swift."))
            }
        default: break
        }
        throw ValueDecoder.mismatch(type, value, at: path())
    }

    private static func isInteger(_ type: Any.Type) -> Bool { type is any FixedWidthInteger.Type }

    private static func integerValue(_ integer: Int64, as type: Any.Type) -> Any? {
        switch type {
        case is Int.Type: Int(exactly: integer)
        case is Int8.Type: Int8(exactly: integer)
        case is Int16.Type: Int16(exactly: integer)
        case is Int32.Type: Int32(exactly: integer)
        case is Int64.Type: integer
        case is UInt.Type: UInt(exactly: integer)
        case is UInt8.Type: UInt8(exactly: integer)
        case is UInt16.Type: UInt16(exactly: integer)
        case is UInt32.Type: UInt32(exactly: integer)
        case is UInt64.Type: UInt64(exactly: integer)
        default: nil
        }
    }
}

private struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// The object's members under the names `JSONDecoder` gives them.
    let members: [(name: String, value: JSONValue)]
    let codingPath: [any CodingKey]

    init(object: JSONObject, codingPath: [any CodingKey]) {
        members = object.members.map { (JSONValueDecoder.camelCase($0.key), $0.value) }
        self.codingPath = codingPath
    }

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.name) } }

    private func find(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        for member in members where member.name == name { return member.value }
        return nil
    }

    private func required(_ key: Key) throws -> JSONValue {
        guard let value = find(key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try required(key) == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Scalar.read(type, try required(key), at: codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Scalar.read(type, try required(key), at: codingPath + [key]) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.decode(type, from: try required(key), at: codingPath + [key])
    }

    /// Absent or null is nil (what the synthesised `init(from:)` asks for an optional).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = find(key), value != .null else { return nil }
        return try ValueDecoder.decode(type, from: value, at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try required(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try required(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(
            value: members.first { $0.name == "super" }?.value ?? .null, codingPath: codingPath + [AnyKey(stringValue: "super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: find(key) ?? .null, codingPath: codingPath + [key]) }
}

private struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var path: [any CodingKey] { codingPath + [AnyKey(intValue: currentIndex)] }

    private func current(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any?.self, DecodingError.Context(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        if elements[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    // Each reads the current element and moves on only once that succeeded, as `JSONDecoder` does.
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try ValueDecoder.decode(type, from: try current(type), at: path)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try ValueDecoder(value: try current([String: Any].self), codingPath: path).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try ValueDecoder(value: try current([Any].self), codingPath: path).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = ValueDecoder(value: try current(Any.self), codingPath: path)
        currentIndex += 1
        return decoder
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalar.read(type, value, at: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalar.read(type, value, at: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(type, from: value, at: codingPath) }
}
