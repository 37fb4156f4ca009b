#!/usr/bin/env python3
"""Writes Sources/PledgerHTTP/openapi.json — the OpenAPI 3.1 document `pledger serve` publishes
at /openapi.json. Edit this script, not the JSON; run from the repository root:

    python3 tools/make-openapi.py

The document is the contract for bank integrators: every route, body, status and error.
Schemathesis (scripts/schemathesis) checks the running server against it."""
import json

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "example": "2024-03-01"}
TIME = {"type": "string", "example": "2025-01-15T09:00:00+08:00"}
ID = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", "example": "LC-IPRC"}
USCC = {"type": "string", "pattern": r"^[0-9A-HJ-NP-RTUWXY]{18}$", "example": "91512081MA62K0260E",
        "description": "统一社会信用代码 with a valid GB 32100 check character"}
FEN = {"type": "integer", "format": "int64", "minimum": -9007199254740991, "maximum": 9007199254740991,
       "description": "amount in fen (1 yuan = 100 fen). Every amount and every total the ledger keeps is at most "
                      "9,007,199,254,740,991 fen (2^53 − 1), so it is exact in every JSON client; a command that would take "
                      "a total above it is refused with 422 limit-exceeded"}
POS_FEN = dict(FEN, minimum=1)
NONNEG_FEN = dict(FEN, minimum=0)
BP = {"type": "integer", "format": "int64", "description": "basis points, 10000 = 100%"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 500}
UUID = {"type": "string", "format": "uuid"}
INT = {"type": "integer", "format": "int64"}
KINDS = ["patent", "utility_model", "design", "trademark", "copyright", "software_copyright",
         "geographical_indication", "ic_layout", "plant_variety"]


def obj(required, optional=None, additional=False, description=None):
    props = dict(required)
    props.update(optional or {})
    schema = {"type": "object", "properties": props, "required": list(required.keys())}
    if not additional:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


def nullable(schema):
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    result = dict(schema)
    result["type"] = [result["type"], "null"]
    return result


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


policy = obj({
    "coverage_bp": dict(BP, minimum=0, maximum=10000), "per_loan_cap_fen": POS_FEN, "per_borrower_cap_fen": POS_FEN,
    "max_leverage": dict(INT, minimum=1, maximum=100), "claim_after_overdue_days": dict(INT, minimum=0, maximum=3650),
    "npl_suspend_bp": dict(BP, minimum=0, maximum=10000),
    "eligible_kinds": {"type": "array", "items": {"type": "string", "enum": KINDS}, "minItems": 1, "uniqueItems": True},
    "max_term_months": dict(INT, minimum=1, maximum=600), "max_pledge_rate_bp": dict(BP, minimum=1, maximum=100000),
}, {"max_valuation_age_months": dict(INT, minimum=1, maximum=120, default=12),
    "max_principal_fen_by_firm_size": obj({}, {size: POS_FEN for size in ["micro", "small", "medium", "large"]},
                                          description="per-loan principal cap by the borrower's firm size; sizes not named are not eligible"),
    "max_principal_per_firm_per_year_fen": dict(POS_FEN, description="cover granted to one borrower per calendar year"),
    "max_rate_over_lpr_bp": dict(BP, minimum=0, maximum=10000, description="rate cap: the 1-year LPR in force at origination plus this"),
    "borrower_in_region": {"type": "boolean", "description": "only borrowers registered in the fund's region (code prefix)"},
    "bank_quota_fen": dict(POS_FEN, description="maximum covered principal of one bank's loans"),
    "recovery_return_days": dict(INT, minimum=1, maximum=3650, description="days a bank has to return the fund's share of a recovery (default 30)")})
FIRM_SIZE = {"type": "string", "enum": ["micro", "small", "medium", "large"]}

