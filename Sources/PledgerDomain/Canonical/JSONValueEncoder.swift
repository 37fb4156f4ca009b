import Foundation

/// Encodes a `Codable` value straight into a `JSONValue`: what `JSONEncoder` (keys
/// `.convertToSnakeCase`) followed by `JSONParser` give, without the text in between — the
/// path every event takes on its way into the log, so its cost is every append's. The same
/// rules as the parser: integers within ±(2^53 − 1), no floating point, no duplicate keys
/// (a key encoded twice keeps the last value, as `JSONEncoder` does). Tested equal to that
/// path on every event type (`JSONValueEncoderTests`).
public enum JSONValueEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try root.encode(value, at: [])
        return try root.value(at: [])
    }

    /// `convertToSnakeCase(key)`, remembered (`KeyConversions`).
    static func snakeCase(_ key: String) -> String { snakeCases(key) }
    private static let snakeCases = KeyConversions(convertToSnakeCase) { utf8 in
        // No capital, and ASCII (a capital beyond ASCII would be lower-cased): as it is.
        !utf8.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }
    static var rememberedSnakeCases: Int { snakeCases.count }

    /// Foundation's `convertToSnakeCase`: words split before each capital (a run of capitals
    /// is one word, its last capital starting the next word when a lower-case letter
    /// follows), lower-cased and joined by `_`.
    static func convertToSnakeCase(_ key: String) -> String {
        guard key.unicodeScalars.contains(where: { CharacterSet.uppercaseLetters.contains($0) }) else { return key }
        var words: [Range<String.Index>] = []
        var wordStart = key.startIndex
        var searchRange = key.index(after: wordStart)..<key.endIndex
        while let upper = key.rangeOfCharacter(from: .uppercaseLetters, options: [], range: searchRange) {
            words.append(wordStart..<upper.lowerBound)
            searchRange = upper.lowerBound..<searchRange.upperBound
            guard let lower = key.rangeOfCharacter(from: .lowercaseLetters, options: [], range: searchRange) else {
                wordStart = searchRange.lowerBound
                break
            }
            let afterCapital = key.index(after: upper.lowerBound)
            if lower.lowerBound == afterCapital {
                wordStart = upper.lowerBound
            } else {
                let beforeLower = key.index(before: lower.lowerBound)
                words.append(upper.lowerBound..<beforeLower)
                wordStart = beforeLower
            }
            searchRange = lower.upperBound..<searchRange.upperBound
        }
        words.append(wordStart..<searchRange.upperBound)
        return words.map { key[$0].lowercased() }.joined(separator: "_")
    }

    static func integer<I: BinaryInteger>(_ value: I) throws -> JSONValue {
        guard let exact = Int64(exactly: value), exact.magnitude <= UInt64(JSONValue.maxSafeInteger) else {
            throw CanonicalJSONError.integerOutOfRange(String(value))
        }
        return .integer(exact)
    }

    static func noFloat(_ value: some BinaryFloatingPoint) throws -> Never {
        throw CanonicalJSONError.notAnInteger("\(value)")
    }
}

/// `[String: V]`: `JSONEncoder` writes its keys as they are, without converting them (as
/// `JSONDecoder` reads them); in key order, as `JSONObject` keeps members.
private protocol StringKeyedEncodableDictionary {
    func encodeEntries(into node: Node, at path: [any CodingKey]) throws
}

extension Dictionary: StringKeyedEncodableDictionary where Key == String, Value: Encodable {
    fileprivate func encodeEntries(into node: Node, at path: [any CodingKey]) throws {
        node.content = .object([])
        for (key, value) in self { try node.member(key).encode(value, at: path + [AnyKey(stringValue: key)]) }
    }
}

/// A set, or a dictionary keyed by anything but a string or an integer, which `Codable` writes
/// as an array (of elements; of key, value, key, value) in its own order — a different one in
/// each process, whose hashes are seeded afresh. Written here in the order of the elements'
/// (keys') canonical text, so that one value always makes the same JSON: a fund's stored
/// state is compared with the one a rebuild makes by its digest.
private protocol UnorderedEncodable {
    /// Array elements per entry: 2 for a dictionary's key and value, 1 for a set's element.
    static var elementsPerEntry: Int { get }
}

