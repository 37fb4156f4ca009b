#!/usr/bin/env python3
"""Writes Tests/PledgerDomainTests/Fixtures/canonical-vectors.jsonl: golden vectors for
canonical JSON (docs/ledger-format.md). Each line is {"input": <JSON text>, "canonical": <bytes Python
prints with sort_keys=True, separators=(",", ":"), ensure_ascii=False>}.

The inputs are deliberately not canonical (indented, keys shuffled, \\u escapes,
surrogate pairs, escaped slashes) so the Swift parser and serializer are both exercised.
Run from the repository root: python3 tools/make-canonical-vectors.py"""
import json, random

cases = [
    {},
    [],
    {"b": 1, "a": 2, "c": {"z": [3, 2, 1], "y": None, "x": True, "w": False}},
    {"nested": {"deeper": {"deepest": [{"k": "v"}, [], {}]}}},
    {"cjk": "龙城区知识产权质押融资风险补偿资金", "emoji": "😀👍🏽🇨🇳", "mixed": "朝财〔2023〕1号"},
    {"control": "".join(chr(c) for c in range(0, 32)) + "\x7f", "quote": "\"", "backslash": "\\", "slash": "/a/b/"},
    {"escapes": "line\nnext\ttab\rcr\bback\fform", "unicode_separators": "\u2028\u2029", "nbsp": "\u00a0"},
    {"big": 9007199254740991, "neg_big": -9007199254740991, "zero": 0, "neg": -42, "small": 7},
    {"é": 1, "e\u0301": 2, "z": 3, "Z": 4, "_": 5, "a b": 6, "": 7},
    {"\U0001F600": "non-BMP key", "\uffff": "last BMP", "\u00e9": "latin"},
    {"amount_fen": 500000000, "coverage_bp": 4000, "originated_on": "2024-03-15", "uscc": "91512081MA62K0260E"},
    ["a", 1, None, True, {"k": ["deep", {"x": -1}]}],
    "just a string with \"quotes\" and \\ and /",
    123456789,
]

rng = random.Random(20231103)

def shuffled(value):
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v) for v in value]
    return value

with open("Tests/PledgerDomainTests/Fixtures/canonical-vectors.jsonl", "w", encoding="utf-8") as out:
    for i, case in enumerate(cases):
        noisy = json.dumps(shuffled(case), indent=1 + i % 3, ensure_ascii=(i % 2 == 0)).replace("/", "\\/")
        canonical = json.dumps(case, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        out.write(json.dumps({"input": noisy, "canonical": canonical}, ensure_ascii=True) + "\n")
print(f"wrote {len(cases)} vectors")