schemas = {
    "Problem": obj({
        "type": {"type": "string", "format": "uri", "description": "stable: https://pledger.dev/problems/{slug}"},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
    }, {
        "field": {"type": "string", "description": "the request field at fault"}, "instance": {"type": "string"},
        "items": {"type": "array", "items": ref("BulkItem")}, "checks": {"type": "object"},
    }, additional=False, description="RFC 9457 problem details"),
    "WriteResult": obj({
        "position": dict(INT, description="global position of the last event written; pass as min_position to read your write"),
        "first_position": INT, "stream": {"type": "string"}, "version": dict(INT, description="the target stream's new version (its ETag)"),
        "recorded_at": {"type": "string"}, "event_ids": {"type": "array", "items": UUID},
        "streams": {"type": "object", "additionalProperties": {"type": "integer"}},
    }),
    "FundPolicy": policy,
    "EstablishFund": obj({"fund_id": ID, "name": TEXT, "region": {"type": "string", "pattern": r"^\d{6}$"}, "policy": ref("FundPolicy"), "established_on": DATE}),
    "AmendPolicy": obj({"policy": ref("FundPolicy"), "effective_on": DATE, "reason": TEXT},
                       {"applies_to": {"type": "string", "enum": ["new_enrolments", "all_loans"], "default": "new_enrolments",
                                       "description": "loans enrolled from effective_on (default; earlier loans keep their terms) or all loans"}}),
    "Interest": obj({"amount_fen": POS_FEN, "credited_on": DATE, "reference": TEXT}),
    "BankCharge": obj({"amount_fen": POS_FEN, "charged_on": DATE, "reference": TEXT, "description": TEXT}),
    "ContributionReturn": obj({"amount_fen": POS_FEN, "contributor": {"type": "string", "enum": ["province", "city", "district", "other"]},
                               "returned_on": DATE, "reference": TEXT, "reason": TEXT}),
    "Transfer": obj({"to_fund_id": ID, "amount_fen": POS_FEN, "transferred_on": DATE, "reference": TEXT}),
    "QueuePayment": obj({"paid_on": DATE, "reference": TEXT}, {"limit_fen": POS_FEN}),
    "Lpr": obj({"tenor": {"type": "string", "enum": ["1y", "5y"]}, "rate_bp": dict(BP, minimum=0, maximum=10000), "effective_on": DATE}),
    "FirmSize": obj({"firm_size": FIRM_SIZE, "recorded_on": DATE}),
    "ClaimWithdrawal": obj({"withdrawn_on": DATE, "reason": TEXT}),
    "Contribution": obj({"amount_fen": POS_FEN, "contributor": {"type": "string", "enum": ["province", "city", "district", "other"]},
                         "received_on": DATE, "reference": TEXT}),
    "JoinBank": obj({"bank_id": ID, "agreement": TEXT, "effective_on": DATE}),
    "FundStatus": obj({"effective_on": DATE, "reason": TEXT}),
    "Reversal": obj({"reversed_event_id": UUID, "reversed_on": DATE, "reason": TEXT}),
    "RegisterBank": obj({"bank_id": ID, "name": TEXT, "licence": dict(TEXT, maxLength=64)}),
    "RegisterBorrower": obj({"uscc": USCC, "name": TEXT, "industry": {"type": "string", "pattern": r"^[A-T](\d{2,4})?$", "example": "C3841"},
                             "region": {"type": "string", "pattern": r"^\d{6}$", "example": "211303"}, "tech_sme": {"type": "boolean"}},
                            {"firm_size": FIRM_SIZE}),
    "RegisterAsset": obj({"asset_id": ID, "kind": {"type": "string", "enum": KINDS}, "registry_no": dict(TEXT, maxLength=64), "title": TEXT, "owner": USCC}),
    "Valuation": obj({"valuation_id": ID, "appraiser": TEXT, "method": {"type": "string", "enum": ["income", "market", "cost"]},
                      "value_fen": POS_FEN, "valued_on": DATE, "report_ref": TEXT}),
    "Pledge": obj({"asset_id": ID, "registration_no": dict(TEXT, maxLength=64)}, {"valuation_id": ID}),
    "Originate": obj({"contract_no": ID, "borrower": USCC, "principal_fen": POS_FEN, "rate_bp": dict(BP, minimum=0, maximum=10000),
                      "originated_on": DATE, "matures_on": DATE, "collateral": {"type": "array", "items": ref("Pledge"), "minItems": 1}},
                     {"fund_id": ID}),
    "Repayment": obj({"principal_fen": NONNEG_FEN, "interest_fen": NONNEG_FEN, "paid_on": DATE}),
    "Default": obj({"defaulted_on": DATE, "missed_due_on": dict(DATE, description="the instalment or maturity date missed; days overdue are counted from it"),
                    "classification": {"type": "string", "enum": ["substandard", "doubtful", "loss"]}},
                   {"days_overdue": dict(INT, minimum=1, maximum=36500, description="if sent, must equal defaulted_on − missed_due_on")}),
    "Claim": obj({"amount_fen": POS_FEN, "claimed_on": DATE}),
    "ClaimDecision": obj({"decision": {"type": "string", "enum": ["approve", "reject"]}, "decided_on": DATE},
                         {"amount_fen": POS_FEN, "reason": TEXT}),
    "ClaimPayment": obj({"paid_on": DATE, "payment_ref": TEXT},
                        {"amount_fen": dict(POS_FEN, description="pay only this much (default: what is unpaid, up to the fund's balance; the rest stays queued)")}),
    "Recovery": obj({"amount_fen": POS_FEN, "received_on": DATE, "source": TEXT}),
    "RecoveryReturn": obj({"returned_on": DATE, "reference": TEXT}),
    "WriteOff": obj({"written_off_on": DATE, "reason": TEXT}),
    "Close": obj({"closed_on": DATE}),
    "Cancel": obj({"cancelled_on": DATE, "reason": TEXT}),
    "BulkOperation": {"type": "object", "required": ["op", "contract_no"], "properties": {
        "op": {"type": "string", "enum": ["originate", "repayment", "default", "claim", "recovery", "return_recovery",
                                          "write_off", "close", "cancel", "reversal"]},
        "contract_no": ID, "recovery_no": dict(INT, minimum=1)},
        "description": "op and contract_no, plus the fields of the matching single-operation request"},
    "BulkReport": obj({"operations": {"type": "array", "items": ref("BulkOperation"), "minItems": 1, "maxItems": 20000}}),
    "BulkItem": obj({"index": INT, "op": {"type": "string"}, "contract_no": {"type": "string"},
                     "status": {"type": "string", "enum": ["accepted", "rejected"]}},
                    {"line": INT, "events": INT, "error": {"type": "object"}}),
    "BulkResult": obj({"atomic": {"type": "boolean"}, "accepted": INT, "rejected": INT, "events": INT,
                       "position": nullable(INT), "items": {"type": "array", "items": ref("BulkItem")}}),
    "Fund": {"type": "object", "required": ["fund_id", "name", "balance_fen", "version"], "properties": {
        "fund_id": {"type": "string"}, "name": {"type": "string"}, "region": nullable({"type": "string"}),
        "established_on": nullable({"type": "string"}), "policy": nullable(ref("FundPolicy")), "suspended": {"type": "boolean"},
        "banks": {"type": "array"}, "contributed_fen": INT, "paid_out_fen": INT, "recoveries_returned_fen": INT,
        "balance_fen": INT, "contributions": {"type": "array"}, "version": INT}},
    "FundSummary": {"type": "object", "required": ["fund_id", "name", "balance_fen"], "properties": {
        "fund_id": {"type": "string"}, "name": {"type": "string"}, "contributed_fen": INT, "paid_out_fen": INT,
        "recoveries_returned_fen": INT, "balance_fen": INT, "suspended": {"type": "boolean"}}},
    "Bank": {"type": "object", "required": ["bank_id", "name", "licence"], "properties": {
        "bank_id": nullable({"type": "string"}), "name": {"type": "string"}, "licence": {"type": "string"}, "version": INT}},
    "Borrower": {"type": "object", "required": ["uscc", "name", "industry", "region", "tech_sme", "version"], "properties": {
        "uscc": {"type": "string"}, "name": {"type": "string"}, "industry": {"type": "string"}, "region": {"type": "string"},
        "tech_sme": {"type": "boolean"}, "version": INT}},
    "Asset": {"type": "object", "required": ["asset_id", "kind", "valuations", "pledge", "version"], "properties": {
        "asset_id": {"type": "string"}, "kind": {"type": "string"}, "registry_no": {"type": "string"}, "title": {"type": "string"},
        "owner": {"type": "string"}, "valuations": {"type": "array"}, "pledge": nullable({"type": "object"}), "version": INT}},
    "Loan": {"type": "object", "required": ["bank_id", "contract_no", "status", "principal_fen", "outstanding_fen", "version"], "properties": {
        "bank_id": {"type": "string"}, "contract_no": {"type": "string"}, "borrower": {"type": "string"}, "fund_id": nullable({"type": "string"}),
        "principal_fen": INT, "rate_bp": INT, "originated_on": {"type": "string"}, "matures_on": {"type": "string"},
        "pledge_rate_bp": INT, "collateral": {"type": "array"},
        "status": {"type": "string", "enum": ["active", "defaulted", "written_off", "closed", "cancelled"]},
        "outstanding_fen": INT, "repaid_principal_fen": INT, "repaid_interest_fen": INT, "repayments": {"type": "array"},
        "default": nullable({"type": "object"}), "claims": {"type": "array"}, "recoveries": {"type": "array"},
        "compensation_paid_fen": INT, "recovered_fen": INT, "returned_to_fund_fen": INT, "written_off_fen": INT, "version": INT}},
    "LoanSnapshot": {"type": "object", "required": ["bank_id", "contract_no", "status", "principal_fen", "outstanding_fen"], "properties": {
        "bank_id": {"type": "string"}, "contract_no": {"type": "string"}, "status": {"type": "string"},
        "principal_fen": INT, "outstanding_fen": INT}},
    "ExportLine": {"type": "object", "required": ["position", "stream", "version", "event_id", "type", "schema", "data", "meta",
                                                   "recorded_at", "prev_hash", "hash"],
                   "description": "a canonical envelope with its chain links (docs/ledger-format.md)"},
    "Head": obj({"position": INT, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "recorded_at": nullable({"type": "string"})}),
    "GrowthReport": {"type": "object", "required": ["from_year", "to_year", "target_bp", "years", "cagr_bp", "slices", "monthly"], "properties": {
        "from_year": INT, "to_year": INT, "target_bp": INT, "years": {"type": "array"}, "cagr_bp": nullable(INT),
        "by": nullable({"type": "string"}), "slices": {"type": "array"}, "monthly": {"type": "array"}}},
    "ExposureReport": {"type": "object", "required": ["fund_id", "as_of", "balance_fen", "covered_outstanding_fen",
                                                      "contingent_liability_fen", "pending_claims_fen", "suspension_breached"], "properties": {
        "fund_id": {"type": "string"}, "as_of": {"type": "string"}, "balance_fen": INT, "covered_outstanding_fen": INT,
        "contingent_liability_fen": INT, "pending_claims_fen": INT, "leverage_bp": nullable(INT),
        "coverage_adequacy_bp": nullable(INT), "non_performing_ratio_bp": nullable(INT), "suspension_breached": {"type": "boolean"},
        "by_bank": {"type": "array"}, "top_borrowers": {"type": "array"}}},
}


