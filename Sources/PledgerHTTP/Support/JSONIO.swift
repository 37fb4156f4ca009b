import Foundation
import HTTPTypes
import Hummingbird
import PledgerDomain

/// Reading JSON requests strictly and writing canonical JSON responses.
enum JSONIO {
    /// Parses the body as one JSON object. 415 if not JSON, 413 if too large, 400 if malformed.
    static func object(_ request: Request, context: PledgerRequestContext) async throws -> (JSONValue, bytes: ByteBuffer) {
        if let type = request.mediaType, type != "application/json" {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail: "send Content-Type: application/json")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let value: JSONValue
        do {
            value = try JSONParser.parse(body.readableBytesView)
        } catch let error as CanonicalJSONError {
            throw Problem.badRequest("the body is not valid JSON for this API: \(error)")
        }
        guard case .object = value else { throw Problem.badRequest("the body must be a JSON object") }
        return (value, body)
    }

    /// Decodes a request type from a JSON object. A field the contract does not declare for
    /// this body (`schema`, from the OpenAPI document) is refused — a typo must not silently
    /// drop data; type and validation errors name the field.
    static func decode<T: Codable>(_ type: T.Type, from value: JSONValue, schema: JSONValue, prefix: String = "") throws -> T {
        if let undeclared = Contract.undeclaredField(value, schema: schema) {
            throw Problem.invalid(prefix + undeclared, "\(prefix + undeclared) is not a field of this request")
        }
        if let (field, problem) = blankOrLong(value) { throw Problem.invalid(prefix + field, "\(prefix + field) \(problem)") }
        let decoded: T
        do {
            decoded = try EventCoding.decoder.decode(T.self, from: Data(CanonicalJSON.bytes(value)))
        } catch let error as DecodingError {
            let description = EventCoding.describe(error)
            let field = description.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            throw Problem.invalid(prefix + field, prefix + description)
        }
        return decoded
    }

    /// Text fields are never blank and at most 500 characters (before any rule looks at them).
    static func blankOrLong(_ value: JSONValue, path: String = "") -> (String, String)? {
        switch value {
        case .string(let text):
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return (path, "must not be blank") }
            if text.count > 500 { return (path, "is longer than 500 characters") }
        case .object(let object):
            for member in object.members {
                if let found = blankOrLong(member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)") { return found }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = blankOrLong(item, path: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }

    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoder.encode(value)
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: CanonicalJSON.string(value))))
    }
}

/// Query-string parameters, validated with the parameter's name in the error.
struct Query {
    let request: Request

    func string(_ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    /// A paging cursor: the last key of the previous page (an identifier's characters only).
    func cursor(numeric: Bool = false) throws -> String? {
        guard let text = string("cursor") else { return nil }
        let allowed = numeric ? "0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
        guard text.count <= 64, text.unicodeScalars.allSatisfy({ allowed.unicodeScalars.contains($0) }) else {
            throw Problem.invalid("cursor", "not a cursor from this API; pass next_cursor of the previous page")
        }
        return text
    }

    /// The parameter, or `value` when it is absent.
    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        try int(name, range: range) ?? value
    }

    /// The parameter, or nil when it is absent.
    func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw Problem.invalid(name, "\(name) must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func date(_ name: String) throws -> BusinessDate? {
        guard let text = string(name) else { return nil }
        do { return try BusinessDate(parsing: text, field: name) } catch let error as DomainError {
            throw Problem.invalid(name, error.message)
        }
    }

    func time(_ name: String) throws -> RecordedTime? {
        guard let text = string(name) else { return nil }
        guard let time = RecordedTime(parsing: text) else {
            throw Problem.invalid(name, "\(name) must be a timestamp like 2025-01-15T09:00:00+08:00 or a date like 2025-01-15")
        }
        return time
    }
}

extension Request {
    var query: Query { Query(request: self) }

    /// `If-Match: "7"` (or `7`) as a stream version.
    func ifMatchVersion() throws -> Int32? {
        guard let raw = headers[.ifMatch] else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "").replacingOccurrences(
            of: "\"", with: "")
        guard let version = Int32(text), version >= 0 else {
            throw Problem.invalid("If-Match", "If-Match must be an ETag from this API, like \"7\"")
        }
        return version
    }

    /// The body's media type without parameters, lower-cased (`application/json` for
    /// `Application/JSON; charset=utf-8`); nil when no Content-Type was sent.
    var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// What a report is answered as: JSON, unless the client prefers CSV or an HTML page
    /// (a browser's Accept prefers HTML; a generated client's lists JSON first).
    var reportMediaType: String { preferredMediaType(["application/json", "text/csv", "text/html"]) ?? "application/json" }
    var wantsCSV: Bool { reportMediaType == "text/csv" }
    var wantsHTML: Bool { reportMediaType == "text/html" }

    /// The type the client prefers among `offered` (RFC 9110 §12.5.1): the highest q of the
    /// most specific range that matches each; ties go to the earlier offered type, so a
    /// generated client's `application/json, text/csv` gets JSON. Without Accept, the first.
    func preferredMediaType(_ offered: [String]) -> String? {
        guard let accept = headers[.accept], !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return offered.first }
        let ranges: [(type: String, q: Double)] = accept.lowercased().split(separator: ",").map { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (pieces.first ?? "", min(max(q, 0), 1))
        }
        func quality(_ type: String) -> Double {
            let major = type.split(separator: "/").first.map { "\($0)/*" } ?? ""
            for candidate in [type, major, "*/*"] {
                if let range = ranges.first(where: { $0.type == candidate }) { return range.q }
            }
            return 0
        }
        var best: (type: String, q: Double)?
        for type in offered {
            let q = quality(type)
            if q > 0, q > (best?.q ?? 0) { best = (type, q) }
        }
        return best?.type
    }
}
