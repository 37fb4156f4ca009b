import Hummingbird
import PledgerDomain

/// A report's body as sent: CSV when the request asks for it (`Accept: text/csv`), else
/// JSON; only the one asked for is rendered. The report service keeps a current view's
/// body beside the report (under `form`), so a dashboard asking the same question again is
/// sent the same bytes without encoding them again.
struct ReportBody: Sendable {
    enum Form: String, Sendable {
        case json, csv
    }

    let form: Form
    let bytes: ByteBuffer

    init(_ form: Form, json: () -> JSONValue, csv: () -> String) {
        self.form = form
        bytes = ByteBuffer(string: form == .csv ? csv() : CanonicalJSON.string(json()))
    }

    static func form(of request: Request) -> Form { request.wantsCSV ? .csv : .json }

    var response: Response {
        Response(
            status: .ok, headers: [.contentType: form == .csv ? "text/csv; charset=utf-8" : "application/json"],
            body: .init(byteBuffer: bytes))
    }
}
