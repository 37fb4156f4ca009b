import Foundation
import HTTPTypes
import PledgerDomain
import Testing

/// `Accept: text/html` on the two report GETs: a page with charts, the bank's own slice for a
/// bank's token, `lang` checked like every other parameter.
@Suite("HTTP: report pages")
struct ReportPageAPITests {
    @Test("the growth and exposure reports come as self-contained pages; a bank's page is its own slice")
    func pages() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            api.expectOK(try await api.originate(bank: "LCRCB", contract: "A-1", asset: "ZL1", principal: 100_000_000))
            api.expectOK(try await api.originate(bank: "B2", contract: "B-1", asset: "ZL2", principal: 200_000_000))
            let html: HTTPFields = [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]

            let growth = try await api.send(
                .get, "/v1/reports/financing-growth?from=2023&to=2024&as_of=2024-12-31", as: "auditor", headers: html)
            #expect(growth.status == 200)
            #expect(growth.headers[.contentType] == "text/html; charset=utf-8")
            #expect(growth.headers[.contentSecurityPolicy] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
            #expect(growth.text.hasPrefix("<!DOCTYPE html>") && growth.text.contains("<svg"))
            #expect(growth.text.contains(#"data-path="/years/1/principal_fen" data-unit="yuan">3,000,000.00</span>"#))
            #expect(growth.text.contains(#"data-report="bank" data-path="/slices/1/value" data-unit="text" data-value="LCRCB""#))
            // The footer names the head and the request that draws the page again, pinned to known_at.
            let head = try await api.send(.get, "/v1/ledger/head", as: "auditor")
            #expect(growth.text.contains("<code id=\"head-position\">\(head.integer("position")!)</code>"))
            #expect(
                growth.text.contains(
                    "GET /v1/reports/financing-growth?window=2023-01:2024-12&amp;target_bp=1500&amp;as_of=2024-12-31&amp;known_at="))

            let bank = try await api.send(
                .get, "/v1/reports/financing-growth?from=2023&to=2024&as_of=2024-12-31", as: "bank:LCRCB", headers: html)
            #expect(bank.text.contains(#"data-path="/years/1/principal_fen" data-unit="yuan">1,000,000.00</span>"#))
            #expect(!bank.text.contains("B2") && bank.text.contains("as bank LCRCB"))

            let exposure = try await api.send(
                .get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-12-31&lang=en", as: "fund_admin", headers: html)
            #expect(exposure.status == 200 && exposure.text.contains(#"<html lang="en">"#))
            #expect(
                exposure.text.contains(
                    #"data-report="2024-12-31" data-path="/covered_outstanding_fen" data-unit="yuan">3,000,000.00</span>"#))
            let bankExposure = try await api.send(
                .get, "/v1/reports/fund-exposure?fund_id=LC-IPRC&as_of=2024-12-31", as: "bank:LCRCB", headers: html)
            #expect(
                bankExposure.text.contains(
                    #"data-report="2024-12-31" data-path="/covered_outstanding_fen" data-unit="yuan">1,000,000.00</span>"#))
            #expect(!bankExposure.text.contains(">B2<"))
            // JSON stays the default.
            #expect(
                try await api.send(.get, "/v1/reports/financing-growth?from=2023&to=2024&lang=en", as: "auditor").headers[.contentType]?
                    .hasPrefix("application/json") == true)
        }
    }

    @Test("an unknown lang is a 422 naming the allowed values, whatever the Accept")
    func unknownLanguage() async throws {
        try await APIHarness.run { api in
            try await api.seedDistrict()
            for accept in ["text/html", "application/json"] {
                for path in ["/v1/reports/financing-growth?lang=fr", "/v1/reports/fund-exposure?fund_id=LC-IPRC&lang=ZH"] {
                    let reply = try await api.send(.get, path, as: "auditor", headers: [.accept: accept])
                    #expect(
                        reply.status == 422 && reply.string("field") == "lang" && reply.string("detail") == "lang must be one of zh, en",
                        "\(path) \(accept)")
                }
            }
        }
    }
}
