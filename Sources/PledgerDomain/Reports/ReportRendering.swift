import Foundation

/// Machine forms of the reports — JSON (canonical) and CSV — shared by the CLI and the
/// HTTP API. Amounts are integer fen and ratios integer basis points, so nothing is lost.
extension GrowthReport {
    public var json: JSONValue {
        func years(_ rows: [Year]) -> JSONValue {
            .array(rows.map { row in
                object([
                    ("year", .integer(Int64(row.year))), ("loans", .integer(Int64(row.loans))),
                    ("principal_fen", .integer(row.principalFen.fen)), ("borrowers", .integer(Int64(row.borrowers))),
                    ("principal_growth_bp", row.principalGrowthBp.map { .integer($0.value) } ?? .null),
                    ("loan_growth_bp", row.loanGrowthBp.map { .integer($0.value) } ?? .null),
                    ("target_met", row.targetMet.map(JSONValue.bool) ?? .null),
                ])
            })
        }
        return object([
            ("from_year", .integer(Int64(fromYear))), ("to_year", .integer(Int64(toYear))), ("target_bp", .integer(targetBp.value)),
            ("years", years(self.years)), ("cagr_bp", cagrBp.map { .integer($0.value) } ?? .null),
            ("by", dimension.map { .string($0.rawValue) } ?? .null),
            ("slices", .array(slices.map { slice in
                object([("value", .string(slice.value)), ("years", years(slice.years)), ("cagr_bp", slice.cagrBp.map { .integer($0.value) } ?? .null)])
            })),
            ("monthly", .array(monthly.map { month in
                object([("month", .string(month.month)), ("loans", .integer(Int64(month.loans))), ("principal_fen", .integer(month.principalFen.fen))])
            })),
        ])
    }

    /// One row per year (and slice), integer fen and bp.
    public var csv: String {
        var lines = ["slice,year,loans,principal_fen,borrowers,principal_growth_bp,loan_growth_bp,target_met"]
        let groups: [(String, [Year])] = dimension == nil ? [("total", years)] : slices.map { ($0.value, $0.years) }
        for (slice, rows) in groups {
            for row in rows {
                lines.append([CSV.field(slice), String(row.year), String(row.loans), String(row.principalFen.fen), String(row.borrowers),
                              row.principalGrowthBp.map { String($0.value) } ?? "", row.loanGrowthBp.map { String($0.value) } ?? "",
                              row.targetMet.map { $0 ? "true" : "false" } ?? ""].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ExposureReport {
    public var json: JSONValue {
        func breakdown(_ rows: [Breakdown], _ key: String) -> JSONValue {
            .array(rows.map { row in
                object([
                    (key, .string(row.key)), ("loans", .integer(Int64(row.loans))), ("covered_outstanding_fen", .integer(row.coveredOutstandingFen.fen)),
                    ("contingent_liability_fen", .integer(row.contingentLiabilityFen.fen)), ("non_performing_fen", .integer(row.nonPerformingFen.fen)),
                    ("pending_claims_fen", .integer(row.pendingClaimsFen.fen)), ("owed_to_fund_fen", .integer(row.owedToFundFen.fen)),
                ])
            })
        }
        let optionalBp = { (value: Bp?) -> JSONValue in value.map { .integer($0.value) } ?? .null }
        return object([
            ("fund_id", .string(fundId.value)), ("fund_name", .string(fundName)), ("as_of", .string(asOf.description)),
            ("contributions_fen", object(contributionsByContributor.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .integer($0.value.fen)) })),
            ("contributed_fen", .integer(contributedFen.fen)), ("paid_out_fen", .integer(paidOutFen.fen)),
            ("recoveries_returned_fen", .integer(recoveriesReturnedFen.fen)), ("balance_fen", .integer(balanceFen.fen)),
            ("interest_fen", .integer(interestFen.fen)), ("bank_charges_fen", .integer(bankChargesFen.fen)),
            ("contributions_returned_fen", .integer(contributionsReturnedFen.fen)), ("transfers_in_fen", .integer(transfersInFen.fen)),
            ("transfers_out_fen", .integer(transfersOutFen.fen)), ("owed_to_fund_fen", .integer(owedToFundFen.fen)),
            ("covered_loans", .integer(Int64(coveredLoans))), ("covered_outstanding_fen", .integer(coveredOutstandingFen.fen)),
            ("contingent_liability_fen", .integer(contingentLiabilityFen.fen)), ("pending_claims_fen", .integer(pendingClaimsFen.fen)),
            ("pending_claims_filed", .integer(Int64(pendingFiled))), ("pending_claims_approved", .integer(Int64(pendingApproved))),
            ("leverage_bp", optionalBp(leverageBp)), ("max_leverage_bp", .integer(maxLeverageBp.value)), ("leverage_breached", .bool(leverageBreached)),
            ("coverage_adequacy_bp", optionalBp(coverageAdequacyBp)), ("non_performing_fen", .integer(nonPerformingFen.fen)),
            ("non_performing_ratio_bp", optionalBp(nonPerformingRatioBp)), ("suspend_threshold_bp", .integer(suspendThresholdBp.value)),
            ("suspension_breached", .bool(suspensionBreached)), ("suspended", .bool(suspended)),
            ("by_bank", breakdown(byBank, "bank_id")), ("top_borrowers", breakdown(topBorrowers, "borrower")),
        ])
    }

    /// The headline figures as `metric,value` rows, then the by-bank breakdown.
    public var csv: String {
        guard case .object(let root) = json else { return "" }
        var lines = ["metric,value"]
        for member in root.members {
            switch member.value {
            case .integer(let n): lines.append("\(member.key),\(n)")
            case .bool(let flag): lines.append("\(member.key),\(flag)")
            case .string(let text): lines.append("\(member.key),\(CSV.field(text))")
            case .null: lines.append("\(member.key),")
            default: continue
            }
        }
        lines.append("")
        lines.append("bank_id,loans,covered_outstanding_fen,contingent_liability_fen,non_performing_fen,pending_claims_fen,owed_to_fund_fen")
        for row in byBank {
            lines.append("\(CSV.field(row.key)),\(row.loans),\(row.coveredOutstandingFen.fen),\(row.contingentLiabilityFen.fen),\(row.nonPerformingFen.fen),\(row.pendingClaimsFen.fen),\(row.owedToFundFen.fen)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Builds a JSON object from pairs whose keys are known to be distinct.
func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
    var result = JSONObject()
    for (key, value) in pairs { result.set(key, value) }
    return .object(result)
}

