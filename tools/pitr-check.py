#!/usr/bin/env python3
"""Backup and point-in-time restore, proven on loopback. Run it through scripts/pitr-check,
which takes the binary, creates a throw-away cluster and calls this file. Standard library only.

The story (each step timed, each check a row of the final table):
  1. migrate, load the demo district (one transaction of ~880 events);
  2. deploy/backup configure (WAL archiving into work/archive), deploy/backup base --verify;
  3. writes after the backup: a contribution, an import of two loans (one transaction);
  4. the point P: head position and hash (`pledger verify --format json`), the growth and
     exposure reports as JSON with pinned dates, a signed checkpoint, the server's clock T;
  5. writes after P: a contribution, another import, interest; a checkpoint of that head;
     pg_switch_wal() and wait until the segment is archived;
  6. three restores into fresh data folders, each checked against P: --to-position P,
     --to-position inside P's transaction (the commit boundary brings it to P), --to T;
  7. retention: a second base backup, deploy/backup prune --keep 1, and a --to-end restore from
     what is left reaches the source's last head;
  8. deploy/restore refuses a missing target, an existing folder, a position inside the backup.
The full output of every command goes to out/pitr-check.log.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Optional

FUND = "LC-IPRC"
AS_OF = "2025-12-31"  # the demo district's last business day: no "today" in any report
GROWTH = ["report", "growth", "--from", "2022", "--to", "2025", "--as-of", AS_OF, "--format", "json"]
EXPOSURE = ["report", "exposure", "--fund", FUND, "--as-of", AS_OF, "--format", "json"]
PGBIN = "/usr/lib/postgresql/15/bin"
now = time.monotonic


@dataclass
class Check:
    step: str
    what: str
    expected: str
    got: str
    ok: bool
    seconds: float


class Failed(Exception):
    pass


class PitrCheck:
    def __init__(self, a: argparse.Namespace):
        self.bin = os.path.abspath(a.bin)
        self.port = a.port
        self.restore_port = a.restore_port
        self.work = a.work
        self.repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        try:
            os.makedirs(os.path.join(self.repo, "out"), exist_ok=True)
            self.log_path = os.path.join(self.repo, "out", "pitr-check.log")
            self.log = open(self.log_path, "w", encoding="utf-8")
        except OSError:  # a checkout we may not write to: the log lives (and dies) with the work folder
            self.log_path = os.path.join(self.work, "pitr-check.log")
            self.log = open(self.log_path, "w", encoding="utf-8")
        self.checks: list[Check] = []
        self.started = now()
        self.step_name = ""
        self.step_started = now()
        self.archive = os.path.join(self.work, "archive")
        self.backups = os.path.join(self.work, "backups")
        self.P: dict = {}
        self.final: dict = {}

    # ---- plumbing
    def url(self, port: int) -> str:
        return f"postgres://pledger@127.0.0.1:{port}/pledger"

    def run(self, cmd: list[str], port: Optional[int] = None, timeout: float = 180) -> subprocess.CompletedProcess:
        env = dict(os.environ, DATABASE_URL=self.url(port or self.port), PLEDGER_BIN=self.bin, PLEDGER_PGPORT=str(self.port))
        t0 = now()
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=env, cwd=self.repo)
        except subprocess.TimeoutExpired as e:
            p = subprocess.CompletedProcess(cmd, 124, str(e.stdout or ""), f"timed out after {timeout:.0f} s")
        self.log.write(f"\n$ {' '.join(cmd)}   [port {port or self.port}, exit {p.returncode}, {now() - t0:.2f} s]\n{p.stdout}{p.stderr}")
        self.log.flush()
        return p

    def pledger(self, *args: str, port: Optional[int] = None, timeout: float = 180) -> subprocess.CompletedProcess:
        return self.run([self.bin, *args], port=port, timeout=timeout)

    def must(self, what: str, p: subprocess.CompletedProcess, ok_codes=(0,)) -> subprocess.CompletedProcess:
        self.check(what, "exit " + "/".join(map(str, ok_codes)), f"exit {p.returncode}", p.returncode in ok_codes,
                   detail=(p.stderr or p.stdout).strip()[-400:])
        if p.returncode not in ok_codes:
            raise Failed(f"{what}: exit {p.returncode}")
        return p

    def psql(self, sql: str, port: Optional[int] = None) -> str:
        p = self.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port or self.port),
                      "-U", "pledger", "-d", "pledger", "-c", sql], port=port)
        if p.returncode != 0:
            raise Failed(f"psql {sql!r}: {p.stderr.strip()}")
        return p.stdout.strip()

    def step(self, name: str) -> None:
        self.step_name = name
        self.step_started = now()
        print(f"== {name}", flush=True)

    def check(self, what: str, expected: str, got: str, ok: bool, detail: str = "") -> bool:
        c = Check(self.step_name, what, expected, got, ok, now() - self.step_started)
        self.checks.append(c)
        self.step_started = now()
        print(f"   {'ok  ' if ok else 'FAIL'} {what}: {got}" + ("" if ok else f" (expected {expected})"), flush=True)
        if not ok and detail:
            print("        " + detail.replace("\n", "\n        "), flush=True)
        return ok

    # ---- what the ledger says
    def head(self, port: Optional[int] = None) -> dict:
        p = self.pledger("verify", "--format", "json", port=port)
        try:
            v = json.loads(p.stdout)
        except ValueError:
            v = {}
        return {"rc": p.returncode, "intact": v.get("intact"), "position": v.get("last_position"), "hash": v.get("last_hash"),
                "verified": v.get("verified"), "out": (p.stdout + p.stderr).strip()}

    def reports(self, port: Optional[int] = None) -> dict:
        g = self.pledger(*GROWTH, port=port)
        e = self.pledger(*EXPOSURE, port=port)  # exit 1 = NPL above the threshold, as in the demo
        out = {}
        for name, p, codes in (("growth", g, (0,)), ("exposure", e, (0, 1))):
            try:
                doc = json.loads(p.stdout) if p.returncode in codes else None
            except ValueError:
                doc = None
            out[name] = {"text": p.stdout if doc is not None else None, "doc": doc, "rc": p.returncode, "err": p.stderr.strip()[-300:]}
        return out

    @staticmethod
    def digest(r: dict) -> str:
        return f"sha256 {hashlib.sha256(r['text'].encode()).hexdigest()[:12]}…" if r["text"] is not None else "no JSON"

    @staticmethod
    def summary(name: str, r: dict) -> str:
        if r["text"] is None:
            return f"exit {r['rc']}, no JSON"
        digest = hashlib.sha256(r["text"].encode()).hexdigest()[:12]
        doc = r["doc"]
        if name == "exposure":
            return f"sha256 {digest}… balance {doc.get('balance_fen')} fen"
        years = {str(y.get("year")): y for y in doc.get("years", []) if isinstance(y, dict)}
        y = years.get("2025", {})
        return f"sha256 {digest}… 2025: {y.get('loans')} loans, {y.get('principal_fen')} fen"

    # ---- the story
    def setup(self) -> None:
        self.step("migrate, demo district")
        self.must("pledger db migrate", self.pledger("db", "migrate"))
        self.must("pledger demo", self.pledger("demo", timeout=300))
        h = self.head()
        self.check("demo head verified", "intact", f"position {h['position']}, intact {h['intact']}", h["rc"] == 0 and h["intact"] is True)

        self.step("deploy/backup configure")
        self.must("deploy/backup configure", self.run(["deploy/backup", "configure", "--archive", self.archive, "--port", str(self.port)]))
        self.check("archive_mode", "on", self.psql("SHOW archive_mode"), self.psql("SHOW archive_mode") == "on")

        self.step("deploy/backup base --verify")
        p = self.must("deploy/backup base", self.run(["deploy/backup", "base", "--dir", self.backups, "--archive", self.archive,
                                                      "--port", str(self.port), "--verify"]))
        for line in p.stdout.splitlines():
            if line.startswith(("base backup:", "  head at end", "  archive:")):
                print("   " + line.strip(), flush=True)
        infos = [os.path.join(self.backups, d, "pledger-backup.txt") for d in sorted(os.listdir(self.backups))]
        info = dict(line.split("=", 1) for line in open(infos[-1], encoding="utf-8").read().splitlines() if "=" in line and not line.startswith("#"))
        self.backup_head = int(info["head_after_position"])
        self.check("backup records the head", f"position {h['position']}", f"position {self.backup_head}", self.backup_head == h["position"])

    def writes_before_point(self) -> None:
        self.step("writes, then the point P")
        self.must("fund contribute (1 event)", self.pledger("fund", "contribute", "--fund", FUND, "--amount", "1,000.00", "--contributor",
                                                            "district", "--on", AS_OF, "--reference", "PITR-A1", "--yes"))
        self.must("import 2 loans (one transaction)", self.pledger("import", os.path.join(self.repo, "deploy", "samples", "loans.csv")))
        h = self.head()
        ok = h["rc"] == 0 and h["intact"] is True
        self.check("head at P verified", "intact", f"position {h['position']}, hash {str(h['hash'])[:16]}…", ok)
        if not ok:
            raise Failed("cannot note P")
        self.P = {"position": h["position"], "hash": h["hash"], "reports": self.reports()}
        for name in ("growth", "exposure"):
            r = self.P["reports"][name]
            if not self.check(f"{name} report at P", "JSON", self.summary(name, r), r["text"] is not None, r["err"]):
                raise Failed(f"no {name} report at P")
        self.key = os.path.join(self.work, "fund.key")
        self.must("checkpoint keygen", self.pledger("checkpoint", "keygen", "--key", self.key))
        self.checkpoint_p = os.path.join(self.work, "checkpoint-P.json")
        self.must("checkpoint sign at P", self.pledger("checkpoint", "sign", "--key", self.key, "--out", self.checkpoint_p))
        # The transaction that wrote P: its first position is inside it (the import's batch).
        self.P["txn_first"] = int(self.psql(f"SELECT min(position) FROM events WHERE position > {self.P['position']} - 1000 "
                                            f"AND xmin = (SELECT xmin FROM events WHERE position = {self.P['position']})"))
        self.P["time"] = self.psql("SELECT clock_timestamp()")  # after P's commit, before anything later
        print(f"   P = position {self.P['position']} (its transaction wrote {self.P['txn_first']}…{self.P['position']}), "
              f"server time {self.P['time']}", flush=True)
        time.sleep(0.05)

    def writes_after_point(self) -> None:
        self.step("writes after P, WAL switch")
        self.must("fund contribute", self.pledger("fund", "contribute", "--fund", FUND, "--amount", "2,000.00", "--contributor", "city",
                                                  "--on", AS_OF, "--reference", "PITR-B1", "--yes"))
        sample = open(os.path.join(self.repo, "deploy", "samples", "loans.csv"), encoding="utf-8").read()
        for old, new in (("LCRCB-2019-0090", "LCRCB-2019-0095"), ("ZL201910456789", "ZL201910456799"), ("TM2020088888", "TM2020088899"),
                         ("Y2025211303000901", "Y2025211303000951"), ("Y2025211303000902", "Y2025211303000952")):
            sample = sample.replace(old, new)
        more = os.path.join(self.work, "loans-after-P.csv")
        with open(more, "w", encoding="utf-8") as f:
            f.write(sample)
        self.must("import 2 more loans", self.pledger("import", more))
        self.must("fund interest", self.pledger("fund", "interest", "--fund", FUND, "--amount", "12.34", "--on", AS_OF,
                                                "--reference", "PITR-B2", "--yes"))
        h = self.head()
        self.final = {"position": h["position"], "hash": h["hash"], "reports": self.reports()}
        self.check("head after P", f"> {self.P['position']}", f"position {h['position']}", h["rc"] == 0 and (h["position"] or 0) > self.P["position"])
        for name in ("growth", "exposure"):
            a, b = self.P["reports"][name]["text"], self.final["reports"][name]["text"]
            self.check(f"{name} report changed after P", "≠ P's", self.summary(name, self.final["reports"][name]),
                       b is not None and a != b)
        self.checkpoint_final = os.path.join(self.work, "checkpoint-final.json")
        self.must("checkpoint sign after P", self.pledger("checkpoint", "sign", "--key", self.key, "--out", self.checkpoint_final))
        wal = self.psql("SELECT pg_walfile_name(pg_switch_wal())")
        deadline = now() + 30
        while now() < deadline and not os.path.exists(os.path.join(self.archive, wal)):
            time.sleep(0.1)
        self.check("pg_switch_wal(): segment archived", wal, wal if os.path.exists(os.path.join(self.archive, wal)) else "not archived",
                   os.path.exists(os.path.join(self.archive, wal)))

    def restore(self, name: str, target: list[str]) -> None:
        self.step(f"restore {name}: {' '.join(target)}")
        into = os.path.join(self.work, f"restore-{name}")
        p = self.run(["deploy/restore", "--backup", self.backups, "--archive", self.archive, "--into", into,
                      "--port", str(self.restore_port), *target], timeout=300)
        try:
            for line in p.stdout.splitlines():
                if "head:" in line or "commit boundary" in line:
                    print("   " + line.strip(), flush=True)
            if not self.check("deploy/restore", "exit 0", f"exit {p.returncode}", p.returncode == 0, (p.stderr + p.stdout).strip()[-800:]):
                return
            port = self.restore_port
            h = self.head(port)
            self.check("head position (pledger verify)", str(self.P["position"]), str(h["position"]), h["position"] == self.P["position"])
            self.check("head hash", str(self.P["hash"])[:16] + "…", str(h["hash"])[:16] + "…", h["hash"] == self.P["hash"])
            self.check("hash chain (pledger verify)", "intact, exit 0", f"{h['verified']} events, intact {h['intact']}, exit {h['rc']}",
                       h["rc"] == 0 and h["intact"] is True, h["out"][-300:])
            c = self.pledger("verify", "--checkpoint", self.checkpoint_p, port=port)
            self.check("verify --checkpoint (signed at P)", "exit 0", f"exit {c.returncode}", c.returncode == 0, (c.stdout + c.stderr).strip()[-300:])
            c = self.pledger("verify", "--checkpoint", self.checkpoint_final, port=port)
            self.check("verify --checkpoint (signed after P) refused", "exit 1", f"exit {c.returncode}", c.returncode == 1,
                       (c.stdout + c.stderr).strip()[-300:])
            r = self.reports(port)
            for rep in ("growth", "exposure"):
                same = r[rep]["text"] is not None and r[rep]["text"] == self.P["reports"][rep]["text"]
                self.check(f"report {rep} = P's", self.digest(self.P["reports"][rep]), self.summary(rep, r[rep]), same, r[rep]["err"])
        finally:
            self.drop(into)

    def drop(self, into: str) -> None:
        if os.path.exists(os.path.join(into, "postmaster.pid")):
            owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            self.run([*owner, f"{PGBIN}/pg_ctl", "-D", into, "-m", "fast", "-w", "stop"], timeout=60)
        subprocess.run(["rm", "-rf", into], check=False)

    def retention(self) -> None:
        self.step("retention: base backup, prune --keep 1, restore --to-end")
        time.sleep(1.1)  # backups are named by the second
        self.must("deploy/backup base (the second)", self.run(["deploy/backup", "base", "--dir", self.backups, "--port", str(self.port)]))
        before = sorted(f for f in os.listdir(self.archive) if not f.endswith(".part"))
        p = self.must("deploy/backup prune --keep 1", self.run(["deploy/backup", "prune", "--dir", self.backups, "--archive", self.archive,
                                                                "--keep", "1"]))
        after = sorted(os.listdir(self.archive))
        kept = sorted(os.listdir(self.backups))
        self.check("one base backup kept, older WAL deleted", "1 backup, fewer WAL files",
                   f"{len(kept)} backup, WAL files {len(before)} → {len(after)}", len(kept) == 1 and len(after) < len(before),
                   p.stdout.strip())
        into = os.path.join(self.work, "restore-end")
        try:
            r = self.run(["deploy/restore", "--backup", self.backups, "--archive", self.archive, "--into", into,
                          "--port", str(self.restore_port), "--to-end"], timeout=300)
            if self.check("deploy/restore --to-end", "exit 0", f"exit {r.returncode}", r.returncode == 0, (r.stderr + r.stdout).strip()[-800:]):
                h = self.head(self.restore_port)
                self.check("head = the source's last head", f"{self.final['position']} {str(self.final['hash'])[:12]}…",
                           f"{h['position']} {str(h['hash'])[:12]}…, intact {h['intact']}",
                           (h["position"], h["hash"], h["intact"]) == (self.final["position"], self.final["hash"], True))
        finally:
            self.drop(into)

    def refusals(self) -> None:
        self.step("deploy/restore refuses")
        base = ["deploy/restore", "--backup", self.backups, "--archive", self.archive, "--port", str(self.restore_port)]
        cases = [
            ("no target", [*base, "--into", os.path.join(self.work, "restore-x")], "exactly one target"),
            ("existing data folder", [*base, "--into", os.path.join(self.work, "pgdata"), "--to-end"], "already exists"),
            ("position inside the base backup", [*base, "--into", os.path.join(self.work, "restore-x"), "--to-position", "1"], "older base backup"),
        ]
        for what, cmd, needle in cases:
            p = self.run(cmd, timeout=60)
            msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
            self.check(f"{what}", "exit 1, says why", f"exit {p.returncode}: {msg.removeprefix('restore: error: ')}", p.returncode == 1 and needle in p.stderr)
        self.check("nothing created", "no restore-x", "none" if not os.path.exists(os.path.join(self.work, "restore-x")) else "created",
                   not os.path.exists(os.path.join(self.work, "restore-x")))

    def main(self) -> bool:
        error = ""
        try:
            self.setup()
            self.writes_before_point()
            self.writes_after_point()
            self.restore("position", ["--to-position", str(self.P["position"])])
            inside = self.P["txn_first"] if self.P["txn_first"] < self.P["position"] else self.P["position"]
            self.restore("in-batch", ["--to-position", str(inside)])
            self.restore("time", ["--to", self.P["time"]])
            self.retention()
            self.refusals()
        except Failed as e:
            error = str(e)
            print(f"pitr-check: stopped: {e}", flush=True)
        elapsed = now() - self.started
        print()
        print(self.table())
        passed = not error and all(c.ok for c in self.checks)
        print(f"\npitr-check: {'PASS' if passed else 'FAIL'} — {sum(c.ok for c in self.checks)}/{len(self.checks)} checks in "
              f"{elapsed:.1f} s; commands and their output in {os.path.relpath(self.log_path, self.repo) if self.log_path.startswith(self.repo) else self.log_path + ' (deleted with the work folder unless --keep)'}")
        return passed

    def table(self) -> str:
        head = ["step", "check", "expected", "got", "result", "time"]
        body = [[c.step, c.what, c.expected[:26], c.got[:52], "pass" if c.ok else "FAIL", f"{c.seconds:.2f} s"] for c in self.checks]
        widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
        fmt = lambda cells: " | ".join(c.rjust(w) if i == 5 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        lines = [fmt(head), "-+-".join("-" * w for w in widths)]
        previous = None
        for b in body:
            if b[0] == previous:
                b = [""] + b[1:]
            else:
                previous = b[0]
            lines.append(fmt(b))
        return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description="Backup and point-in-time restore check (run it through scripts/pitr-check).")
    p.add_argument("--bin", required=True)
    p.add_argument("--port", type=int, required=True, help="the check's own, running cluster")
    p.add_argument("--restore-port", type=int, required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    return 0 if PitrCheck(a).main() else 1


if __name__ == "__main__":
    sys.exit(main())
