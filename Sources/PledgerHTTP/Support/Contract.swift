import Foundation
import PledgerDomain

/// The OpenAPI document read as the contract it is: which fields a request body may carry.
/// Strict decoding asks it, so a field the document does not list is refused by name, and
/// the Swift request types cannot quietly accept more than banks were told.
enum Contract {
    static let document: JSONValue = (try? JSONParser.parse(OperationsController.openAPIDocument.readableBytesView)) ?? .null

    /// The request body schema of a POST route, as registered (`funds/:fund_id/banks` under `/v1`).
    static func requestBody(post route: String) -> JSONValue? {
        let path =
            "/v1/" + route.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        return document["paths"]?[path]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
    }

    /// A named schema of the document (`#/components/schemas/Repayment`).
    static func component(_ name: String) -> JSONValue? { document["components"]?["schemas"]?[name] }

    /// The first member of `value` (not null) that `schema` does not declare, following `$ref`,
    /// object properties and array items; nil when every field is declared.
    static func undeclaredField(_ value: JSONValue, schema: JSONValue, path: String = "") -> String? {
        var schema = schema
        while case .string(let reference)? = schema["$ref"], let resolved = component(String(reference.split(separator: "/").last ?? "")) {
            schema = resolved
        }
        switch value {
        case .object(let given):
            let properties = schema["properties"]
            let closed = schema["additionalProperties"] == .bool(false)
            for member in given.members where member.value != .null {
                let name = path.isEmpty ? member.key : "\(path).\(member.key)"
                if let property = properties?[member.key] {
                    if let deeper = undeclaredField(member.value, schema: property, path: name) { return deeper }
                } else if closed {
                    return name
                } else if case .object = schema["additionalProperties"] ?? .null,
                    let deeper = undeclaredField(member.value, schema: schema["additionalProperties"]!, path: name)
                {
                    return deeper
                }
            }
        case .array(let items):
            guard let itemSchema = schema["items"] else { return nil }
            for (index, item) in items.enumerated() {
                if let deeper = undeclaredField(item, schema: itemSchema, path: "\(path)[\(index)]") { return deeper }
            }
        default:
            break
        }
        return nil
    }
}