def page(item):
    return {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": item}, "next_cursor": nullable({"type": "string"})}}


schemas["FundPage"] = page(ref("FundSummary"))
schemas["BankPage"] = page(ref("Bank"))
schemas["LoanPage"] = page(ref("LoanSnapshot"))
schemas["HistoryPage"] = page(ref("ExportLine"))

PROBLEM = {"application/problem+json": {"schema": ref("Problem")}}
ERRORS = {
    "400": "malformed request (not JSON, a float where an integer is expected, …)",
    "401": "no token, or an unknown or revoked one",
    "403": "the token's role may not do this",
    "404": "no such resource — or another bank's",
    "409": "already exists, or not possible in the current state, or a concurrent change",
    "412": "If-Match did not match the stream's version",
    "413": "body larger than 8 MiB",
    "415": "wrong Content-Type",
    "422": "a field is invalid, a limit or policy refuses it (including a total that would pass 2^53 − 1 fen), or an Idempotency-Key is reused for another request",
    "503": "try again after Retry-After seconds: the database is unavailable, restarting or busy past its lock timeout, a commit's outcome is unknown "
           "(retry with the same Idempotency-Key: it is answered from the ledger, never written twice), the server is shutting down, "
           "a report ran past its deadline, or the read models are behind min_position",
}


def errors(*codes):
    responses = {code: {"description": ERRORS[code], "content": PROBLEM} for code in codes}
    if "503" in responses:
        responses["503"]["headers"] = {"Retry-After": {"schema": {"type": "string"}, "description": "seconds to wait before retrying"}}
    return responses


def param(name, where, schema, description, required=False):
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema, "description": description}


