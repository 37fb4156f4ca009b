#!/usr/bin/env python3
"""A read replica and a failover, proven on loopback. Run it through scripts/replica-check or
scripts/failover-check, which take the binary, pick the ports and a work folder and call this
file. Standard library only.

replica: a primary (deploy/local/pg) with the demo district and a streaming hot standby
(deploy/local/replica); `pledger serve` with --read-database-url on it, and a second server on
the primary alone for comparison. Checks: the standby streams; reads say which database
answered; writes followed by reads with min_position always see the write (on the standby or,
with its replay paused, on the primary after the wait); lists, history, the feed and reports
from the standby are byte for byte the primary's; `pledger verify` on the standby gives the
primary's head; the lag gauges; the standby stopped: /readyz says so, reads fall back, writes
go on; started again: it catches up and answers again.

failover: the same pair with synchronous replication (`deploy/local/replica sync on`), writers
registering assets under Idempotency-Keys through `pledger serve` while the primary is shut down
immediately; the standby is promoted, the server restarted on it (what a VIP, a DNS change or
systemd would do) and the writers retry with their keys. Checks: no 500, no hang; every
acknowledged append is on the new primary exactly once; `pledger verify` passes there. Then the
control: an asynchronous standby that falls behind, the same crash — the check counts the
acknowledged appends the new primary does not have, which is what it exists to catch.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from typing import Optional

FUND = "LC-IPRC"
now = time.monotonic


class Failed(Exception):
    pass


class Check:
    def __init__(self, tool: str, log_name: str, work: str):
        self.tool = tool
        self.results: list[tuple[str, bool]] = []
        self.repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        try:
            os.makedirs(os.path.join(self.repo, "out"), exist_ok=True)
            self.log_path = os.path.join(self.repo, "out", log_name)
            self.log = open(self.log_path, "w", encoding="utf-8")
        except OSError:
            self.log_path = os.path.join(work, log_name)
            self.log = open(self.log_path, "w", encoding="utf-8")
        self.started = now()

    def note(self, text: str) -> None:
        print(f"      {text}", flush=True)
        self.log.write(f"# {text}\n")

    def check(self, what: str, ok: bool, got: str) -> bool:
        self.results.append((what, ok))
        print(f"  {len(self.results):2d}. {'ok  ' if ok else 'FAIL'} {what}: {got}", flush=True)
        self.log.write(f"check {len(self.results)} {'ok' if ok else 'FAIL'}: {what}: {got}\n")
        self.log.flush()
        return ok

    def finish(self, error: str) -> bool:
        passed = sum(ok for _, ok in self.results)
        total = len(self.results)
        good = not error and passed == total
        if error:
            print(f"{self.tool}: stopped: {error}", flush=True)
        print(f"{self.tool}: {passed}/{total} passed in {now() - self.started:.0f} s"
              f"{'' if good else ' — FAILED'}; commands and output in {self.log_path}"
              + ("" if self.log_path.startswith(self.repo) else " (deleted with the work folder unless --keep)"), flush=True)
        return good


class Env:
    """The two clusters and the commands that act on them."""

    def __init__(self, a: argparse.Namespace, check: Check):
        self.bin = os.path.abspath(a.bin)
        self.work = a.work
        self.primary_port = a.primary_port
        self.standby_port = a.standby_port
        self.c = check
        self.repo = check.repo
        self.dirs = {a.primary_port: os.path.join(a.work, "node-a"), a.standby_port: os.path.join(a.work, "node-b")}

    def url(self, port: int, user: str = "pledger") -> str:
        return f"postgres://{user}@127.0.0.1:{port}/pledger"

    def run(self, cmd: list[str], env: Optional[dict] = None, timeout: float = 180) -> subprocess.CompletedProcess:
        t0 = now()
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                               env=dict(os.environ, **(env or {})), cwd=self.repo)
        except subprocess.TimeoutExpired as e:
            p = subprocess.CompletedProcess(cmd, 124, str(e.stdout or ""), f"timed out after {timeout:.0f} s")
        self.c.log.write(f"\n$ {' '.join(cmd)}   [exit {p.returncode}, {now() - t0:.2f} s]\n{p.stdout}{p.stderr}")
        self.c.log.flush()
        return p

    def must(self, what: str, p: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
        if p.returncode != 0:
            raise Failed(f"{what}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-600:]}")
        return p

    def pledger(self, *args: str, port: Optional[int] = None, timeout: float = 180) -> subprocess.CompletedProcess:
        return self.run([self.bin, *args], env={"DATABASE_URL": self.url(port or self.primary_port)}, timeout=timeout)

    def node_env(self, primary: int, standby: int) -> dict:
        """deploy/local/pg and deploy/local/replica for `primary` and its standby `standby`."""
        return {"PLEDGER_PGPORT": str(primary), "PLEDGER_PGDATA": self.dirs[primary],
                "PLEDGER_REPLICA_PORT": str(standby), "PLEDGER_REPLICA_PGDATA": self.dirs[standby]}

    def pg(self, primary: int, standby: int, *args: str) -> subprocess.CompletedProcess:
        return self.run(["deploy/local/pg", *args], env=self.node_env(primary, standby), timeout=120)

    def replica(self, primary: int, standby: int, *args: str) -> subprocess.CompletedProcess:
        return self.run(["deploy/local/replica", *args], env=self.node_env(primary, standby), timeout=120)

    def psql(self, port: int, sql: str, db: str = "pledger") -> str:
        p = self.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port), "-U", "pledger",
                      "-d", db, "-c", sql], timeout=30)
        if p.returncode != 0:
            raise Failed(f"psql on {port}: {sql!r}: {p.stderr.strip()}")
        return p.stdout.strip()

    def stop_node(self, port: int, mode: str = "fast") -> None:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.run([*owner, "/usr/lib/postgresql/15/bin/pg_ctl", "-D", self.dirs[port], "-m", mode, "-w", "stop"], timeout=60)

    def wait_caught_up(self, primary: int, standby: int, limit: float = 20) -> bool:
        """Until the standby's head and projector checkpoint are the primary's."""
        q = "SELECT (SELECT position FROM ledger_head) || '/' || COALESCE((SELECT position FROM projection_checkpoints), 0)"
        deadline = now() + limit
        while now() < deadline:
            try:
                if self.psql(primary, q) == self.psql(standby, q):
                    return True
            except Failed:
                pass
            time.sleep(0.1)
        return False

    def verify(self, port: int) -> dict:
        p = self.pledger("verify", "--format", "json", port=port)
        try:
            v = json.loads(p.stdout)
        except ValueError:
            v = {}
        return {"rc": p.returncode, "intact": v.get("intact"), "position": v.get("last_position"), "hash": v.get("last_hash"),
                "out": (p.stdout + p.stderr).strip()[-300:]}


class Server:
    def __init__(self, env: Env, port: int, name: str):
        self.env = env
        self.port = port
        self.name = name
        self.proc: Optional[subprocess.Popen] = None
        self.log = open(os.path.join(env.work, f"serve-{name}.log"), "ab")

    def start(self, database: str, read: Optional[str] = None, projector: bool = True) -> None:
        cmd = [self.env.bin, "serve", "--port", str(self.port), "--database-url", database, "--log-level", "warning"]
        if read:
            cmd += ["--read-database-url", read]
        if not projector:
            cmd.append("--no-projector")
        self.env.c.log.write(f"\n$ {' '.join(cmd)} &\n")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, cwd=self.env.repo)

    def wait_ready(self, limit: float = 30) -> bool:
        deadline = now() + limit
        while now() < deadline:
            if self.proc and self.proc.poll() is not None:
                return False
            try:
                if http_request(self.port, "GET", "/readyz", timeout=3)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_request(port: int, method: str, path: str, body: Optional[dict] = None, token: str = "", headers: Optional[dict] = None,
                 timeout: float = 15) -> tuple[int, dict, bytes]:
    """(status, headers in lower case, body); raises OSError when the connection fails."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=h)
        r = connection.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        connection.close()


