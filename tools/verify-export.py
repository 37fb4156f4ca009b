#!/usr/bin/env python3
"""Verify a `pledger export` file (docs/ledger-format.md) with nothing but Python's standard library.

    python3 tools/verify-export.py ledger.jsonl      (or - for standard input)

Each line must be canonical JSON; re-hashing it without "prev_hash" and "hash" must give
"hash"; each "prev_hash" must be the previous line's "hash" (32 zero bytes for position 1).
Exit 0 and the head on success; exit 1 naming the first bad line otherwise."""
import hashlib, json, sys

def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

def main(path):
    source = sys.stdin.buffer if path == "-" else open(path, "rb")
    prev, position, count = None, None, 0
    for number, raw in enumerate(source, 1):
        line = raw.rstrip(b"\n")
        try:
            event = json.loads(line)
            claimed, claimed_prev = bytes.fromhex(event.pop("hash")), bytes.fromhex(event.pop("prev_hash"))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return fail(number, f"not an export line ({error})")
        if canonical(dict(event, hash=claimed.hex(), prev_hash=claimed_prev.hex())) != line:
            return fail(number, "line is not in canonical form")
        if prev is None:
            prev = bytes(32) if event["position"] == 1 else claimed_prev  # a partial export trusts its first link
        elif event["position"] != position + 1:
            return fail(number, f"position {event['position']} follows {position}")
        if claimed_prev != prev:
            return fail(number, f"prev_hash does not match the previous hash (position {event['position']})")
        if hashlib.sha256(prev + canonical(event)).digest() != claimed:
            return fail(number, f"hash does not match the content (position {event['position']})")
        prev, position, count = claimed, event["position"], count + 1
    print(f"ok: {count} events, head position {position} hash {prev.hex() if prev else '-'}")
    return 0

def fail(number, reason):
    print(f"FAILED at line {number}: {reason}", file=sys.stderr)
    return 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "-"))