extension Dictionary: UnorderedEncodable where Key: Encodable, Value: Encodable {
    static var elementsPerEntry: Int { 2 }
}

extension Set: UnorderedEncodable where Element: Encodable {
    static var elementsPerEntry: Int { 1 }
}

/// One value under construction: a scalar, an object or an array whose members are nodes.
private final class Node {
    enum Content {
        case unset
        case scalar(JSONValue)
        case object([(String, Node)])
        case array([Node])
    }
    var content: Content = .unset

    func value(at path: [any CodingKey]) throws -> JSONValue {
        switch content {
        case .unset: return .object(JSONObject())  // JSONEncoder writes an empty object for a value that encodes nothing.
        case .scalar(let value): return value
        case .array(let nodes): return .array(try nodes.map { try $0.value(at: path) })
        case .object(let members):
            var object = JSONObject()
            for (key, node) in members { object.set(key, try node.value(at: path)) }
            return .object(object)
        }
    }

    /// Makes this node `value`: a `JSONScalarValue` straight as its scalar, anything else
    /// through an encoder (the path is joined only then).
    func encode<T: Encodable>(_ value: T, at path: @autoclosure () -> [any CodingKey]) throws {
        if let scalar = (value as? any JSONScalarValue)?.jsonScalar {
            content = .scalar(scalar)
            return
        }
        if let entries = value as? any StringKeyedEncodableDictionary {
            try entries.encodeEntries(into: self, at: path())
            return
        }
        try value.encode(to: NodeEncoder(node: self, codingPath: path()))
        if let unordered = value as? any UnorderedEncodable { try order(entriesOf: type(of: unordered).elementsPerEntry, at: path()) }
    }

    /// An array made by an `UnorderedEncodable`, its entries ordered by their first element's
    /// canonical text (a dictionary's keys are distinct, and so are a set's elements).
    private func order(entriesOf size: Int, at path: [any CodingKey]) throws {
        guard case .array(let nodes) = content, nodes.count > size, nodes.count % size == 0 else { return }
        let entries = try stride(from: 0, to: nodes.count, by: size).map { start in
            (key: Array(CanonicalJSON.string(try nodes[start].value(at: path)).utf8), nodes: nodes[start..<start + size])
        }
        content = .array(entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.flatMap(\.nodes))
    }

    func member(_ key: String) -> Node {
        let node = Node()
        if case .object(var members) = content {
            content = .unset  // so the append does not copy the members
            members.append((key, node))
            content = .object(members)
        } else {
            content = .object([(key, node)])
        }
        return node
    }

    func element() -> Node {
        let node = Node()
        if case .array(var nodes) = content {
            content = .unset
            nodes.append(node)
            content = .array(nodes)
        } else {
            content = .array([node])
        }
        return node
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    private func put(_ value: JSONValue, _ key: Key) { node.member(JSONValueEncoder.snakeCase(key.stringValue)).content = .scalar(value) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(try JSONValueEncoder.integer(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.member(JSONValueEncoder.snakeCase(key.stringValue)).encode(value, at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<
        NestedKey
    > {
        NodeEncoder(node: node.member(JSONValueEncoder.snakeCase(key.stringValue)), codingPath: codingPath + [key]).container(
            keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.member(JSONValueEncoder.snakeCase(key.stringValue)), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(JSONValueEncoder.snakeCase(key.stringValue)), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int {
        if case .array(let nodes) = node.content { return nodes.count }
        return 0
    }

    private func put(_ value: JSONValue) { node.element().content = .scalar(value) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Float) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Int) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int8) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.element().encode(value, at: codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.element(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.element(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.element(), codingPath: codingPath) }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    private func put(_ value: JSONValue) { node.content = .scalar(value) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Float) throws { try JSONValueEncoder.noFloat(value) }
    mutating func encode(_ value: Int) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int8) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValueEncoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, at: codingPath) }
}