def metric(text: str, name: str) -> Optional[float]:
    m = re.search(rf"^{name} ([-+0-9.eE]+)$", text, re.M)
    return float(m.group(1)) if m else None


def contribution(reference: str, amount: int) -> dict:
    return {"amount_fen": amount, "contributor": "district", "received_on": "2025-12-31", "reference": reference}


def setup_primary(env: Env, c: Check) -> str:
    """Primary with the demo district, its standby streaming; returns an admin token."""
    a, b = env.primary_port, env.standby_port
    env.must("deploy/local/pg start", env.pg(a, b, "start"))
    env.must("pledger db migrate", env.pledger("db", "migrate"))
    env.must("pledger demo", env.pledger("demo", timeout=300))
    env.must("deploy/local/replica start", env.replica(a, b, "start"))
    token = env.must("tokens create", env.pledger("tokens", "create", "--role", "admin", "--name", "replication-check")).stdout.strip()
    return token.splitlines()[-1]


# ---------------------------------------------------------------- replica

def replica_scenario(env: Env, c: Check, http_port: int, compare_port: int) -> None:
    a, b = env.primary_port, env.standby_port
    print("== primary with the demo district, a streaming standby, two servers", flush=True)
    token = setup_primary(env, c)
    row = env.psql(a, "SELECT application_name || ' ' || state FROM pg_stat_replication")
    c.check("the standby streams from the primary (pg_stat_replication), in recovery",
            row == "pledger_replica streaming" and env.psql(b, "SELECT pg_is_in_recovery()") == "t", row or "no standby")
    server = Server(env, http_port, "replica")
    plain = Server(env, compare_port, "primary-only")
    servers = [server, plain]
    try:
        # As the application role, on both: least privilege holds on the standby too.
        server.start(env.url(a, "pledger_app"), read=env.url(b, "pledger_app"))
        plain.start(env.url(a, "pledger_app"), projector=False)
        if not (server.wait_ready() and plain.wait_ready()):
            raise Failed("the servers did not become ready (see serve-*.log in the work folder)")
        s, _, body = http_request(http_port, "GET", "/readyz")
        checks = json.loads(body).get("checks", {})
        c.check("/readyz: ready, replica ok", s == 200 and checks.get("replica") == "ok", f"{s}, replica {checks.get('replica')}")

        def get(port: int, path: str, headers: Optional[dict] = None):
            return http_request(port, "GET", path, token=token, headers=headers)

        def contributed() -> int:
            s, _, body = get(compare_port, "/v1/funds")
            return next(f["contributed_fen"] for f in json.loads(body)["items"] if f["fund_id"] == FUND)

        # Read-your-writes: each write, then at once a read with its position.
        base = contributed()
        stale, sources, statuses = 0, {}, set()
        for i in range(20):
            s, h, body = http_request(http_port, "POST", f"/v1/funds/{FUND}/contributions", contribution(f"RC-{i}", 100 + i), token=token,
                                      headers={"Idempotency-Key": f"replica-check-{uuid.uuid4()}"})
            statuses.add(s)
            position = h.get("pledger-position")
            base += 100 + i
            s, h, body = get(http_port, f"/v1/funds?min_position={position}")
            statuses.add(s)
            sources[h.get("pledger-read-source")] = sources.get(h.get("pledger-read-source"), 0) + 1
            seen = next((f["contributed_fen"] for f in json.loads(body).get("items", []) if f["fund_id"] == FUND), None)
            stale += seen != base
        c.check("20 writes, each read back at once with min_position: every read shows its write",
                stale == 0 and statuses <= {200, 201}, f"{20 - stale}/20 fresh, answered by {sources}, statuses {sorted(statuses)}")

        # Replay paused: the standby cannot reach the position; the primary answers after the wait.
        env.psql(b, "SELECT pg_wal_replay_pause()")
        time.sleep(0.2)
        s, h, _ = http_request(http_port, "POST", f"/v1/funds/{FUND}/contributions", contribution("RC-paused", 7), token=token,
                               headers={"Idempotency-Key": f"replica-check-{uuid.uuid4()}"})
        position = h.get("pledger-position")
        base += 7
        t0 = now()
        s, h, body = get(http_port, "/v1/funds", headers={"Pledger-Min-Position": str(position)})
        waited = now() - t0
        seen = next((f["contributed_fen"] for f in json.loads(body).get("items", []) if f["fund_id"] == FUND), None)
        c.check("standby replay paused: a read with min_position waits, then the primary answers, fresh",
                s == 200 and h.get("pledger-read-source") == "primary" and seen == base and waited >= 0.9,
                f"{s} from {h.get('pledger-read-source')} after {waited:.2f} s, contributed {seen} (expected {base})")
        s, h, body = get(http_port, "/v1/funds")
        seen = next((f["contributed_fen"] for f in json.loads(body).get("items", []) if f["fund_id"] == FUND), None)
        c.check("without min_position the standby answers as it stands (behind: why writers pass min_position)",
                s == 200 and h.get("pledger-read-source") == "replica" and seen == base - 7,
                f"from {h.get('pledger-read-source')}, contributed {seen} (one write behind: {base - 7})")
        s, _, body = get(http_port, "/metrics")
        text = body.decode()
        events, seconds = metric(text, "pledger_replica_lag_events"), metric(text, "pledger_replica_lag_seconds")
        c.check("lag gauges while replay is paused", (events or 0) >= 1 and (seconds or 0) > 0,
                f"pledger_replica_lag_events {events}, pledger_replica_lag_seconds {seconds}")
        env.psql(b, "SELECT pg_wal_replay_resume()")
        c.check("replay resumed: the standby catches up (head and projector checkpoint)", env.wait_caught_up(a, b),
                env.psql(b, "SELECT position FROM ledger_head"))

        # Byte for byte: the replica-routed server against the primary-only one.
        head = env.psql(a, "SELECT position FROM ledger_head")
        s, _, body = get(compare_port, "/v1/banks")
        bank = json.loads(body)["items"][0]["bank_id"]
        s, _, body = get(compare_port, f"/v1/banks/{bank}/loans?limit=1000")
        loan = json.loads(body)["items"][0]["contract_no"]
        for what, path in [
            ("funds list", "/v1/funds"),
            ("banks list", "/v1/banks"),
            (f"loans list ({bank})", f"/v1/banks/{bank}/loans?limit=1000"),
            (f"loan history ({loan})", f"/v1/banks/{bank}/loans/{loan}/history"),
            ("event feed (whole log, NDJSON)", "/v1/events?limit=100000"),
            ("growth report, current view", "/v1/reports/financing-growth?from=2022&to=2025"),
            ("exposure report, current view", f"/v1/reports/fund-exposure?fund_id={FUND}"),
            ("exposure report as of 2025-12-31 (replays the log)", f"/v1/reports/fund-exposure?fund_id={FUND}&as_of=2025-12-31"),
        ]:
            sep = "&" if "?" in path else "?"
            s1, h1, b1 = get(http_port, f"{path}{sep}min_position={head}")
            s2, _, b2 = get(compare_port, path)
            c.check(f"{what}: the standby's answer is the primary's, byte for byte",
                    s1 == s2 == 200 and b1 == b2 and h1.get("pledger-read-source") == "replica",
                    f"{s1}/{s2}, from {h1.get('pledger-read-source')}, {len(b1)} bytes, {'same' if b1 == b2 else 'DIFFERENT'}")

        vp, vs = env.verify(a), env.verify(b)
        c.check("pledger verify on the standby: intact, the primary's head and hash",
                vs["rc"] == 0 and vs["intact"] is True and (vs["position"], vs["hash"]) == (vp["position"], vp["hash"]),
                f"position {vs['position']}, hash {str(vs['hash'])[:16]}… (primary: {vp['position']}, {str(vp['hash'])[:16]}…)"
                + ("" if vs["rc"] == 0 else f" {vs['out']}"))
        caught_up = {"pledger_replica_up": 1, "pledger_replica_lag_events": 0, "pledger_replica_lag_seconds": 0}
        for _ in range(5):  # a WAL record the primary writes on its own (a checkpoint) may be in flight
            s, _, body = get(http_port, "/metrics")
            text = body.decode()
            gauges = {n: metric(text, n) for n in caught_up}
            if gauges == caught_up:
                break
            time.sleep(0.3)
        c.check("/metrics: replica gauges, caught up", gauges == caught_up, str(gauges))

        # The standby stops.
        env.must("deploy/local/replica stop", env.replica(a, b, "stop"))
        t0 = now()
        s, _, body = http_request(http_port, "GET", "/readyz")
        checks = json.loads(body).get("checks", {})
        c.check("standby stopped: /readyz stays ready and says replica unreachable", s == 200 and checks.get("replica") == "unreachable",
                f"{s}, replica {checks.get('replica')}, in {now() - t0:.2f} s")
        t0 = now()
        answers = [get(http_port, "/v1/funds") for _ in range(5)]
        c.check("standby stopped: reads answered by the primary", all(s == 200 and h.get("pledger-read-source") == "primary"
                                                                      for s, h, _ in answers),
                f"{[s for s, _, _ in answers]}, {answers[-1][1].get('pledger-read-source')}, 5 reads in {now() - t0:.2f} s")
        s, h, _ = http_request(http_port, "POST", f"/v1/funds/{FUND}/contributions", contribution("RC-down", 9), token=token,
                               headers={"Idempotency-Key": f"replica-check-{uuid.uuid4()}"})
        position = h.get("pledger-position")
        base += 9
        s2, h2, body = get(http_port, f"/v1/funds?min_position={position}")
        seen = next((f["contributed_fen"] for f in json.loads(body).get("items", []) if f["fund_id"] == FUND), None)
        c.check("standby stopped: writes go on, read back from the primary", s == 200 and s2 == 200 and seen == base,
                f"write {s} at position {position}, read {s2} from {h2.get('pledger-read-source')}, contributed {seen}")
        s, _, body = get(http_port, "/metrics")
        c.check("standby stopped: pledger_replica_up 0", metric(body.decode(), "pledger_replica_up") == 0,
                f"pledger_replica_up {metric(body.decode(), 'pledger_replica_up')}")

        env.must("deploy/local/replica start", env.replica(a, b, "start"))
        caught = env.wait_caught_up(a, b)
        time.sleep(3.2)  # the server leaves a failed replica alone for 3 s
        s, h, body = get(http_port, f"/v1/funds?min_position={position}")
        seen = next((f["contributed_fen"] for f in json.loads(body).get("items", []) if f["fund_id"] == FUND), None)
        c.check("standby started again: it catches up and answers again, with the write made while it was down",
                caught and s == 200 and h.get("pledger-read-source") == "replica" and seen == base,
                f"caught up {caught}, {s} from {h.get('pledger-read-source')}, contributed {seen}")
    finally:
        for srv in servers:
            srv.stop()


