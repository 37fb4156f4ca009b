#!/usr/bin/env python3
"""Writes deploy/samples/{fund-account,bank-statement,bordereau}.csv from a ledger loaded
with the demo district (`pledger demo`, seed 2023), as its bank, fund account and insurer
would send them on 2025-12-31 — so each reconciles clean against that ledger.

    tools/make-reconciliation-samples.py DATABASE_URL PLEDGER_BINARY
"""
import csv
import json
import subprocess
import sys

database, pledger = sys.argv[1], sys.argv[2]
AS_OF = "2025-12-31"


def query(sql):
    return subprocess.run(["psql", database, "-At", "-F", "\t", "-c", sql], capture_output=True, text=True, check=True).stdout.splitlines()


def yuan(fen, separators=True):
    text = f"{abs(fen) // 100:,}.{abs(fen) % 100:02d}" if separators else f"{abs(fen) // 100}.{abs(fen) % 100:02d}"
    return ("-" if fen < 0 else "") + text


def fund_account(out):
    """The district fund's bank account: every movement with its counterparty and running balance."""
    events = [line.split("\t", 2) for line in query("SELECT event_id, type, data FROM events WHERE stream = 'fund-LC-IPRC' ORDER BY version")]
    events = [(event_id, kind, json.loads(data)) for event_id, kind, data in events]
    reversed_ids = {data["reversed_event_id"] for _, kind, data in events if kind == "EntryReversed"}
    payers = {"辽财指": "辽宁省财政厅", "朝财指": "朝阳市财政局", "龙财指": "龙城区财政局", "财建": "财政部"}
    moves = []
    for index, (event_id, kind, d) in enumerate(events):
        if kind == "FundContributionReceived" and event_id not in reversed_ids:
            payer = next(name for prefix, name in payers.items() if d["reference"].startswith(prefix))
            moves.append((d["received_on"], index, d["amount_fen"], payer, d["reference"]))
        elif kind == "CompensationDisbursed":
            moves.append((d["paid_on"], index, -d["amount_fen"], d["bank_id"], d["payment_ref"]))
        elif kind in ("RecoveryShareReceived", "SchemeRecoveryShareReceived"):
            moves.append((d["returned_on"], index, d["amount_fen"], d["bank_id"], d["reference"]))
        elif kind == "SchemeShareDisbursed":
            moves.append((d["paid_on"], index, -d["amount_fen"], d["bank_id"], d["reference"]))
        elif kind == "PremiumSubsidyPaid":
            moves.append((d["paid_on"], index, -d["amount_fen"], d["insured"], d["reference"]))
        elif kind == "FundInterestCredited":
            moves.append((d["credited_on"], index, d["amount_fen"], "开户行（结息）", d["reference"]))
        elif kind in ("FundBankCharged", "FundContributionReturned", "FundTransferredOut", "FundTransferredIn"):
            sys.exit(f"make-reconciliation-samples: the demo fund now has {kind}; teach this script its counterparty")
    moves.sort(key=lambda move: (move[0], move[1]))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "amount_in", "amount_out", "counterparty", "reference", "balance"])
    balance = 0
    for date, _, amount, counterparty, reference in moves:
        balance += amount
        writer.writerow([date, yuan(amount) if amount > 0 else "", yuan(-amount) if amount < 0 else "", counterparty, reference, yuan(balance)])


def bank_statement(out):
    """LCRCB's month-end loan statement: its loans on the books, outstanding without separators."""
    out.write("contract_no,borrower_uscc,outstanding,status\n")
    rows = query("SELECT contract_no, borrower, outstanding_fen, status FROM rm_loans WHERE bank_id = 'LCRCB' AND status IN ('active', 'defaulted') ORDER BY contract_no")
    for contract, borrower, outstanding, status in (row.split("\t") for row in rows):
        out.write(f"{contract},{borrower},{yuan(int(outstanding), separators=False)},{status}\n")


def bordereau(out):
    """PICC-LC's bordereau: each policy, the claims it paid and where it stands."""
    listed = subprocess.run(
        [pledger, "insurance", "policies", "--insurer", "PICC-LC", "--as-of", AS_OF, "--format", "csv", "--database-url", database],
        capture_output=True, text=True, check=True).stdout
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["policy_no", "contract_no", "amount", "status"])
    for row in csv.DictReader(listed.splitlines()):
        writer.writerow([row["policy_no"], row["contract_no"], yuan(int(row["claims_paid_fen"])), row["status"]])


for name, write in [("fund-account", fund_account), ("bank-statement", bank_statement), ("bordereau", bordereau)]:
    with open(f"deploy/samples/{name}.csv", "w", encoding="utf-8") as out:
        write(out)
    print(f"wrote deploy/samples/{name}.csv")
