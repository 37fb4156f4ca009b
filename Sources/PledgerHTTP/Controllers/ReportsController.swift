import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import PledgerCharts
import PledgerDomain
import PledgerStore

/// `/v1/reports/…`: financing growth, fund exposure, a scheme's risk sharing and a subsidy programme, JSON, CSV (`Accept: text/csv`) or a
/// page with charts (`Accept: text/html`, labels in `lang`). A bank's token gets its own
/// slice: its loans only. A page is a past view pinned to `known_at` (default: now) and
/// `as_of` (default: today), and its footer names the request that draws it again.
struct ReportsController {
    let api: API

    func addRoutes(to group: Group) {
        group.get("reports/financing-growth") { request, context -> Response in
            let caller = try context.caller()
            let query = request.query
            let language = try Self.language(query)
            let asOf = try query.date("as_of")
            let knownAt = try query.time("known_at")
            let needs: ReadNeeds = asOf == nil && knownAt == nil && !request.wantsHTML ? .readModels : .log  // a page replays the log
            return try await Self.answer(closing: needs == .log) {
                try await api.read(request, needs: needs) { reads in
                    let window: MonthWindow
                    if let text = query.string("window") {
                        guard query.string("from") == nil, query.string("to") == nil else {
                            throw Problem.invalid("window", "window replaces from and to; send one or the other")
                        }
                        do { window = try MonthWindow(parsing: text, field: "window") } catch let error as DomainError {
                            throw Problem.invalid("window", error.message)
                        }
                        guard window.from.year + 50 >= window.to.year else {
                            throw Problem.invalid("window", "a window spans at most 50 years")
                        }
                    } else {
                        let to = try query.int("to", default: asOf?.year ?? BusinessDate(containing: .now()).year, range: 1900...2200)
                        let from = try query.int("from", default: to - 3, range: 1900...2200)
                        guard from <= to, to - from <= 50 else { throw Problem.invalid("from", "from must be at most 50 years before to") }
                        window = try MonthWindow.years(from, to)
                    }
                    let rollup = try query.string("rollup").map { text -> RegionLevel in
                        guard let level = RegionLevel(rawValue: text) else {
                            throw Problem.invalid(
                                "rollup", "rollup must be one of \(RegionLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        return level
                    }
                    let dimension = try query.string("by").map { text -> GrowthReport.Dimension in
                        guard let value = GrowthReport.Dimension(rawValue: text) else {
                            throw Problem.invalid(
                                "by", "by must be one of \(GrowthReport.Dimension.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        return value
                    }
                    let target = try query.int("target_bp", default: 1500, range: -10_000...100_000)
                    let bank = caller.role == .bank ? caller.bank : nil
                    if rollup != nil, let dimension, dimension != .region {
                        throw Problem.invalid("rollup", "rollup groups regions; it goes with by=region (or without by)")
                    }
                    if request.wantsHTML {
                        let date = asOf ?? BusinessDate(containing: .now())
                        let moment = knownAt ?? .now()
                        let dimensions: [GrowthReport.Dimension] =
                            (rollup != nil ? .region : dimension).map { [$0] } ?? [.bank, .kind, .industry]
                        let (total, slices, seen) = try await compute(request, report: "growth", pastView: true) {
                            try await reads.reports.growthFigures(
                                window: window, target: Bp(Int64(target)), dimensions: dimensions, regionLevel: rollup ?? .district,
                                asOf: date, knownAt: moment, bank: bank)
                        }
                        var pinned = [("window", window.description), ("target_bp", String(target))]
                        if let rollup {
                            pinned.append(("rollup", rollup.rawValue))
                        } else if let dimension {
                            pinned.append(("by", dimension.rawValue))
                        }
                        pinned += [("as_of", date.description), ("known_at", moment.description), ("lang", language.rawValue)]
                        let provenance = Provenance(
                            position: seen.position, hash: seen.hash, knownAt: moment,
                            reproduce: Self.reproduce("financing-growth", pinned, bank))
                        return Self.page(ReportPages.growth(total, slices: slices, provenance: provenance, language: language))
                    }
                    let form = ReportBody.form(of: request)
                    return try await compute(request, report: "growth", pastView: asOf != nil || knownAt != nil) {
                        try await reads.reports.growth(
                            window: window, target: Bp(Int64(target)), by: rollup != nil ? .region : dimension,
                            regionLevel: rollup ?? .district, asOf: asOf, knownAt: knownAt, bank: bank, as: form.rawValue
                        ) { report in ReportBody(form, json: { report.json }, csv: { report.csv }) }
                    }.response
                }
            }
        }

        group.get("reports/fund-exposure") { request, context -> Response in
            let caller = try context.caller()
            let query = request.query
            let language = try Self.language(query)
            guard let text = query.string("fund_id") else { throw Problem.invalid("fund_id", "fund_id is required") }
            guard let fund = try? FundId(text) else { throw Problem.notFound("no fund \(text)") }
            let asOf = try query.date("as_of")
            let knownAt = try query.time("known_at")
            let needs: ReadNeeds = asOf == nil && knownAt == nil && !request.wantsHTML ? .readModels : .log  // a page replays the log
            return try await Self.answer(closing: needs == .log) {
                try await api.read(request, needs: needs) { reads in
                    let top = try query.int("top", default: 10, range: 1...1000)
                    let bank = caller.role == .bank ? caller.bank : nil
                    if request.wantsHTML {
                        let date = asOf ?? BusinessDate(containing: .now())
                        let moment = knownAt ?? .now()
                        let (history, seen) = try await compute(request, report: "exposure", pastView: true) {
                            try await reads.reports.exposureFigures(fund: fund, asOf: date, knownAt: moment, topBorrowers: top, bank: bank)
                        }
                        let pinned = [
                            ("fund_id", fund.value), ("top", String(top)), ("as_of", date.description), ("known_at", moment.description),
                            ("lang", language.rawValue),
                        ]
                        let provenance = Provenance(
                            position: seen.position, hash: seen.hash, knownAt: moment,
                            reproduce: Self.reproduce("fund-exposure", pinned, bank))
                        return Self.page(ReportPages.exposure(history, provenance: provenance, language: language))
                    }
                    let form = ReportBody.form(of: request)
                    return try await compute(request, report: "exposure", pastView: asOf != nil || knownAt != nil) {
                        try await reads.reports.exposure(
                            fund: fund, asOf: asOf, knownAt: knownAt, topBorrowers: top, bank: bank, as: form.rawValue
                        ) { report in ReportBody(form, json: { report.json }, csv: { report.csv }) }
                    }.response
                }
            }
        }

        group.get("reports/subsidies") { request, context -> Response in
            try await administratorsTable(request, context, report: "subsidies", parameter: "programme_id") { reads, text in
                guard let programme = try? SubsidyProgrammeId(text) else { throw Problem.notFound("no subsidy programme \(text)") }
                let report = try await reads.reports.subsidies(programme: programme)
                return (report.json, report.csv)
            }
        }

        group.get("reports/risk-sharing") { request, context -> Response in
            try await administratorsTable(request, context, report: "risk-sharing", parameter: "scheme_id") { reads, text in
                guard let scheme = try? SchemeId(text) else { throw Problem.notFound("no scheme \(text)") }
                let report = try await reads.reports.riskSharing(scheme: scheme)
                return (report.json, report.csv)
            }
        }
    }

    /// A table over every bank's loans or every firm (a scheme's parties, a subsidy programme):
    /// fund administrators, auditors and admins read it, a bank's token is refused. Read from
    /// the streams (the log), JSON or CSV.
    func administratorsTable(
        _ request: Request, _ context: PledgerRequestContext, report: String, parameter: String,
        _ body: @escaping @Sendable (LedgerReads, String) async throws -> (JSONValue, String)
    ) async throws -> Response {
        guard try context.caller().role != .bank else {
            throw Problem.forbidden("this table covers every bank's loans; a fund administrator, auditor or admin reads it")
        }
        guard let text = request.query.string(parameter) else { throw Problem.invalid(parameter, "\(parameter) is required") }
        return try await api.read(request, needs: .log) { reads in
            let (json, csv) = try await compute(request, report: report, pastView: false) { try await body(reads, text) }
            return ReportBody(ReportBody.form(of: request), json: { json }, csv: { csv }).response
        }
    }

    /// A past view or a page is computed while the request's connection is watched, so that a
    /// client that leaves cancels it; the watch reads the connection, which the server then closes
    /// after the answer. The answer says so (`Connection: close`, its problems too): a client
    /// keeping the connection alive would otherwise send its next request into a closed one
    /// (a generated Python client did, in CI).
    static func answer(closing: Bool, _ body: () async throws -> Response) async throws -> Response {
        guard closing else { return try await body() }
        do {
            var response = try await body()
            response.headers[.connection] = "close"
            return response
        } catch {
            var problem = Problem.from(error)
            // A failure of the server's own is logged from the error as it is.
            guard problem.status != .internalServerError else { throw error }
            problem.headers[.connection] = "close"
            throw problem
        }
    }

    /// Runs a report within the report deadline. A past view folds the log, so it is also
    /// abandoned as soon as its client disconnects, instead of burning a core for nobody.
    /// Each run is timed into `pledger_report_duration_seconds{report, view}` however it ends
    /// (an answer, a refusal, the deadline), so slow past views show before they time out.
    func compute<Report: Sendable>(
        _ request: Request, report: String, pastView: Bool, _ body: @escaping @Sendable () async throws -> Report
    ) async throws -> Report {
        let started = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - started
            Metrics.Timer(
                label: "pledger_report_duration_seconds", dimensions: [("report", report), ("view", pastView ? "past" : "current")]
            )
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        let limit = api.reportTimeout
        let bounded: @Sendable () async throws -> Report = {
            do {
                return try await Deadline.run(limit, "report") { _ in try await body() }
            } catch StoreError.timedOut(let what) where what == "report" {
                throw Problem.unavailable(
                    "report-timeout", "Report took too long",
                    "the report did not finish within \(limit) and was abandoned; ask for a narrower one (one bank, fewer years) or retry later"
                )
            }
        }
        guard pastView else { return try await bounded() }
        return try await request.body.consumeWithCancellationOnInboundClose { _ in try await bounded() }
    }

    /// `lang`: zh (the default) or en; checked on every request, whatever it asks for.
    static func language(_ query: Query) throws -> Language {
        guard let text = query.string("lang") else { return .zh }
        guard let language = Language(rawValue: text) else { throw Problem.invalid("lang", "lang must be one of \(Language.allowed)") }
        return language
    }

    /// The request that draws a page again, as its footer prints it.
    static func reproduce(_ report: String, _ query: [(String, String)], _ bank: BankId?) -> String {
        let pairs = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0.1)" }
        return "GET /v1/reports/\(report)?\(pairs.joined(separator: "&")) (Accept: text/html" + (bank.map { "; as bank \($0)" } ?? "") + ")"
    }

    /// A page, with its Content-Security-Policy also as a header.
    static func page(_ html: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: ReportPages.contentSecurityPolicy],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension CharacterSet {
    /// What may stand unescaped in a query value (`+`, `&`, `=` and `#` may not).
    static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&=#"))
}