# ---------------------------------------------------------------- failover

class Writers:
    """Threads appending, each retrying its key until it is acknowledged: half register assets
    (a new stream each), half pay contributions into the fund (one stream, so in the server
    they queue behind each other)."""

    def __init__(self, port: int, token: str, count: int, prefix: str, owner: str, give_up_after: float = 90):
        self.port, self.token, self.count, self.prefix, self.owner = port, token, count, prefix, owner
        self.give_up_after = give_up_after
        self.lock = threading.Lock()
        self.acked: dict[str, dict] = {}   # reference -> {position, at, attempts}
        self.statuses: dict[str, int] = {}
        self.slowest = 0.0
        self.unfinished: list[str] = []
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.loop, args=(i,), daemon=True) for i in range(count)]
        self.phase = "before"
        self.restarting = False  # the server is being restarted: a refused or dropped connection is expected
        self.crash_at: Optional[float] = None
        self.open_at_crash: dict[int, float] = {}  # writer -> start of its attempt, while one is open
        self.in_flight: list[str] = []  # outcomes of the attempts open when the primary died

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=self.give_up_after + 20)

    def wait_in_flight(self, limit: float) -> None:
        """Until every attempt that was open when the primary died has its answer."""
        deadline = now() + limit
        while now() < deadline:
            with self.lock:
                if not any(t0 < (self.crash_at or 0) for t0 in self.open_at_crash.values()):
                    return
            time.sleep(0.05)

    def count_status(self, key: str) -> None:
        with self.lock:
            self.statuses[key] = self.statuses.get(key, 0) + 1

    def loop(self, n: int) -> None:
        i = 0
        while not self.stop_flag.is_set():
            i += 1
            reference = f"{self.prefix}-{n}-{i}"
            key = str(uuid.uuid4())
            phase = self.phase
            attempts = 0
            started = now()
            while True:
                attempts += 1
                t0 = now()
                with self.lock:
                    self.open_at_crash[n] = t0
                try:
                    if n % 2 == 0:
                        path, body = "/v1/assets", {"asset_id": reference, "kind": "patent", "registry_no": f"ZL {reference}",
                                                    "title": "failover-check", "owner": self.owner}
                    else:
                        path, body = f"/v1/funds/{FUND}/contributions", contribution(reference, 1)
                    status, headers, body = http_request(self.port, "POST", path, body, token=self.token,
                                                         headers={"Idempotency-Key": key}, timeout=20)
                except OSError as e:
                    status, headers = None, {}
                    self.count_status("connection failed while the server restarted" if self.restarting
                                      else f"connection failed: {type(e).__name__}")
                    time.sleep(0.2)
                with self.lock:
                    self.slowest = max(self.slowest, now() - t0)
                    del self.open_at_crash[n]
                    if self.crash_at is not None and t0 < self.crash_at:
                        self.in_flight.append(str(status) if status is not None else "no answer")
                if status is None:
                    pass
                elif 200 <= status < 300:
                    self.count_status(str(status))
                    with self.lock:
                        self.acked[reference] = {"position": int(headers.get("pledger-position", 0)), "phase": phase,
                                                 "attempts": attempts}
                    break
                else:
                    self.count_status(str(status))
                    if status != 503:
                        break  # a 500 or a refusal: counted, never retried into a pass
                    time.sleep(0.2)
                if now() - started > self.give_up_after:
                    with self.lock:
                        self.unfinished.append(reference)
                    break


