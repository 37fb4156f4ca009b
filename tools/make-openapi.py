#!/usr/bin/env python3
"""Writes Sources/PledgerHTTP/openapi.json — the OpenAPI 3.1 document `pledger serve` publishes
at /openapi.json. Edit this script, not the JSON; run from the repository root:

    python3 tools/make-openapi.py

The document is the contract for bank integrators: every route, body, status and error.
Schemathesis (scripts/schemathesis) checks the running server against it."""
import json

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "example": "2024-03-01"}
TIME = {"type": "string", "example": "2025-01-15T09:00:00+08:00"}
ID = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"}
# Examples are records of the demo district (`pledger demo`), so they can be tried as they are.
FUND_ID = dict(ID, example="LC-IPRC")
BANK_ID = dict(ID, example="LCRCB")
CONTRACT_NO = dict(ID, example="LCRCB-2025-00027")
ASSET_ID = dict(ID, example="ZL202220000020")
VALUATION_ID = dict(ID, example="V20250302")
USCC = {"type": "string", "pattern": r"^[0-9A-HJ-NP-RTUWXY]{18}$", "example": "912113037E8W4CT59W",
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
    if "enum" in result:
        result["enum"] = result["enum"] + [None]
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
# Leaves of the response schemas: what the server writes, as exactly as the request side.
STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE_OUT = {"type": "string", "format": "date", "example": "2024-03-01"}
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2024-03"}
REGION = {"type": "string", "pattern": r"^\d{6}$", "example": "211303"}
INDUSTRY = {"type": "string", "pattern": r"^[A-T](\d{2,4})?$", "example": "C3841"}
KIND = {"type": "string", "enum": KINDS}
METHOD = {"type": "string", "enum": ["income", "market", "cost"]}
CONTRIBUTOR = {"type": "string", "enum": ["province", "city", "district", "other"]}
LOAN_STATUS = {"type": "string", "enum": ["active", "defaulted", "written_off", "closed", "cancelled"]}
COUNT = dict(INT, minimum=0)
VERSION = dict(INT, minimum=1, description="the stream's version: pass it as If-Match to write against this state")
POSITION = dict(INT, minimum=0, description="global position in the ledger")
HASH = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
PERIOD_STATE = {"type": "string", "enum": ["complete", "ytd", "partial", "not_begun"],
                "description": "ytd: the current period, up to as_of; partial: the window cuts it; not_begun: it starts after as_of"}
VERDICTS = {
    "cagr_bp": nullable(dict(BP, description="compound annual growth over the complete periods; null with fewer than two")),
    "cagr_from": nullable(STR), "cagr_to": nullable(STR), "cagr_periods": COUNT,
    "target_met_on_average": nullable(BOOL), "target_met_every_period": nullable(BOOL), "periods_judged": COUNT, "periods_met": COUNT}

schemas = {
    "Problem": obj({
        "type": {"type": "string", "format": "uri", "description": "stable: https://pledger.dev/problems/{slug}"},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
    }, {
        "field": {"type": "string", "description": "the request field at fault"}, "instance": {"type": "string"},
        "items": {"type": "array", "items": ref("BulkItem")}, "checks": ref("ReadinessChecks"),
    }, additional=False, description="RFC 9457 problem details"),
    "WriteResult": obj({
        "position": dict(INT, description="global position of the last event written; pass as min_position to read your write"),
        "first_position": INT, "stream": {"type": "string"}, "version": dict(INT, description="the target stream's new version (its ETag)"),
        "recorded_at": {"type": "string"}, "event_ids": {"type": "array", "items": UUID},
        "streams": {"type": "object", "additionalProperties": {"type": "integer"}},
    }),
    "FundPolicy": policy,
    "EstablishFund": obj({"fund_id": FUND_ID, "name": TEXT, "region": {"type": "string", "pattern": r"^\d{6}$"}, "policy": ref("FundPolicy"), "established_on": DATE}),
    "AmendPolicy": obj({"policy": ref("FundPolicy"), "effective_on": DATE, "reason": TEXT},
                       {"applies_to": {"type": "string", "enum": ["new_enrolments", "all_loans"], "default": "new_enrolments",
                                       "description": "loans enrolled from effective_on (default; earlier loans keep their terms) or all loans"}}),
    "Interest": obj({"amount_fen": POS_FEN, "credited_on": DATE, "reference": TEXT}),
    "BankCharge": obj({"amount_fen": POS_FEN, "charged_on": DATE, "reference": TEXT, "description": TEXT}),
    "ContributionReturn": obj({"amount_fen": POS_FEN, "contributor": {"type": "string", "enum": ["province", "city", "district", "other"]},
                               "returned_on": DATE, "reference": TEXT, "reason": TEXT}),
    "Transfer": obj({"to_fund_id": FUND_ID, "amount_fen": POS_FEN, "transferred_on": DATE, "reference": TEXT}),
    "QueuePayment": obj({"paid_on": DATE, "reference": TEXT}, {"limit_fen": POS_FEN}),
    "Lpr": obj({"tenor": {"type": "string", "enum": ["1y", "5y"]}, "rate_bp": dict(BP, minimum=0, maximum=10000), "effective_on": DATE}),
    "FirmSize": obj({"firm_size": FIRM_SIZE, "recorded_on": DATE}),
    "ClaimWithdrawal": obj({"withdrawn_on": DATE, "reason": TEXT}),
    "Contribution": obj({"amount_fen": POS_FEN, "contributor": {"type": "string", "enum": ["province", "city", "district", "other"]},
                         "received_on": DATE, "reference": TEXT}),
    "JoinBank": obj({"bank_id": BANK_ID, "agreement": TEXT, "effective_on": DATE}),
    "FundStatus": obj({"effective_on": DATE, "reason": TEXT}),
    "Reversal": obj({"reversed_event_id": UUID, "reversed_on": DATE, "reason": TEXT}),
    "RegisterBank": obj({"bank_id": BANK_ID, "name": TEXT, "licence": dict(TEXT, maxLength=64)}),
    "RegisterBorrower": obj({"uscc": USCC, "name": TEXT, "industry": {"type": "string", "pattern": r"^[A-T](\d{2,4})?$", "example": "C3841"},
                             "region": {"type": "string", "pattern": r"^\d{6}$", "example": "211303"}, "tech_sme": {"type": "boolean"}},
                            {"firm_size": FIRM_SIZE}),
    "RegisterAsset": obj({"asset_id": ASSET_ID, "kind": {"type": "string", "enum": KINDS}, "registry_no": dict(TEXT, maxLength=64), "title": TEXT, "owner": USCC}),
    "Valuation": obj({"valuation_id": VALUATION_ID, "appraiser": TEXT, "method": {"type": "string", "enum": ["income", "market", "cost"]},
                      "value_fen": POS_FEN, "valued_on": DATE, "report_ref": TEXT}),
    "Pledge": obj({"asset_id": ASSET_ID, "registration_no": dict(TEXT, maxLength=64)}, {"valuation_id": VALUATION_ID}),
    "Originate": obj({"contract_no": CONTRACT_NO, "borrower": USCC, "principal_fen": POS_FEN, "rate_bp": dict(BP, minimum=0, maximum=10000),
                      "originated_on": DATE, "matures_on": DATE, "collateral": {"type": "array", "items": ref("Pledge"), "minItems": 1}},
                     {"fund_id": FUND_ID}),
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
        "contract_no": CONTRACT_NO, "recovery_no": dict(INT, minimum=1)},
        "description": "op and contract_no, plus the fields of the matching single-operation request"},
    "BulkReport": obj({"operations": {"type": "array", "items": ref("BulkOperation"), "minItems": 1, "maxItems": 10000}}),
    "BulkItem": obj({"index": INT, "op": {"type": "string"}, "contract_no": {"type": "string"},
                     "status": {"type": "string", "enum": ["accepted", "rejected"]}},
                    {"line": dict(INT, description="the CSV line (header = line 1)"), "events": COUNT,
                     "error": obj({"type": {"type": "string", "format": "uri"}, "detail": STR}, {"field": STR},
                                  description="why the item was refused (a problem's type, detail and field)")}),
    "BulkResult": obj({"atomic": {"type": "boolean"}, "accepted": INT, "rejected": INT, "events": INT,
                       "position": nullable(INT), "items": {"type": "array", "items": ref("BulkItem")}}),
    "Fund": obj({
        "fund_id": FUND_ID, "name": STR, "region": nullable(REGION), "established_on": nullable(DATE_OUT), "policy": nullable(ref("FundPolicy")),
        "suspended": dict(BOOL, description="new enrolments suspended fund-wide today"),
        "suspended_banks": {"type": "array", "items": BANK_ID, "description": "banks whose new enrolments are suspended"},
        "banks": {"type": "array", "items": obj({"bank_id": BANK_ID, "joined_on": nullable(DATE_OUT)})},
        "contributed_fen": FEN, "paid_out_fen": FEN, "recoveries_returned_fen": FEN, "balance_fen": FEN,
        "contributions": {"type": "array", "items": obj({"event_id": UUID, "amount_fen": FEN, "contributor": CONTRIBUTOR,
                                                          "received_on": DATE_OUT, "reference": STR, "reversed": BOOL})},
        "account": ref("FundAccount"),
        "covered_principal_fen": dict(FEN, description="principal at enrolment of the loans the fund covers today"),
        "non_performing_fen": dict(FEN, description="covered principal of defaulted loans"),
        "npl_ratio_bp": nullable(dict(BP, description="non_performing_fen ÷ covered_principal_fen; null with no cover")),
        "queue": {"type": "array", "description": "approved claims not yet paid in full, in approval order",
                  "items": obj({"bank_id": BANK_ID, "contract_no": CONTRACT_NO, "claim_no": COUNT, "approved_fen": FEN, "approved_on": nullable(DATE_OUT),
                                "paid_fen": FEN, "remaining_fen": FEN})},
        "version": VERSION}, description="a fund's current state: policy, member banks, account and cover"),
    "FundAccount": obj({k: FEN for k in ["contributed_fen", "contributions_returned_fen", "paid_out_fen", "recoveries_returned_fen",
                                          "interest_fen", "bank_charges_fen", "transfers_in_fen", "transfers_out_fen", "balance_fen"]},
                       description="every kind of movement on the fund's account; balance_fen is what the fund holds"),
    "FundSummary": obj({"fund_id": FUND_ID, "name": STR, "contributed_fen": FEN, "paid_out_fen": FEN,
                        "recoveries_returned_fen": FEN, "balance_fen": FEN, "suspended": BOOL}),
    "Bank": obj({"bank_id": BANK_ID, "name": STR, "licence": STR, "version": VERSION}),
    "BankSummary": obj({"bank_id": BANK_ID, "name": STR, "licence": STR}),
    "Borrower": obj({"uscc": USCC, "name": STR, "industry": INDUSTRY, "region": REGION, "tech_sme": BOOL, "version": VERSION},
                    {"firm_size": FIRM_SIZE}),
    "Asset": obj({
        "asset_id": ASSET_ID, "kind": KIND, "registry_no": STR, "title": STR, "owner": USCC,
        "valuations": {"type": "array", "items": obj({"valuation_id": VALUATION_ID, "appraiser": STR, "method": METHOD, "value_fen": FEN,
                                                        "valued_on": DATE_OUT, "report_ref": STR})},
        "pledge": nullable(obj({"pledged": {"type": "boolean", "const": True}},
                               {"bank_id": BANK_ID, "contract_no": CONTRACT_NO, "registration_no": STR, "valuation_id": VALUATION_ID, "pledged_on": DATE_OUT},
                               description="null when not pledged; a bank sees only `pledged` for another bank's pledge")),
        "version": VERSION}),
    "Collateral": obj({"asset_id": ASSET_ID, "kind": KIND, "valuation_id": VALUATION_ID, "appraised_value_fen": FEN, "registration_no": STR}),
    "Loan": obj({
        "bank_id": BANK_ID, "contract_no": CONTRACT_NO, "borrower": USCC, "fund_id": nullable(ID),
        "principal_fen": FEN, "rate_bp": BP, "originated_on": DATE_OUT, "matures_on": DATE_OUT,
        "pledge_rate_bp": dict(BP, description="principal ÷ appraised value of the collateral"),
        "collateral": {"type": "array", "items": ref("Collateral")},
        "status": LOAN_STATUS, "outstanding_fen": FEN, "repaid_principal_fen": FEN, "repaid_interest_fen": FEN,
        "repayments": {"type": "array", "items": obj({"event_id": UUID, "principal_fen": FEN, "interest_fen": FEN, "paid_on": DATE_OUT, "reversed": BOOL})},
        "default": nullable(obj({"defaulted_on": DATE_OUT, "missed_due_on": DATE_OUT, "days_overdue": COUNT, "outstanding_fen": FEN,
                                 "classification": {"type": "string", "enum": ["substandard", "doubtful", "loss"]}})),
        "claims": {"type": "array", "items": obj({
            "claim_no": COUNT, "amount_fen": FEN, "claimed_on": DATE_OUT,
            "status": {"type": "string", "enum": ["filed", "approved", "rejected", "paid", "withdrawn"]},
            "approved_fen": FEN, "approved_on": nullable(DATE_OUT), "paid_fen": FEN, "paid_on": nullable(DATE_OUT), "unpaid_fen": FEN,
            "withdrawn_fen": FEN, "withdrawn_on": nullable(DATE_OUT)})},
        "recoveries": {"type": "array", "items": obj({"recovery_no": COUNT, "event_id": UUID, "amount_fen": FEN, "received_on": DATE_OUT,
                                                       "reversed": BOOL, "returned_to_fund_fen": nullable(FEN)})},
        "compensation_paid_fen": FEN, "recovered_fen": FEN, "returned_to_fund_fen": FEN,
        "owed_to_fund_fen": dict(FEN, description="the fund's share of recoveries not yet returned to it"), "written_off_fen": FEN,
        "version": VERSION}, description="a loan's current state, with every repayment, claim and recovery"),
    "LoanSnapshot": obj({
        "bank_id": BANK_ID, "contract_no": CONTRACT_NO, "borrower": USCC, "tech_sme": BOOL, "principal_fen": FEN, "originated_on": DATE_OUT,
        "matures_on": DATE_OUT, "status": LOAN_STATUS, "outstanding_fen": FEN,
        "principal_by_kind": {"type": "array", "items": obj({"kind": KIND, "principal_fen": FEN}),
                              "description": "principal split by asset kind, pro rata to the pledged valuations"},
        "pending_claim_fen": FEN, "pending_claim_approved": BOOL, "compensation_paid_fen": FEN, "recovered_fen": FEN,
        "returned_to_fund_fen": FEN, "written_off_fen": FEN, "owed_to_fund_fen": FEN},
        {"industry": INDUSTRY, "region": REGION, "fund_id": FUND_ID}, description="one row of a bank's loan list"),
    "ExportLine": obj({"position": POSITION, "stream": STR, "version": VERSION, "event_id": UUID, "type": STR, "schema": COUNT,
                       "data": {"type": "object", "description": "the event's payload; its fields per type are in docs/ledger-format.md"},
                       "meta": {"type": "object", "description": "who and what recorded the event (actor, request, …)"},
                       "recorded_at": STR, "prev_hash": HASH, "hash": HASH},
                      description="a canonical envelope with its chain links (docs/ledger-format.md)"),
    "Head": obj({"position": POSITION, "hash": HASH, "recorded_at": nullable(STR)}),
    "GrowthPeriod": obj({
        "year": dict(INT, description="the calendar year, or the year the 12-month period ends in"),
        "loans": COUNT, "principal_fen": FEN, "borrowers": COUNT,
        "principal_growth_bp": nullable(BP), "loan_growth_bp": nullable(BP), "target_met": nullable(BOOL),
        "period": dict(STR, example="2024"), "start": DATE_OUT, "end": DATE_OUT, "through": nullable(DATE_OUT),
        "state": PERIOD_STATE,
        "ytd": BOOL, "base_start": nullable(DATE_OUT), "base_end": nullable(DATE_OUT), "base_loans": nullable(COUNT),
        "base_principal_fen": nullable(FEN)}),
    "GrowthReport": obj({
        "from_year": INT, "to_year": INT, "target_bp": BP, "from_month": MONTH, "to_month": MONTH,
        "period_kind": {"type": "string", "enum": ["calendar_years", "12_months"]}, "as_of": nullable(DATE_OUT),
        "years": {"type": "array", "items": ref("GrowthPeriod")},
        **VERDICTS,
        "by": nullable({"type": "string", "enum": ["bank", "kind", "industry", "region", "enrolled"]}),
        "region_level": nullable({"type": "string", "enum": ["district", "city", "province"]}),
        "slices": {"type": "array", "items": obj({"value": STR, "years": {"type": "array", "items": ref("GrowthPeriod")}, **VERDICTS})},
        "monthly": {"type": "array", "items": obj({"month": MONTH, "loans": COUNT, "principal_fen": FEN})},
        "benchmark": nullable({"type": "array", "items": obj({
            "year": INT, "state": PERIOD_STATE, "published_fen": nullable(FEN),
            "source": nullable(STR), "ours_fen": FEN, "difference_fen": nullable(FEN), "difference_bp": nullable(BP)})}),
        "benchmark_years_outside": {"type": "array", "items": INT}},
        description="financing per period against the growth target, with its verdicts, slices and months"),
    "ExposureBreakdown": obj({"loans": COUNT, "covered_outstanding_fen": FEN, "contingent_liability_fen": FEN, "non_performing_fen": FEN,
                              "pending_claims_fen": FEN, "owed_to_fund_fen": FEN}, {"bank_id": BANK_ID, "borrower": USCC},
                             description="one bank's (bank_id) or one borrower's (borrower) share of the exposure"),
    "ExposureReport": obj({
        "fund_id": FUND_ID, "fund_name": STR, "as_of": DATE_OUT,
        "contributions_fen": obj({}, {c: FEN for c in ["province", "city", "district", "other"]}, description="contributed, by contributor"),
        **{k: FEN for k in ["contributed_fen", "paid_out_fen", "recoveries_returned_fen", "balance_fen", "interest_fen", "bank_charges_fen",
                            "contributions_returned_fen", "transfers_in_fen", "transfers_out_fen", "owed_to_fund_fen"]},
        "covered_loans": COUNT, "covered_outstanding_fen": FEN,
        "contingent_liability_fen": dict(FEN, description="what the fund would pay if every covered loan defaulted today"),
        "pending_claims_fen": FEN, "pending_claims_filed": COUNT, "pending_claims_approved": COUNT,
        "leverage_bp": nullable(BP), "max_leverage_bp": BP, "leverage_breached": BOOL, "coverage_adequacy_bp": nullable(BP),
        "non_performing_fen": FEN, "non_performing_ratio_bp": nullable(BP), "suspend_threshold_bp": BP, "suspension_breached": BOOL,
        "suspended": BOOL, "covered_principal_fen": FEN, "cover_non_performing_fen": FEN, "cover_npl_ratio_bp": nullable(BP),
        "enrolment_headroom_fen": FEN, "suspended_banks": {"type": "array", "items": BANK_ID},
        "by_bank": {"type": "array", "items": ref("ExposureBreakdown")}, "top_borrowers": {"type": "array", "items": ref("ExposureBreakdown")}},
        description="a fund's balance against what it may have to pay, as of a date"),
    "Health": obj({"status": {"type": "string", "enum": ["ok"]}}),
    "Readiness": obj({"status": {"type": "string", "enum": ["ready"]}, "checks": ref("ReadinessChecks")}),
    "ReadinessChecks": obj({"database": {"type": "string", "enum": ["ok", "unreachable"]}, "writer": dict(STR, description="ok, or why writes are stuck")},
                           {"projector_lag": dict(INT, description="events appended but not yet in the read models"),
                            "migrations_pending": {"type": "array", "items": STR}}),
}