# Examples name records of the demo district (`pledger demo`, seed 2023), so that
# schemathesis and readers can try the routes against real data.
P_FUND = dict(param("fund_id", "path", ID, "fund id"), example="LC-IPRC")
P_BANK = dict(param("bank_id", "path", ID, "bank id"), example="LCRCB")
P_CONTRACT = dict(param("contract_no", "path", ID, "the bank's contract number"), example="LCRCB-2025-00027")
P_ASSET = dict(param("asset_id", "path", ID, "asset id"), example="ZL202010000002")
P_USCC = dict(param("uscc", "path", {"type": "string"}, "borrower USCC"), example="912113032Q3UR42W53")
H_IDEM = param("Idempotency-Key", "header", {"type": "string", "minLength": 1, "maxLength": 200},
               "a key of your choice (a UUID) per logical write, scoped to your token's role. A retry with the same key, method, "
               "route and body gets the first answer byte for byte (status, body, ETag) with `Idempotent-Replayed: true`, however "
               "the first attempt ended; concurrent duplicates wait for the first. Another request with the key → 422. "
               "Retry 503s and lost connections with the same key; never with a new one")
H_IFMATCH = param("If-Match", "header", {"type": "string", "pattern": r'^"?\d{1,9}"?$'}, "the ETag (stream version) this write expects; 412 if stale")
Q_MIN = param("min_position", "query", dict(INT, minimum=0), "wait (≤ 2 s) until the read models include this position (read-your-writes)")
Q_CURSOR = param("cursor", "query", {"type": "string", "pattern": r"^[A-Za-z0-9_.-]{0,64}$"}, "next_cursor of the previous page")
Q_LIMIT = param("limit", "query", dict(INT, minimum=1, maximum=1000), "page size (default 100)")
Q_ASOF = param("as_of", "query", DATE, "business date the report is about (default: today)")
Q_KNOWN = param("known_at", "query", TIME, "only what the ledger knew at this time (bitemporal)")

