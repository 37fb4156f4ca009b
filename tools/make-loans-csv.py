#!/usr/bin/env python3
"""Writes a CSV of N generated loans in the format `pledger import` reads (the columns of
deploy/samples/loans.csv; one pledged asset per loan; no fund, since a fund caps what it
covers), for scripts/bench. Contract numbers are BENCH-<seed>-<n>, so a file imports once into
a ledger that has the demo district's banks (`pledger demo`). Standard-library Python.
    tools/make-loans-csv.py N [seed] > loans.csv"""
import csv, random, sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

def uscc(n):
    prefix = f"91211303MA{n:07d}"  # 17 characters: registration authority, region, serial
    total = sum(ALPHABET.index(c) * w for c, w in zip(prefix, WEIGHTS))
    return prefix + ALPHABET[(31 - total % 31) % 31]

count = int(sys.argv[1])
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(seed)
banks = ["LCRCB", "CCB-LC", "BOCY-LC", "BOC-LC", "ICBC-LC"]
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["bank_id", "contract_no", "borrower_uscc", "borrower_name", "industry", "region", "tech_sme", "asset_id",
              "asset_kind", "registry_no", "asset_title", "valuation_id", "appraiser", "valuation_method", "value",
              "valued_on", "report_ref", "registration_no", "principal", "rate_bp", "originated_on", "matures_on",
              "fund_id", "outstanding", "outstanding_on"])
for n in range(count):
    serial = seed * 1_000_000 + n
    month, day = rng.randint(1, 9), rng.randint(1, 28)
    principal = rng.randint(20, 500) * 10_000
    patent = rng.random() < 0.7
    repaid = rng.random() < 0.5
    out.writerow([
        banks[n % len(banks)], f"BENCH-{seed}-{n:07d}", uscc(serial), f"龙城基准科技{serial}有限公司",
        rng.choice(["C3849", "C3825", "C3841", "I6510", "M7320"]), "211303", "true" if rng.random() < 0.8 else "false",
        f"BENCH-A-{serial}", "patent" if patent else "trademark",
        f"ZL 2020 1 {serial % 10_000_000:07d}.1" if patent else f"第{serial % 100_000_000:08d}号",
        f"基准资产 {serial}", "V1", "辽宁中正资产评估有限公司", rng.choice(["income", "market", "cost"]),
        f"{principal * 2.5:.2f}", f"2025-{month:02d}-{day:02d}", f"BENCH-PG-{serial}", f"Y2025211303{serial:09d}",
        f"{principal:.2f}", rng.randint(300, 450), f"2025-{month:02d}-{day + 1:02d}" if day < 28 else f"2025-{month + 1:02d}-01",
        f"2026-{month:02d}-{day:02d}", "",
        f"{principal * 0.8:.2f}" if repaid else "", "2025-10-15" if repaid else "",
    ])