def page(item):
    return obj({"items": {"type": "array", "items": item},
                "next_cursor": nullable(dict(STR, description="pass as cursor for the next page; null on the last"))})


schemas["FundPage"] = page(ref("FundSummary"))
schemas["BankPage"] = page(ref("BankSummary"))
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
P_ASSET = dict(param("asset_id", "path", ID, "asset id"), example="ZL202220000020")
P_USCC = dict(param("uscc", "path", {"type": "string"}, "borrower USCC"), example="912113037E8W4CT59W")
H_IDEM = param("Idempotency-Key", "header", {"type": "string", "minLength": 1, "maxLength": 200},
               "a key of your choice (a UUID) per logical write, scoped to your token's role. A retry with the same key, method, "
               "route and body gets the first answer byte for byte (status, body, ETag) with `Idempotent-Replayed: true`, however "
               "the first attempt ended; concurrent duplicates wait for the first. Another request with the key → 422. "
               "Retry 503s and lost connections with the same key; never with a new one")
H_IFMATCH = param("If-Match", "header", {"type": "string", "pattern": r'^"?\d{1,9}"?$'}, "the ETag (stream version) this write expects; 412 if stale")
Q_MIN = param("min_position", "query", dict(INT, minimum=0), "wait (≤ 2 s) until the read models include this position (read-your-writes)")
H_MIN = param("Pledger-Min-Position", "header", {"type": "string", "pattern": r"^\d{1,18}$"},
              "the same as the min_position query parameter, for clients that prefer a header")
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
        "parameters": list(params) + ([H_MIN] if Q_MIN in params else []), "responses": responses}


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
                             "responses": {"200": {"description": "the process is up", "content": {"application/json": {"schema": ref("Health")}}}}}}
paths["/readyz"] = {"get": {"tags": ["operations"], "summary": "Readiness", "operationId": "readyz", "security": [],
                            "responses": {"200": {"description": "database reachable, migrations current, projector lag under the bound",
                                                  "content": {"application/json": {"schema": ref("Readiness")}}},
                                          **errors("503")}}}
paths["/metrics"] = {"get": {"tags": ["operations"], "summary": "Prometheus metrics", "operationId": "metrics",
                             "description": "Roles: auditor, fund_admin, admin.",
                             "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                                           **errors("401", "403")}}}
paths["/openapi.json"] = {"get": {"tags": ["operations"], "summary": "This document", "operationId": "openapi", "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {
                                      "type": "object", "required": ["openapi", "info", "paths"], "description": "an OpenAPI 3.1 document"}}}}}}}

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