paths = {}


def write(path, summary, body, params=(), created=False, roles="", tag="loans", extra_errors=()):
    codes = ["400", "401", "403", "404", "409", "412", "413", "415", "422", "503"]
    responses = {("201" if created else "200"): {
        "description": "written; `position` is the global position, the ETag the target stream's version",
        "headers": {"ETag": {"schema": {"type": "string"}}, "Pledger-Position": {"schema": {"type": "string"}},
                    "Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]}, "description": "present on a replayed answer"}},
        "content": {"application/json": {"schema": ref("WriteResult")}}}}
    responses.update(errors(*codes))
    paths.setdefault(path, {})["post"] = {
        "tags": [tag], "summary": summary, "description": f"Roles: {roles}.",
        "operationId": summary.lower().replace(" ", "_").replace("'", "").replace(",", ""),
        "parameters": list(params) + [H_IDEM, H_IFMATCH],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref(body)}}},
        "responses": responses}


def read(path, summary, schema, params=(), roles="all roles", tag="loans", content=None, codes=("400", "401", "403", "404", "422", "503")):
    responses = {"200": {"description": "OK", "content": content or {"application/json": {"schema": ref(schema)}}}}
    responses.update(errors(*codes))
    paths.setdefault(path, {})["get"] = {
        "tags": [tag], "summary": summary, "description": f"Roles: {roles}.",
        "operationId": summary.lower().replace(" ", "_").replace("'", "").replace(",", ""),
        "parameters": list(params), "responses": responses}


FA = "fund_admin, admin"
BANK = "bank:{bank_id} (its own bank only), admin"
write("/v1/funds", "Establish a fund", "EstablishFund", created=True, roles=FA, tag="funds")
read("/v1/funds", "List funds", "FundPage", [Q_CURSOR, Q_LIMIT, Q_MIN], tag="funds")
read("/v1/funds/{fund_id}", "Get a fund", "Fund", [P_FUND], tag="funds")
write("/v1/funds/{fund_id}/policy-amendments", "Amend a fund's policy", "AmendPolicy", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/contributions", "Record a contribution", "Contribution", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/banks", "Admit a bank to a fund", "JoinBank", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/suspension", "Suspend new enrolments", "FundStatus", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/resumption", "Resume enrolments", "FundStatus", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/reversals", "Reverse a contribution", "Reversal", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/banks/{bank_id}/suspension", "Suspend a bank's new enrolments", "FundStatus", [P_FUND, P_BANK], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/banks/{bank_id}/resumption", "Resume a bank's enrolments", "FundStatus", [P_FUND, P_BANK], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/interest", "Record interest credited to the fund's account", "Interest", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/charges", "Record a bank charge on the fund's account", "BankCharge", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/contribution-returns", "Return money to a contributor", "ContributionReturn", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/transfers", "Transfer money to another fund", "Transfer", [P_FUND], roles=FA, tag="funds")
write("/v1/funds/{fund_id}/queue-payments", "Pay the queue of approved claims", "QueuePayment", [P_FUND], roles=FA, tag="funds")
write("/v1/reference-rates/lpr", "Record an LPR fixing", "Lpr", roles=FA, tag="funds")
write("/v1/banks", "Register a bank", "RegisterBank", created=True, roles="admin", tag="parties")
read("/v1/banks", "List banks", "BankPage", [param("cursor", "query", {"type": "string", "pattern": r"^\d{0,18}$"}, "next_cursor of the previous page"), Q_LIMIT], tag="parties")
read("/v1/banks/{bank_id}", "Get a bank", "Bank", [P_BANK], tag="parties")
write("/v1/borrowers", "Register a borrower", "RegisterBorrower", created=True, roles="bank, fund_admin, admin", tag="parties")
read("/v1/borrowers/{uscc}", "Get a borrower", "Borrower", [P_USCC], tag="parties")
write("/v1/borrowers/{uscc}/firm-size", "Record a borrower's firm size", "FirmSize", [P_USCC], roles="bank, fund_admin, admin", tag="parties")
write("/v1/assets", "Register an IP asset", "RegisterAsset", created=True, roles="bank, fund_admin, admin", tag="parties")
read("/v1/assets/{asset_id}", "Get an asset and its pledge status", "Asset", [P_ASSET], tag="parties")
write("/v1/assets/{asset_id}/valuations", "Record a valuation", "Valuation", [P_ASSET], roles="bank, fund_admin, admin", tag="parties")

