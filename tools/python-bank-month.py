#!/usr/bin/env python3
"""A bank's month through the Python client generated from our OpenAPI document — what a
bank's integrator would write: register a borrower and a patent, value it, originate a loan
enrolled in the fund, post repayments, a default and a compensation claim (the fund
administrator approves and pays it), then read the loan, the asset, the fund and both
reports back as the generated models, checking the figures.

    tools/python-bank-month.py --client-dir DIR --url URL --bank LCRCB --bank-token T --fund-admin-token T

DIR holds the generated package `pledger_client` (tools/generate-python-client.py)."""
from __future__ import annotations

import argparse
import datetime
import random
import sys
import uuid

from faults import uscc_check  # one implementation of the GB 32100 check character


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client-dir", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--bank", required=True)
    parser.add_argument("--bank-token", required=True)
    parser.add_argument("--fund-admin-token", required=True)
    parser.add_argument("--fund", default="LC-IPRC")
    args = parser.parse_args()
    sys.path.insert(0, args.client_dir)

    from pledger_client import AuthenticatedClient
    from pledger_client.api.funds import get_a_fund, resume_a_banks_enrolments, resume_enrolments
    from pledger_client.api.loans import (decide_a_claim, file_a_compensation_claim, get_a_loan, originate_a_loan,
                                          pay_an_approved_claim, record_a_default, record_a_repayment)
    from pledger_client.api.parties import get_an_asset_and_its_pledge_status, record_a_valuation, register_a_borrower, register_an_ip_asset
    from pledger_client.api.reports import annual_financing_growth, fund_exposure
    from pledger_client import models as m

    bank = AuthenticatedClient(base_url=args.url, token=args.bank_token, raise_on_unexpected_status=True)
    admin = AuthenticatedClient(base_url=args.url, token=args.fund_admin_token, raise_on_unexpected_status=True)
    run = random.Random().randrange(10**6)
    date = datetime.date

    def write(operation, *path, client=bank, **kwargs):
        """Every write with its own Idempotency-Key; a refusal stops the month with its problem."""
        response = operation.sync_detailed(*path, client=client, idempotency_key=str(uuid.uuid4()), **kwargs)
        if response.status_code >= 300:
            raise SystemExit(f"{operation.__name__.split('.')[-1]}: {response.status_code} {response.content.decode()[:400]}")
        assert isinstance(response.parsed, m.WriteResult), response.parsed
        return response.parsed

    # A default suspends the fund's new enrolments while its NPL ratio is high (the demo's is):
    # the administrator reopens before the bank's month, as the district does.
    fund = get_a_fund.sync(args.fund, client=admin)
    assert isinstance(fund, m.Fund), fund
    reopen = m.FundStatus(effective_on=datetime.date.today(), reason="reopened for the bank's month")
    if fund.suspended:
        write(resume_enrolments, args.fund, client=admin, body=reopen)
    if args.bank in fund.suspended_banks:
        write(resume_a_banks_enrolments, args.fund, args.bank, client=admin, body=reopen)

    prefix = f"91211303{run:06d}PY1"[:17]
    uscc = prefix + uscc_check(prefix)
    write(register_a_borrower, body=m.RegisterBorrower(uscc=uscc, name=f"凌河科技 {run}", industry="C3841", region="211303",
                                                        tech_sme=True, firm_size=m.RegisterBorrowerFirmSize.SMALL))
    asset_id, valuation_id, contract_no = f"ZLPY{run:06d}", f"VPY{run:06d}", f"{args.bank}-PY-{run:06d}"
    write(register_an_ip_asset, body=m.RegisterAsset(asset_id=asset_id, kind=m.RegisterAssetKind.PATENT, registry_no=f"ZL2026{run:06d}",
                                                      title="一种锂电池隔膜的制备方法", owner=uscc))
    write(record_a_valuation, asset_id, body=m.Valuation(valuation_id=valuation_id, appraiser="辽宁中正资产评估有限公司",
                                                          method=m.ValuationMethod.INCOME, value_fen=300_000_000,
                                                          valued_on=date(2026, 1, 5), report_ref=f"PG-2026-{run:06d}"))
    principal = 100_000_000
    write(originate_a_loan, args.bank, body=m.Originate(
        contract_no=contract_no, borrower=uscc, principal_fen=principal, rate_bp=450, originated_on=date(2026, 1, 10),
        matures_on=date(2027, 1, 10), fund_id=args.fund,
        collateral=[m.Pledge(asset_id=asset_id, registration_no=f"Y2026{run:06d}", valuation_id=valuation_id)]))
    write(record_a_repayment, args.bank, contract_no, body=m.Repayment(principal_fen=0, interest_fen=375_000, paid_on=date(2026, 2, 10)))
    write(record_a_repayment, args.bank, contract_no, body=m.Repayment(principal_fen=10_000_000, interest_fen=375_000, paid_on=date(2026, 3, 10)))
    outstanding = principal - 10_000_000
    write(record_a_default, args.bank, contract_no, body=m.Default(
        defaulted_on=date(2026, 7, 15), missed_due_on=date(2026, 4, 10), classification=m.DefaultClassification.SUBSTANDARD))
    fund = get_a_fund.sync(args.fund, client=admin)
    assert isinstance(fund, m.Fund), fund
    claim_fen = outstanding * fund.policy.coverage_bp // 10_000  # the fund's share of the loss, rounded down to the fen
    write(file_a_compensation_claim, args.bank, contract_no, body=m.Claim(amount_fen=claim_fen, claimed_on=date(2026, 7, 20)))
    write(decide_a_claim, args.bank, contract_no, client=admin, body=m.ClaimDecision(
        decision=m.ClaimDecisionDecision.APPROVE, decided_on=date(2026, 7, 30), amount_fen=claim_fen))
    paid = write(pay_an_approved_claim, args.bank, contract_no, client=admin,
                 body=m.ClaimPayment(paid_on=date(2026, 8, 5), payment_ref=f"RC-2026-{run:06d}"))

    # Read it all back as models, as of the last write (read-your-writes with min_position).
    loan = get_a_loan.sync(args.bank, contract_no, client=bank)
    assert isinstance(loan, m.Loan), loan
    checks = [
        ("loan status", loan.status.value, "defaulted"),
        ("outstanding = principal − repaid principal", loan.outstanding_fen, outstanding),
        ("repaid interest", loan.repaid_interest_fen, 750_000),
        ("repayments listed", len(loan.repayments), 2),
        ("default's missed due date", loan.default.missed_due_on, date(2026, 4, 10)),
        ("claim amount", [c.amount_fen for c in loan.claims], [claim_fen]),
        ("claim paid", [(c.status.value, c.paid_fen) for c in loan.claims], [("paid", claim_fen)]),
        ("compensation paid", loan.compensation_paid_fen, claim_fen),
    ]
    asset = get_an_asset_and_its_pledge_status.sync(asset_id, client=bank)
    assert isinstance(asset, m.Asset), asset
    checks += [("asset pledged to the loan", (asset.pledge.pledged, asset.pledge.contract_no), (True, contract_no)),
               ("asset valuation", [v.value_fen for v in asset.valuations], [300_000_000])]
    fund_after = get_a_fund.sync(args.fund, client=admin)
    checks += [("fund paid out the claim", fund_after.paid_out_fen - fund.paid_out_fen, claim_fen),
               ("fund balance fell by the claim", fund.balance_fen - fund_after.balance_fen, claim_fen)]
    growth = annual_financing_growth.sync(client=bank, from_=2025, to=2026, as_of=date(2026, 12, 31), min_position=paid.position)
    assert isinstance(growth, m.GrowthReport), growth
    year = next(y for y in growth.years if y.year == 2026)
    checks += [("2026 principal includes the loan", year.principal_fen >= principal, True)]
    exposure = fund_exposure.sync(client=bank, fund_id=args.fund, as_of=date(2026, 12, 31), min_position=paid.position)
    assert isinstance(exposure, m.ExposureReport), exposure
    mine = [row for row in exposure.by_bank if row.bank_id == args.bank]
    checks += [("a bank's exposure shows its own bank only", [row.bank_id for row in exposure.by_bank], [args.bank] if mine else []),
               ("exposure as of", exposure.as_of, date(2026, 12, 31))]

    failed = [(name, got, want) for name, got, want in checks if got != want]
    for name, got, want in checks:
        print(f"  {'ok ' if got == want else 'BAD'} {name}: {got}" + ("" if got == want else f" (expected {want})"))
    print(f"python bank month: {contract_no}, {len(checks) - len(failed)}/{len(checks)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