REFERENCE = "COALESCE(data::jsonb->>'asset_id', data::jsonb->>'reference')"


def count_on(env: Env, port: int, prefix: str) -> dict[str, int]:
    rows = env.psql(port, f"SELECT {REFERENCE}, count(*) FROM events WHERE type IN ('AssetRegistered', 'FundContributionReceived') "
                          f"AND {REFERENCE} LIKE '{prefix}-%' GROUP BY 1")
    out = {}
    for line in rows.splitlines():
        ref, n = line.split("|")
        out[ref] = int(n)
    return out


def failover_scenario(env: Env, c: Check, http_port: int) -> None:
    a, b = env.primary_port, env.standby_port
    print("== primary with the demo district, a synchronous standby, a server and 8 writers", flush=True)
    token = setup_primary(env, c)
    env.must("deploy/local/replica sync on", env.replica(a, b, "sync", "on"))
    deadline = now() + 10
    while now() < deadline and env.psql(a, "SELECT sync_state FROM pg_stat_replication") != "sync":
        time.sleep(0.1)
    state = env.psql(a, "SELECT application_name || ' ' || sync_state FROM pg_stat_replication")
    c.check("the standby is synchronous (pg_stat_replication), synchronous_commit on",
            state == "pledger_replica sync" and env.psql(a, "SHOW synchronous_commit") == "on", state)
    server = Server(env, http_port, "failover")
    try:
        server.start(env.url(a, "pledger_app"))
        if not server.wait_ready():
            raise Failed("the server did not become ready")
        owner = env.psql(a, "SELECT data::jsonb->>'uscc' FROM events WHERE type = 'BorrowerRegistered' ORDER BY position LIMIT 1")
        writers = Writers(http_port, token, 8, "FO", owner)
        writers.start()
        time.sleep(4)
        before = len(writers.acked)
        writers.phase = "in flight"
        t_crash = now()
        writers.crash_at = t_crash
        env.stop_node(a, "immediate")  # the primary dies: no shutdown checkpoint, connections cut
        c.check("the primary is shut down immediately under load", True, f"{before} appends acknowledged before")
        time.sleep(1)
        env.must("deploy/local/replica promote", env.replica(a, b, "promote"))
        writers.wait_in_flight(15)  # each has its answer within the server's 10 s deadline
        outcomes = {o: writers.in_flight.count(o) for o in sorted(set(writers.in_flight))}
        c.check("appends in flight when the primary died: each committed (2xx) or answered 503, none hung",
                bool(writers.in_flight) and all(o in ("200", "201", "503") for o in outcomes), f"{len(writers.in_flight)} in flight: {outcomes}")
        # What a VIP, a DNS change or systemd does: the server comes back pointed at the new primary.
        writers.restarting = True
        c.note(f"{now() - t_crash:.1f} s after the crash: SIGTERM to the server")
        server.stop()
        c.note(f"{now() - t_crash:.1f} s after the crash: the server exited (code {server.proc.returncode})")
        server.start(env.url(b, "pledger_app"))
        ready = server.wait_ready()
        writers.restarting = False
        c.check("standby promoted, pledger serve restarted on it, ready", ready and env.psql(b, "SELECT pg_is_in_recovery()") == "f",
                f"ready {now() - t_crash:.1f} s after the crash")
        writers.phase = "after"
        time.sleep(4)
        writers.stop()
        st = dict(sorted(writers.statuses.items()))
        five = sum(n for k, n in st.items() if k.isdigit() and int(k) >= 500 and k != "503")
        c.check("every answer a 2xx or a 503 (or no connection while the server restarted): no 500",
                five == 0 and all(k in ("200", "201", "503", "connection failed while the server restarted") for k in st), str(st))
        c.check("no hang: every request answered within the server's deadlines", writers.slowest < 15 and not writers.unfinished,
                f"slowest {writers.slowest:.2f} s, unfinished {len(writers.unfinished)}")
        stored = count_on(env, b, "FO")
        acked = writers.acked
        missing = [r for r in acked if stored.get(r, 0) == 0]
        doubled = [r for r, n in stored.items() if n > 1]
        by_phase = {p: sum(1 for v in acked.values() if v["phase"] == p) for p in ("before", "in flight", "after")}
        retried = sum(1 for v in acked.values() if v["attempts"] > 1)
        c.check("every acknowledged append is on the new primary", not missing and len(acked) > before,
                f"{len(acked)} acknowledged ({by_phase}), {retried} after retries with their key; missing {len(missing)}")
        c.check("nothing written twice (the same key retried across the failover)", not doubled,
                f"{len(stored)} references stored, {len(doubled)} more than once")
        positions_ok = all(env.psql(b, f"SELECT {REFERENCE} FROM events WHERE position = {v['position']}") == r
                           for r, v in list(acked.items())[-20:])
        c.check("the last 20 acknowledged positions hold their appends", positions_ok, "checked on the new primary")
        v = env.verify(b)
        c.check("pledger verify on the new primary", v["rc"] == 0 and v["intact"] is True,
                f"position {v['position']}, intact {v['intact']}" + ("" if v["rc"] == 0 else f": {v['out']}"))

        # The control: an asynchronous standby that falls behind loses acknowledged appends.
        print("== control: the same crash with an asynchronous standby that is behind", flush=True)
        env.run(["rm", "-rf", env.dirs[a]])
        env.must("rebuild the old primary as an async standby of the new one", env.replica(b, a, "start"))
        env.must("it stops (behind)", env.replica(b, a, "stop"))
        writers2 = Writers(http_port, token, 2, "ASYNC", owner)
        writers2.start()
        time.sleep(2)
        writers2.stop()
        env.stop_node(b, "immediate")
        env.must("start the stale standby", env.replica(b, a, "start"))
        env.must("promote it", env.replica(b, a, "promote"))
        server.stop()
        server.start(env.url(a, "pledger_app"))
        server.wait_ready()
        stored = count_on(env, a, "ASYNC")
        lost = [r for r in writers2.acked if stored.get(r, 0) == 0]
        c.check("the check catches a loss: appends acknowledged by an async primary are missing after failover",
                len(writers2.acked) > 0 and len(lost) == len(writers2.acked),
                f"{len(writers2.acked)} acknowledged, {len(lost)} missing on the promoted async standby (expected: all)")
    finally:
        server.stop()


def main() -> int:
    p = argparse.ArgumentParser(description="Read replica and failover checks (run through scripts/replica-check, scripts/failover-check).")
    p.add_argument("scenario", choices=["replica", "failover"])
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--primary-port", type=int, required=True)
    p.add_argument("--standby-port", type=int, required=True)
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--compare-port", type=int, default=0)
    a = p.parse_args()
    tool = f"{a.scenario}-check"
    c = Check(tool, f"{tool}.log", a.work)
    env = Env(a, c)
    error = ""
    try:
        if a.scenario == "replica":
            replica_scenario(env, c, a.http_port, a.compare_port)
        else:
            failover_scenario(env, c, a.http_port)
    except Failed as e:
        error = str(e)
    except Exception as e:  # a bug or an unexpected answer: reported, never a pass
        error = f"{type(e).__name__}: {e}"
    return 0 if c.finish(error) else 1


if __name__ == "__main__":
    sys.exit(main())