L = "/v1/banks/{bank_id}/loans/{contract_no}"
LP = [P_BANK, P_CONTRACT]
write("/v1/banks/{bank_id}/loans", "Originate a loan", "Originate", [P_BANK], created=True, roles=BANK)
read("/v1/banks/{bank_id}/loans", "List a bank's loans", "LoanPage", [P_BANK, Q_CURSOR, Q_LIMIT, Q_MIN,
     param("status", "query", {"type": "string", "enum": ["active", "defaulted", "written_off", "closed", "cancelled"]}, "filter by status")],
     roles="bank (own), fund_admin, auditor, admin")
read(L, "Get a loan", "Loan", LP, roles="bank (own), fund_admin, auditor, admin")
read(L + "/history", "Get a loan's events", "HistoryPage", LP + [
    param("after_version", "query", dict(INT, minimum=0, maximum=2147483647), "page after this stream version"),
    param("limit", "query", dict(INT, minimum=1, maximum=5000), "page size (default 500)")], roles="bank (own), fund_admin, auditor, admin")
write(L + "/repayments", "Record a repayment", "Repayment", LP, roles=BANK)
write(L + "/default", "Record a default", "Default", LP, roles=BANK)
write(L + "/claims", "File a compensation claim", "Claim", LP, roles=BANK)
write(L + "/claims/decision", "Decide a claim", "ClaimDecision", LP, roles=FA)
write(L + "/claims/payment", "Pay an approved claim", "ClaimPayment", LP, roles=FA)
write(L + "/claims/withdrawal", "Withdraw a claim", "ClaimWithdrawal", LP, roles="bank (its own loans), fund_admin, admin")
write(L + "/recoveries", "Record a recovery", "Recovery", LP, roles=BANK)
write(L + "/recoveries/{recovery_no}/return", "Return the fund's share of a recovery", "RecoveryReturn",
      LP + [param("recovery_no", "path", dict(INT, minimum=1), "recovery number")], roles=BANK)
write(L + "/write-off", "Write a loan off", "WriteOff", LP, roles=BANK)
write(L + "/close", "Close a loan", "Close", LP, roles=BANK)
write(L + "/cancel", "Cancel a loan entered in error", "Cancel", LP, roles=BANK)
write(L + "/reversals", "Reverse a repayment or recovery", "Reversal", LP, roles=BANK)

bulk_responses = {"200": {"description": "written (atomic=false: the valid items); per-item results",
                          "headers": {"Pledger-Position": {"schema": {"type": "string"}}},
                          "content": {"application/json": {"schema": ref("BulkResult")}}}}
