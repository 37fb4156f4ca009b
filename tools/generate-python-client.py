#!/usr/bin/env python3
"""Generates the Python client a bank would build from our OpenAPI document with
`openapi-python-client`, and fails on any warning except the two content types the generator
cannot model (a `text/csv` request body and the NDJSON event feed): an unusable schema or a
missing response model is a defect of the document.

    tools/generate-python-client.py --generator .venv/bin/openapi-python-client --out DIR

Prints the generator's warnings, one line each, and how many models and operations it made."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

DOCUMENT = "Sources/PledgerHTTP/openapi.json"
# What the generator cannot model and says so; each is served and documented all the same.
ALLOWED = [
    ("POST /v1/banks/{bank_id}/reports", "text/csv"),
    ("GET /v1/events", "application/x-ndjson"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", required=True, help="the openapi-python-client executable")
    parser.add_argument("--out", required=True, help="folder for the generated package (replaced)")
    parser.add_argument("--document", default=DOCUMENT)
    args = parser.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    run = subprocess.run([args.generator, "generate", "--path", args.document, "--meta", "none", "--output-path", args.out],
                         capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    if run.returncode != 0 or not os.path.isdir(args.out):
        print(output)
        print(f"python client: the generator failed (exit {run.returncode})")
        return 1
    # Each warning is a block: "WARNING parsing GET /path within tag." then its reason.
    blocks = re.split(r"\n(?=WARNING |Unable to )", output)
    warnings, allowed = [], []
    for block in blocks:
        head = block.strip().splitlines()[0] if block.strip() else ""
        if not head.startswith(("WARNING", "Unable to")):
            continue
        reason = next((line for line in block.splitlines()[1:] if line.strip() and not line.startswith((" ", "{", "}"))), "")
        summary = f"{head} {re.sub(r' at 0x[0-9a-f]+', '', reason)}".strip()
        if any(operation in head and media in block for operation, media in ALLOWED):
            allowed.append(summary)
        else:
            warnings.append(summary)
    models = len([f for f in os.listdir(os.path.join(args.out, "models")) if f.endswith(".py") and f != "__init__.py"])
    operations = sum(len([f for f in files if f.endswith(".py") and f != "__init__.py"])
                     for _, _, files in os.walk(os.path.join(args.out, "api")))
    print(f"python client: {operations} operations, {models} models; {len(warnings)} warnings, "
          f"{len(allowed)} for content types the generator does not support")
    for line in allowed:
        print(f"  allowed: {line}")
    for line in warnings:
        print(f"  WARNING: {line}")
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
