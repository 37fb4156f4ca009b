/// A JSON value restricted to what the ledger stores: no floating-point numbers, integers
/// within ±(2^53 − 1) so that every language reads them exactly.
///
/// Objects keep their members as an array sorted by the UTF-8 bytes of the key (which is
/// code-point order), not as a `Dictionary`: Swift's `String` equality treats canonically
/// equivalent keys (`"é"` and `"e\u{301}"`) as equal, JSON and the hash chain do not.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Largest magnitude an integer may have: 2^53 − 1.
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

/// The members of a JSON object, unique by key (compared byte for byte) and sorted by key.
public struct JSONObject: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public let key: String
        public let value: JSONValue
    }

    public private(set) var members: [Member]

    public init() { members = [] }

    /// Builds an object; throws `CanonicalJSONError.duplicateKey` when a key repeats.
    public init(_ pairs: [(String, JSONValue)]) throws {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            guard insert(key, value) else { throw CanonicalJSONError.duplicateKey(key) }
        }
    }

    public subscript(key: String) -> JSONValue? {
        let index = searchIndex(key)
        guard index < members.count, Self.sameBytes(members[index].key, key) else { return nil }
        return members[index].value
    }

    /// Inserts a member, keeping the order; returns false (and changes nothing) if the key exists.
    @discardableResult
    public mutating func insert(_ key: String, _ value: JSONValue) -> Bool {
        // Canonical text lists the keys in order: each one goes at the end.
        if let last = members.last, Self.codePointLess(last.key, key) {
            members.append(Member(key: key, value: value))
            return true
        }
        let index = searchIndex(key)
        if index < members.count, Self.sameBytes(members[index].key, key) { return false }
        members.insert(Member(key: key, value: value), at: index)
        return true
    }

    /// Sets or replaces a member.
    public mutating func set(_ key: String, _ value: JSONValue) {
        let index = searchIndex(key)
        if index < members.count, Self.sameBytes(members[index].key, key) {
            members[index] = Member(key: key, value: value)
        } else {
            members.insert(Member(key: key, value: value), at: index)
        }
    }

    public mutating func remove(_ key: String) {
        let index = searchIndex(key)
        if index < members.count, Self.sameBytes(members[index].key, key) { members.remove(at: index) }
    }

    private func searchIndex(_ key: String) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            if JSONObject.codePointLess(members[mid].key, key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Code-point order, which for UTF-8 equals byte order. On the bytes where the strings
    /// hold them in one piece (native strings do): through the generic `UTF8View` comparison,
    /// the parser's and the readers' key comparisons were a tenth of a rebuild's time.
    static func codePointLess(_ a: String, _ b: String) -> Bool {
        let less = bytes(of: a, b) { x, y -> Bool in
            for index in 0..<min(x.count, y.count) where x[index] != y[index] { return x[index] < y[index] }
            return x.count < y.count
        }
        return less ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Equal byte for byte (not as Swift compares strings: canonically equivalent ones differ).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return bytes(of: a, b) { $0.elementsEqual($1) } ?? a.utf8.elementsEqual(b.utf8)
    }

    private static func bytes<Result>(
        of a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        a.utf8.withContiguousStorageIfAvailable { x in b.utf8.withContiguousStorageIfAvailable { y in body(x, y) } }.flatMap { $0 }
    }
}

public enum CanonicalJSONError: Error, Equatable, CustomStringConvertible {
    case duplicateKey(String)
    case integerOutOfRange(String)
    case notAnInteger(String)
    case syntax(offset: Int, reason: String)
    case notAnObject

    public var description: String {
        switch self {
        case .duplicateKey(let key): "duplicate key \"\(key)\""
        case .integerOutOfRange(let text): "integer \(text) is outside ±(2^53 − 1)"
        case .notAnInteger(let text): "number \(text) is not an integer; the ledger stores no floating-point numbers"
        case .syntax(let offset, let reason): "invalid JSON at byte \(offset): \(reason)"
        case .notAnObject: "expected a JSON object"
        }
    }
}

extension JSONValue {
    /// Written the same, byte for byte: unlike `==`, which compares strings as Swift does
    /// (canonically equivalent ones are equal), strings and keys are compared by their bytes.
    public func isIdentical(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.string(let a), .string(let b)): JSONObject.sameBytes(a, b)
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.isIdentical(to: $1) }
        case (.object(let a), .object(let b)): a.isIdentical(to: b)
        default: false
        }
    }
}

extension JSONObject {
    /// Written the same, byte for byte (see `JSONValue.isIdentical`).
    public func isIdentical(to other: JSONObject) -> Bool {
        members.count == other.members.count
            && zip(members, other.members).allSatisfy { Self.sameBytes($0.key, $1.key) && $0.value.isIdentical(to: $1.value) }
    }
}