bulk_responses.update(errors("400", "401", "403", "404", "409", "413", "415", "422", "503"))
paths["/v1/banks/{bank_id}/reports"] = {"post": {
    "tags": ["loans"], "summary": "Report a month of operations at once", "operationId": "bulk_report",
    "description": "JSON {\"operations\": [...]} or CSV (header: op,contract_no and any request field; collateral as asset_id, "
                   "valuation_id, registration_no lists separated by ';'). Every item is validated first, in order; the accepted ones "
                   "are written in large atomic appends. atomic=true (default): one refusal and nothing is written (422, with items). "
                   f"Roles: {BANK}.",
    "parameters": [P_BANK, param("atomic", "query", {"type": "string", "enum": ["true", "false"]}, "all or nothing (default true)"), H_IDEM],
    "requestBody": {"required": True, "content": {"application/json": {"schema": ref("BulkReport")},
                                                  "text/csv": {"schema": {"type": "string"}}}},
    "responses": bulk_responses}}

csv_or_json = lambda name: {"application/json": {"schema": ref(name)}, "text/csv": {"schema": {"type": "string"}}}
read("/v1/reports/financing-growth", "Annual financing growth", "GrowthReport", [
    param("from", "query", dict(INT, minimum=1900, maximum=2200), "first year (default: to − 3)"),
    param("to", "query", dict(INT, minimum=1900, maximum=2200), "last year (default: this year)"),
    param("window", "query", {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2]):\d{4}-(0[1-9]|1[0-2])$", "example": "2022-08:2025-08"},
          "a window of months in 12-month periods, instead of from/to"),
    param("by", "query", {"type": "string", "enum": ["bank", "kind", "industry", "region", "enrolled"]}, "slice"),
    param("rollup", "query", {"type": "string", "enum": ["district", "city", "province"]}, "group region slices at this level (implies by=region)"),
    param("target_bp", "query", dict(INT, minimum=-10000, maximum=100000), "growth target (default 1500 = 15%)"),
    Q_ASOF, Q_KNOWN, Q_MIN], roles="all (a bank sees its own loans only)", tag="reports", content=csv_or_json("GrowthReport"))
read("/v1/reports/fund-exposure", "Fund exposure", "ExposureReport", [
    param("fund_id", "query", ID, "fund id", required=True), param("top", "query", dict(INT, minimum=1, maximum=1000), "largest borrowers listed"),
    Q_ASOF, Q_KNOWN, Q_MIN], roles="all (a bank sees its own loans only)", tag="reports", content=csv_or_json("ExposureReport"))
read("/v1/ledger/head", "The ledger head", "Head", tag="ledger", codes=("401",))
read("/v1/events", "The event feed (NDJSON)", None, [
    param("after", "query", dict(INT, minimum=0), "position to start after (default 0)"),
    param("limit", "query", dict(INT, minimum=1, maximum=100000), "events (default 1000)")],
    roles="auditor, fund_admin, admin", tag="ledger", codes=("400", "401", "403", "422"),
    content={"application/x-ndjson": {"schema": {"type": "string", "description": "one export line (ExportLine) per line"}}})

paths["/healthz"] = {"get": {"tags": ["operations"], "summary": "Liveness", "operationId": "healthz", "security": [],
                             "responses": {"200": {"description": "the process is up", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
paths["/readyz"] = {"get": {"tags": ["operations"], "summary": "Readiness", "operationId": "readyz", "security": [],
                            "responses": {"200": {"description": "database reachable, migrations current, projector lag under the bound",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                                          **errors("503")}}}
paths["/metrics"] = {"get": {"tags": ["operations"], "summary": "Prometheus metrics", "operationId": "metrics",
                             "description": "Roles: auditor, fund_admin, admin.",
                             "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                                           **errors("401", "403")}}}
paths["/openapi.json"] = {"get": {"tags": ["operations"], "summary": "This document", "operationId": "openapi", "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}

document = {
    "openapi": "3.1.0",
    "info": {"title": "Pledger API", "version": "1.0.0",
             "description": "Event-sourced ledger for IP pledge financing (知识产权质押融资) and its risk-compensation funds. "
                            "Amounts are integer fen, ratios integer basis points, dates YYYY-MM-DD (China). Errors are RFC 9457 "
                            "problem+json with a stable `type`. Every write returns the global `position`; reads of the read models "
                            "accept `min_position`. Writes accept `Idempotency-Key` and `If-Match`."},
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "security": [{"bearer": []}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "description": "tokens from `pledger tokens create`; roles admin, fund_admin, auditor, bank:{bank_id}"}},
                   "schemas": schemas},
    "paths": paths,
}

with open("Sources/PledgerHTTP/openapi.json", "w", encoding="utf-8") as out:
    json.dump(document, out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")
print(f"wrote {len(paths)} paths")
