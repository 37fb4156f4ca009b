#!/usr/bin/env python3
"""Pledger fault suite: faults under load, then an audit of what was acknowledged.

Run it through `scripts/faults [--quick] [--release]`, which builds (or takes $PLEDGER_BIN),
creates a throw-away PostgreSQL cluster and calls this file. Python 3 standard library only.

What one scenario does (see `run_scenario`):
  1. start N writer threads; each logical write is a 1-fen interest repayment on one of the
     writer's own loans with a fresh Idempotency-Key, retried with the SAME key after a
     connection error, a timeout, a 503 (honouring Retry-After) or a 5xx, until acknowledged
     (2xx) or a deadline passes;
  2. run the scenario's body (the fault), which marks when the fault started and ended;
  3. keep the load going a little, stop it, let in-flight writes finish;
  4. heal: make sure Postgres and the server answer again (restart them if wedged — that is
     reported as a failure);
  5. audit: `pledger verify` must exit 0; `pledger export` must contain every acknowledged
     event_id (else "missing"), and no Idempotency-Key may be on more events than its one
     logical write produced (else "dup").

Adding a scenario is one function:

    @scenario("my-fault", repeat=3)          # repeat: how often the full run repeats it
    def my_fault(s: Scenario) -> None:
        '''One line on what it does.'''
        s.wait(s.warmup)                     # load runs meanwhile
        s.fault_started()
        ...                                  # inject: s.server / s.cluster / s.psql(...)
        s.fault_ended()                      # recovery time is measured from here
        s.check("what", "expected", "got", ok)   # a line in the checks table; fails the row if not ok
        s.after_load(judge)                  # judge() runs once every request has come back

Columns: acked = acknowledged logical writes; missing = acknowledged event_ids absent from
the export; dup = keys with more events than their write; hangs = requests without an answer
within the hang timeout (and a server that ignored SIGTERM); 5xx = answers 500–599 other than
503; 503s = answers 503; max latency = slowest single request; recovery = from the end of
the fault to the completion of the first acknowledged request started after it.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional

PAID_ON = "2025-12-31"          # the demo district's last business day
MAX_SAFE = 9007199254740991     # 2^53 - 1, the largest amount the API accepts
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
now = time.monotonic


# --------------------------------------------------------------------------- settings

@dataclass
class Settings:
    repo: str
    binary: str
    pg_port: int
    pgdata: str
    work: str                   # scratch folder (server log, exports)
    out: str                    # out/ in the repository
    quick: bool
    only: list[str]
    writers: int = 16
    load_seconds: float = 20.0  # load per scenario (the body's own time counts)
    warmup: float = 3.0         # load before a fault is injected
    after_fault: float = 5.0    # load kept at least this long after a fault ended
    hang_timeout: float = 30.0  # no answer within this → a hang
    retry_deadline: float = 60.0  # a logical write is retried this long, then given up
    drain_grace: float = 40.0   # after the load stops, in-flight writes get this long
    lock_hold: float = 12.0     # head-lock scenario: how long the lock is held
    lock_answer_limit: float = 10.0  # every request during the held lock answers within this
    sigterm_limit: float = 10.0  # the server must exit this soon after SIGTERM
    demo_scale: int = 3         # more loans spread the writers (≈ 30 active loans per unit)

    @property
    def database_url(self) -> str:
        return f"postgres://pledger@127.0.0.1:{self.pg_port}/pledger"

    @classmethod
    def for_mode(cls, quick: bool, **kw) -> "Settings":
        s = cls(quick=quick, **kw)
        if quick:
            s.writers, s.load_seconds, s.warmup, s.after_fault = 8, 7.0, 2.0, 3.0
            s.hang_timeout, s.retry_deadline, s.drain_grace, s.demo_scale = 15.0, 30.0, 20.0, 1
        return s


# --------------------------------------------------------------------------- logging

class Log:
    """Progress on stdout; everything (bodies of odd answers, commands) in out/faults.log."""

    def __init__(self, path: str):
        self.file = open(path, "w", encoding="utf-8")
        self.lock = threading.Lock()
        self.started = now()

    def detail(self, message: str) -> None:
        with self.lock:
            self.file.write(f"[{now() - self.started:8.2f}] {message}\n")
            self.file.flush()

    def say(self, message: str) -> None:
        self.detail(message)
        with self.lock:
            print(message, flush=True)


LOG: Log


# --------------------------------------------------------------------------- processes

def run(cmd: list[str], timeout: float, env: Optional[dict] = None, cwd: Optional[str] = None,
        stdout_file: Optional[str] = None) -> subprocess.CompletedProcess:
    """Runs a command with a deadline; never raises (a timeout is exit code 124)."""
    try:
        if stdout_file:
            with open(stdout_file, "a") as out:
                p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=timeout, env=env, cwd=cwd)
            return subprocess.CompletedProcess(cmd, p.returncode, "", "")
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, 124, str(e.stdout or ""), f"timed out after {timeout:.0f} s")
    except OSError as e:
        return subprocess.CompletedProcess(cmd, 127, "", str(e))


def as_owner(cmd: list[str]) -> list[str]:
    """The cluster's server binaries run as `postgres` when we are root (deploy/local/pg)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    """The suite's own PostgreSQL cluster (started by scripts/faults with deploy/local/pg)."""

    PGBIN = "/usr/lib/postgresql/15/bin"

    def __init__(self, settings: Settings):
        self.s = settings
        self.log = os.path.join(settings.pgdata, "server.log")  # owned by the cluster's user

    def psql(self, sql: str, db: str = "pledger", timeout: float = 20.0) -> subprocess.CompletedProcess:
        return run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.s.pg_port),
                    "-U", "pledger", "-d", db, "-c", sql], timeout)

    def psql_session(self, *statements: str) -> subprocess.Popen:
        """One session running the statements in order (psql -c … -c …), in the background."""
        cmd = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.s.pg_port), "-U", "pledger", "-d", "pledger"]
        for statement in statements:
            cmd += ["-c", statement]
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def pg_ctl(self, *args: str, timeout: float = 90.0) -> subprocess.CompletedProcess:
        # -l is essential: without it the postmaster keeps our stdout and a capture never ends.
        return run(as_owner([f"{self.PGBIN}/pg_ctl", "-D", self.s.pgdata, *args]), timeout)

    def restart_fast(self) -> subprocess.CompletedProcess:
        return self.pg_ctl("-m", "fast", "-w", "-t", "60", "-l", self.log, "restart")

    def running(self) -> bool:
        return self.pg_ctl("status", timeout=15).returncode == 0

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, …)."""
        try:
            with open(os.path.join(self.s.pgdata, "postmaster.pid"), encoding="utf-8") as f:
                postmaster = int(f.readline().strip())
        except (OSError, ValueError):
            return []
        children = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == postmaster:
                children.append(int(entry))
        return [postmaster, *children]

    def signal_all(self, sig: int) -> int:
        """Sends `sig` to the whole cluster (SIGSTOP freezes it: sockets stay open, nothing answers)."""
        sent = 0
        for pid in self.processes():
            try:
                os.kill(pid, sig)
                sent += 1
            except OSError:
                pass
        return sent

    def ensure_running(self) -> bool:
        if self.running():
            return True
        r = self.pg_ctl("-w", "-t", "60", "-l", self.log, "-o", f"-p {self.s.pg_port}", "start")
        return r.returncode == 0


class Server:
    """`pledger serve` on a fixed port; its output goes to one log file across restarts."""

    def __init__(self, settings: Settings, port: int):
        self.s = settings
        self.port = port
        self.log_path = os.path.join(settings.work, "server.log")
        self.pid_file = os.path.join(settings.work, "server.pid")
        self.proc: Optional[subprocess.Popen] = None
        self.starts = 0

    def env(self) -> dict:
        return dict(os.environ, DATABASE_URL=self.s.database_url, PLEDGER_LOG_LEVEL="notice")

    def start(self) -> None:
        self.starts += 1
        with open(self.log_path, "a") as log:
            log.write(f"\n===== faults: server start #{self.starts} at +{now() - LOG.started:.2f} s =====\n")
            log.flush()
            self.proc = subprocess.Popen([self.s.binary, "serve", "--port", str(self.port)], env=self.env(), cwd=self.s.repo,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        with open(self.pid_file, "w") as f:
            f.write(str(self.proc.pid))
        LOG.detail(f"server started, pid {self.proc.pid}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = 30.0) -> bool:
        deadline = now() + timeout
        client = Client(self.port, 2.0)
        while now() < deadline:
            if not self.alive():
                return False
            if client.request("GET", "/healthz").status == 200:
                return True
            time.sleep(0.1)
        return False

    def kill9(self) -> None:
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                LOG.detail("server did not die within 10 s of SIGKILL")

    def sigterm(self, limit: float) -> Optional[float]:
        """SIGTERM; seconds until it exited, or None if it was still running after `limit`."""
        if not self.alive():
            return 0.0
        started = now()
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=limit)
            return now() - started
        except subprocess.TimeoutExpired:
            return None

    def restart(self) -> bool:
        self.kill9()
        self.start()
        return self.wait_healthy()

    def log_tail(self, lines: int = 30) -> list[str]:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()[-lines:]
        except OSError:
            return []


# --------------------------------------------------------------------------- HTTP

@dataclass
class Resp:
    status: Optional[int]       # None: no HTTP answer (see error)
    headers: dict
    body: bytes
    t0: float
    t1: float
    error: str = ""
    timed_out: bool = False

    @property
    def latency(self) -> float:
        return self.t1 - self.t0

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def problem_type(self) -> str:
        j = self.json()
        return (j.get("type") or "").rsplit("/", 1)[-1] if isinstance(j, dict) else ""

    def describe(self, limit: int = 300) -> str:
        if self.status is None:
            return self.error
        text = self.body.decode("utf-8", "replace").replace("\n", " ")
        return f"{self.status} {text[:limit]}"


class Client:
    """One keep-alive connection (one per thread); every error closes it."""

    def __init__(self, port: int, timeout: float, token: str = ""):
        self.port, self.timeout, self.token = port, timeout, token
        self.conn: Optional[http.client.HTTPConnection] = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body=None, headers: Optional[dict] = None, token: Optional[str] = None) -> Resp:
        h = {}
        token = self.token if token is None else token
        if token:
            h["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=True).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        t0 = now()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
            result = Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data, t0, now())
            if r.will_close:
                self.close()
            return result
        except (socket.timeout, TimeoutError):
            self.close()
            return Resp(None, {}, b"", t0, now(), "timeout", True)
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return Resp(None, {}, b"", t0, now(), f"{type(e).__name__}: {e}")


def raw_request(port: int, head: str, body: bytes, timeout: float) -> Resp:
    """Sends a request over a plain socket, tolerating a server that answers and closes
    before the body is fully sent (as it should for a 413)."""
    t0 = now()
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    received = b""
    try:
        try:
            sock.sendall(head.encode())
            view = memoryview(body)
            for i in range(0, len(body), 65536):
                sock.sendall(view[i:i + 65536])
        except OSError:
            pass  # the server stopped reading; its answer may be waiting
        sock.settimeout(timeout)
        while True:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, TimeoutError):
                if not received:
                    return Resp(None, {}, b"", t0, now(), "timeout", True)
                break
            except OSError as e:
                if not received:
                    return Resp(None, {}, b"", t0, now(), f"{type(e).__name__}: {e}")
                break
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                head_part, _, rest = received.partition(b"\r\n\r\n")
                m = re.search(rb"content-length:\s*(\d+)", head_part, re.I)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        sock.close()
    head_part, _, rest = received.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return Resp(None, {}, received, t0, now(), f"no HTTP answer ({len(received)} bytes)")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return Resp(status, headers, rest, t0, now())


# --------------------------------------------------------------------------- load

@dataclass
class Loan:
    bank: str
    contract: str

    @property
    def path(self) -> str:
        return f"/v1/banks/{self.bank}/loans/{self.contract}"


@dataclass
class Write:
    """One logical write: one Idempotency-Key, however many attempts it took."""
    key: str
    loan: Loan
    started: float
    acked: bool = False
    event_ids: list = field(default_factory=list)
    attempts: int = 0
    outcome: str = "pending"    # acked | refused-on-retry | rejected | gave-up


@dataclass
class Attempt:
    """One HTTP request of the load: when it left, when it came back, what it got."""
    t0: float
    t1: float
    status: object              # an int, or "timeout" (a hang) or "conn" (no connection)
    retry_after: bool           # the answer carried Retry-After

    @property
    def latency(self) -> float:
        return self.t1 - self.t0

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    @property
    def is_5xx(self) -> bool:
        """A server error other than 503 (which means: retry later)."""
        return isinstance(self.status, int) and 500 <= self.status < 600 and self.status != 503


def repayment(interest: int = 1) -> dict:
    return {"principal_fen": 0, "interest_fen": interest, "paid_on": PAID_ON}


class Load:
    """Writer threads plus a /readyz poller; collects every attempt."""

    def __init__(self, suite: "Suite", writers: int, loans: list[Loan]):
        self.suite = suite
        self.s = suite.s
        self.writer_count = writers
        self.loans = loans
        self.stopping = threading.Event()
        self.abort = threading.Event()
        self.lock = threading.Lock()
        self.writes: list[Write] = []
        self.attempts: list[Attempt] = []
        self.statuses: collections.Counter = collections.Counter()
        self.oddities: list[str] = []   # 5xx bodies, refusals: for the log and the notes
        self.readyz: list[tuple[float, str]] = []
        self.threads: list[threading.Thread] = []
        self.stop_time = 0.0

    def start(self) -> None:
        for i in range(self.writer_count):
            mine = self.loans[i::self.writer_count] or self.loans
            t = threading.Thread(target=self._writer, args=(mine,), name=f"writer-{i}", daemon=True)
            t.start()
            self.threads.append(t)
        t = threading.Thread(target=self._poll_readyz, name="readyz", daemon=True)
        t.start()
        self.poller = t

    def stop(self) -> None:
        """Stops starting new writes; in-flight ones finish (or give up) within drain_grace."""
        self.stop_time = now()
        self.stopping.set()
        limit = self.stop_time + self.s.drain_grace + self.s.hang_timeout + 5
        for t in self.threads:
            t.join(timeout=max(0.1, limit - now()))
        self.abort.set()
        for t in self.threads:
            t.join(timeout=self.s.hang_timeout + 5)
        self.poller.join(timeout=5)
        stuck = [t.name for t in self.threads if t.is_alive()]
        if stuck:
            self.oddities.append(f"writer threads still blocked after the drain: {', '.join(stuck)}")

    def _poll_readyz(self) -> None:
        client = Client(self.suite.port, 2.0)
        while not self.stopping.is_set():
            r = client.request("GET", "/readyz")
            label = str(r.status) if r.status else ("timeout" if r.timed_out else "down")
            with self.lock:
                self.readyz.append((r.t0, label))
            client.close()
            self.stopping.wait(0.5)

    def _writer(self, loans: list[Loan]) -> None:
        client = Client(self.suite.port, self.s.hang_timeout)
        i = 0
        while not self.stopping.is_set():
            self.write_once(client, loans[i % len(loans)])
            i += 1
        client.close()

    def write_once(self, client: Client, loan: Loan, within: Optional[float] = None) -> Write:
        """One logical write, retried with the same key until acknowledged or given up
        (after `within` seconds, default the retry deadline)."""
        w = Write(str(uuid.uuid4()), loan, now())
        with self.lock:
            self.writes.append(w)
        deadline = w.started + (within or self.s.retry_deadline)
        token = self.suite.tokens[loan.bank]
        while True:
            w.attempts += 1
            r = client.request("POST", loan.path + "/repayments", repayment(), {"Idempotency-Key": w.key}, token=token)
            self._record(r)
            if r.status is not None and 200 <= r.status < 300:
                j = r.json() or {}
                w.acked, w.event_ids, w.outcome = True, list(j.get("event_ids") or []), "acked"
                return w
            pause = 0.2
            if r.status is None:
                pass                                     # connection error or timeout: retry
            elif r.status == 503:
                pause = min(float(_number(r.headers.get("retry-after"), 1.0)), 2.0)
            elif r.status >= 500:
                self._odd(f"{r.status} on {loan.path} key {w.key}: {r.describe()}")
                pause = 0.5
            elif w.attempts > 1 and r.status in (409, 422):
                w.outcome = "refused-on-retry"
                self._odd(f"retry with the same key refused: {loan.path} key {w.key}: {r.describe()}")
                return w
            else:
                w.outcome = "rejected"
                self._odd(f"write rejected: {loan.path} key {w.key} attempt {w.attempts}: {r.describe()}")
                return w
            give_up = deadline if not self.stopping.is_set() else min(deadline, self.stop_time + self.s.drain_grace)
            if now() + pause > give_up or self.abort.is_set():
                w.outcome = "gave-up"
                self._odd(f"gave up after {w.attempts} attempts ({now() - w.started:.1f} s): {loan.path} key {w.key}; last: {r.describe(120)}")
                return w
            self.abort.wait(pause)

    def _record(self, r: Resp) -> None:
        label = r.status if r.status is not None else ("timeout" if r.timed_out else "conn")
        with self.lock:
            self.attempts.append(Attempt(r.t0, r.t1, label, "retry-after" in r.headers))
            self.statuses[str(label)] += 1

    def _odd(self, message: str) -> None:
        LOG.detail(message)
        with self.lock:
            self.oddities.append(message)


def _number(text, default: float) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------- scenarios

@dataclass
class Check:
    name: str
    expected: str
    got: str
    ok: bool


class Scenario:
    """What a scenario body gets: the load, the server, the cluster, and a place for findings."""

    def __init__(self, suite: "Suite", name: str):
        self.suite = suite
        self.s = suite.s
        self.name = name
        self.server = suite.server
        self.cluster = suite.cluster
        self.load = Load(suite, suite.s.writers, suite.writer_loans)
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.checks: list[Check] = []
        self.extra_writes: list[Write] = []   # writes outside the load that the audit checks too
        self.fault_start: Optional[float] = None
        self.fault_end: Optional[float] = None
        self.extra_hangs = 0
        self.expect_keys: dict[str, int] = {}  # key → events it must have in the log exactly
        self.after_load_checks: list[Callable[[], None]] = []

    # ---- for scenario bodies
    @property
    def warmup(self) -> float:
        return self.s.warmup

    def wait(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def fault_started(self) -> None:
        self.fault_start = now()

    def fault_ended(self) -> None:
        self.fault_end = now()

    def fail(self, message: str) -> None:
        LOG.detail(f"[{self.name}] FAIL {message}")
        self.failures.append(message)

    def note(self, message: str) -> None:
        LOG.detail(f"[{self.name}] note {message}")
        self.notes.append(message)

    def check(self, name: str, expected: str, got: str, ok: bool) -> bool:
        self.checks.append(Check(name, expected, got, ok))
        LOG.detail(f"[{self.name}] check {name}: expected {expected}; got {got} → {'pass' if ok else 'FAIL'}")
        if not ok:
            self.failures.append(f"{name}: expected {expected}, got {got}")
        return ok

    def after_load(self, fn: Callable[[], None]) -> None:
        """Runs `fn` once the load has stopped and every request has come back (or timed out):
        the place to judge what the requests saw during the fault."""
        self.after_load_checks.append(fn)

    def client(self, token: Optional[str] = None, timeout: Optional[float] = None) -> Client:
        return Client(self.suite.port, timeout or self.s.hang_timeout, token if token is not None else self.suite.admin)

    def psql(self, sql: str, db: str = "pledger", timeout: float = 20.0) -> subprocess.CompletedProcess:
        return self.cluster.psql(sql, db, timeout)

    def restart_server(self) -> None:
        """Starts the server again (same port) and waits until it is healthy."""
        self.server.start()
        if not self.server.wait_healthy(30):
            self.fail("the server did not become healthy within 30 s of its restart")


SCENARIOS: list[tuple[str, Callable[[Scenario], None], int]] = []


def scenario(name: str, repeat: int = 1):
    """Registers a scenario; `repeat` is how many times the full run does it (quick: once)."""
    def register(fn: Callable[[Scenario], None]):
        SCENARIOS.append((name, fn, repeat))
        return fn
    return register


@scenario("baseline")
def baseline(s: Scenario) -> None:
    """Load only, no fault."""


@scenario("kill-9", repeat=3)
def kill_9(s: Scenario) -> None:
    """kill -9 the server mid-load; start it again on the same port 0.5 s later."""
    s.wait(s.warmup)
    s.fault_started()
    s.server.kill9()
    time.sleep(0.5)
    s.fault_ended()
    s.restart_server()


@scenario("pg-restart", repeat=3)
def pg_restart(s: Scenario) -> None:
    """pg_ctl -m fast restart of the cluster mid-load."""
    s.wait(s.warmup)
    s.fault_started()
    r = s.cluster.restart_fast()
    s.fault_ended()
    if r.returncode != 0:
        s.fail(f"pg_ctl restart exited {r.returncode}: {(r.stdout + r.stderr).strip()[-300:]}")


@scenario("terminate-x3", repeat=3)
def terminate_x3(s: Scenario) -> None:
    """pg_terminate_backend on every session of the ledger's database, three times 0.7 s apart."""
    s.wait(s.warmup)
    s.fault_started()
    killed = []
    for i in range(3):
        r = s.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE datname = 'pledger' AND pid <> pg_backend_pid()", db="postgres")
        killed.append(r.stdout.strip() or f"error {r.returncode}")
        if i < 2:
            time.sleep(0.7)
    s.fault_ended()
    s.note(f"backends terminated per round: {', '.join(killed)}")


@scenario("head-lock", repeat=3)
def head_lock(s: Scenario) -> None:
    """Another session holds ledger_head FOR UPDATE longer than the server's lock timeout:
    writes must answer (503 + Retry-After) within a bound, never wait for the lock."""
    s.wait(s.warmup)
    session = s.cluster.psql_session("BEGIN", "SELECT position FROM ledger_head FOR UPDATE",
                                     f"SELECT pg_sleep({s.s.lock_hold})", "COMMIT")
    s.fault_started()
    try:
        output, _ = session.communicate(timeout=s.s.lock_hold + 30)
    except subprocess.TimeoutExpired:
        session.kill()
        output, _ = session.communicate()
        s.fail("the lock-holding psql session did not finish")
    s.fault_ended()
    if session.returncode != 0:
        s.fail(f"the lock-holding psql session failed: {output.strip()[-200:]}")

    def judge() -> None:
        # Every request in flight while the lock was held, however early it started.
        during = [a for a in s.load.attempts if a.t1 > s.fault_start + 0.3 and a.t0 < s.fault_end]
        slowest = max((a.latency for a in during), default=0.0)
        answers = collections.Counter(str(a.status) for a in during)
        waits = sorted(a.latency for a in during if a.status == 503)
        got = f"max {slowest:.2f} s over {len(during)} requests ({_counts(answers)})"
        if waits:
            got += f"; 503s after {waits[0]:.2f}–{waits[-1]:.2f} s"
        s.check("answers while the head lock is held", f"each ≤ {s.s.lock_answer_limit:.0f} s", got,
                bool(during) and slowest <= s.s.lock_answer_limit)
        no_retry_after = sum(1 for a in during if a.status == 503 and not a.retry_after)
        if no_retry_after:
            s.check("503s during the lock carry Retry-After", "all", f"{no_retry_after} without", False)
    s.after_load(judge)


@scenario("sigterm", repeat=3)
def sigterm(s: Scenario) -> None:
    """SIGTERM the server under load: it must exit within 10 s; then start it again."""
    s.wait(s.warmup)
    s.fault_started()
    sigterm_within_limit(s)
    s.fault_ended()
    s.restart_server()


def sigterm_within_limit(s: Scenario) -> None:
    """SIGTERM the server and check it exits within the limit; if it does not, the server's
    last log lines go into the notes."""
    took = s.server.sigterm(s.s.sigterm_limit)
    if took is None:
        s.extra_hangs += 1
        s.check("exit after SIGTERM", f"≤ {s.s.sigterm_limit:.0f} s", f"still running after {s.s.sigterm_limit:.0f} s (killed -9)", False)
        s.note("server log tail: " + " | ".join(s.server.log_tail(12)))
        s.server.kill9()
        return
    s.check("exit after SIGTERM", f"≤ {s.s.sigterm_limit:.0f} s", f"{took:.1f} s, exit code {s.server.proc.returncode}", True)


@scenario("sigterm-frozen-db")
def sigterm_frozen_db(s: Scenario) -> None:
    """SIGTERM the server while PostgreSQL is frozen (SIGSTOP: connections open, nothing
    answers) and requests wait on it: the server must still exit within 10 s; then the
    cluster is thawed and the server started again."""
    s.wait(s.warmup)
    s.fault_started()
    frozen = s.cluster.signal_all(signal.SIGSTOP)
    s.note(f"froze {frozen} PostgreSQL processes")
    try:
        s.wait(1.0)
        sigterm_within_limit(s)
    finally:
        s.cluster.signal_all(signal.SIGCONT)
    s.fault_ended()
    s.restart_server()


@scenario("same-key-x20")
def same_key_x20(s: Scenario) -> None:
    """20 concurrent identical requests with one Idempotency-Key: one write, 20 equal answers;
    the key with another body is refused (422 idempotency-key-reused)."""
    s.wait(s.warmup)
    loan = s.suite.reserved["same-key"]
    key = str(uuid.uuid4())
    token = s.suite.tokens[loan.bank]
    answers: list[Optional[Resp]] = [None] * 20
    barrier = threading.Barrier(20)

    def one(i: int) -> None:
        c = Client(s.suite.port, s.s.hang_timeout, token)
        c.request("GET", "/healthz")        # connect first, so the 20 POSTs leave together
        barrier.wait(timeout=10)
        answers[i] = c.request("POST", loan.path + "/repayments", repayment(), {"Idempotency-Key": key})
        c.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=s.s.hang_timeout + 15)
    got = [a for a in answers if a is not None]
    statuses = collections.Counter(str(a.status if a.status else a.error) for a in got)
    s.extra_hangs += sum(1 for a in got if a.timed_out) + (20 - len(got))
    bodies = collections.Counter(a.body for a in got if a.status)
    replayed = sum(1 for a in got if a.headers.get("idempotent-replayed") == "true")
    s.check("20 × same key: statuses", "all the same 2xx", _counts(statuses),
            len(statuses) == 1 and all(a.status and 200 <= a.status < 300 for a in got) and len(got) == 20)
    s.check("20 × same key: bodies", "byte-identical", f"{len(bodies)} distinct bodies", len(bodies) == 1)
    if len(bodies) > 1:
        for body, n in bodies.items():
            LOG.detail(f"[same-key] body ×{n}: {body[:400]!r}")
    s.note(f"20 × same key: {replayed} answers carried Idempotent-Replayed: true; statuses {_counts(statuses)}")
    first_ok = next((a for a in got if a.status and 200 <= a.status < 300), None)
    ids = list((first_ok.json() or {}).get("event_ids") or []) if first_ok else []
    w = Write(key, loan, now(), acked=bool(first_ok), event_ids=ids, attempts=20, outcome="acked" if first_ok else "rejected")
    s.extra_writes.append(w)
    s.expect_keys[key] = len(ids) if first_ok else 1
    other = Client(s.suite.port, s.s.hang_timeout, token).request("POST", loan.path + "/repayments", repayment(2), {"Idempotency-Key": key})
    s.check("same key, other body", "422 idempotency-key-reused", f"{other.status} {other.problem_type()}".strip() if other.status else other.error,
            other.status == 422 and other.problem_type() == "idempotency-key-reused")


@scenario("hostile")
def hostile(s: Scenario) -> None:
    """Hostile inputs, each with its exact expected answer; the server must stay up and
    ordinary writes must keep succeeding."""
    s.wait(s.warmup)
    s.fault_started()
    for check in HOSTILE_CHECKS:
        try:
            check(s)
        except Exception as e:  # a broken check must not stop the others
            s.check(check.__name__, "no exception in the check", f"{type(e).__name__}: {e}", False)
            LOG.detail(traceback.format_exc())
        if not s.server.alive():
            s.check(f"server alive after {check.__name__}", "running", f"exited with {s.server.proc.returncode}", False)
            s.restart_server()
    s.fault_ended()
    probe = s.suite.probe_write(s)
    s.check("a normal write after the hostile inputs", "2xx", probe.outcome, probe.acked)


# ---- hostile checks: each sends one kind of bad input and records a Check

HOSTILE_CHECKS: list[Callable[[Scenario], None]] = []


def hostile_check(fn: Callable[[Scenario], None]):
    HOSTILE_CHECKS.append(fn)
    return fn


def _status(r: Resp) -> str:
    return f"{r.status} {r.problem_type()}".strip() if r.status else r.error


@hostile_check
def overflow(s: Scenario) -> None:
    loan = s.suite.reserved["overflow"]
    c = s.client(s.suite.tokens[loan.bank])
    results = [c.request("POST", loan.path + "/repayments", repayment(MAX_SAFE), {"Idempotency-Key": str(uuid.uuid4())}) for _ in range(5)]
    first, later = results[0], results[1:]
    s.check("overflow: 1st interest 2^53-1", "200 or 422", _status(first), first.status in (200, 422))
    bad = [r for r in later if not (r.status == 422 and r.problem_type() == "limit-exceeded" and (r.json() or {}).get("field") == "interest_fen")]
    s.check("overflow: 2nd–5th", "422 limit-exceeded field=interest_fen",
            _counts(collections.Counter(_status(r) + f" field={(r.json() or {}).get('field')}" for r in later)), not bad)
    for r in results:
        if r.status and r.status >= 500:
            LOG.detail(f"overflow answer: {r.describe()}")
    g = c.request("GET", loan.path)
    s.check("overflow: GET the loan afterwards", "200", _status(g), g.status == 200)
    rp = run([s.s.binary, "replay", "--report", "growth", "--from", "2022", "--to", "2025"], 180, env=s.suite.cli_env(), cwd=s.s.repo)
    s.check("overflow: pledger replay afterwards", "exit 0", f"exit {rp.returncode} {rp.stderr.strip()[-160:]}".strip(), rp.returncode == 0)


@hostile_check
def body_9mib(s: Scenario) -> None:
    loan = s.suite.reserved["hostile"]
    pad = b"x" * (9 * 1024 * 1024)
    for what, path, body in [
        ("bulk report", f"/v1/banks/{loan.bank}/reports", b'{"operations":[],"pad":"' + pad + b'"}'),
        ("repayment", loan.path + "/repayments", b'{"principal_fen":0,"interest_fen":1,"paid_on":"2025-12-31","pad":"' + pad + b'"}'),
    ]:
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {s.suite.tokens[loan.bank]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        r = raw_request(s.suite.port, head, body, s.s.hang_timeout)
        s.check(f"9 MiB JSON body ({what})", "413", _status(r), r.status == 413)


@hostile_check
def lowercase_bearer(s: Scenario) -> None:
    loan = s.suite.reserved["hostile"]
    r = s.client("").request("GET", loan.path, headers={"Authorization": f"bearer {s.suite.tokens[loan.bank]}"})
    s.check("Authorization: bearer (lower case)", "200", _status(r), r.status == 200)


@hostile_check
def content_type_jsonp(s: Scenario) -> None:
    loan = s.suite.reserved["hostile"]
    r = s.client(s.suite.tokens[loan.bank]).request("POST", loan.path + "/repayments", json.dumps(repayment()).encode(),
                                                    {"Content-Type": "application/jsonp"})
    s.check("Content-Type: application/jsonp", "415", _status(r), r.status == 415)


@hostile_check
def wrong_methods(s: Scenario) -> None:
    loan = s.suite.reserved["hostile"]
    c = s.client(s.suite.tokens[loan.bank])
    for method in ("PUT", "DELETE"):
        r = c.request(method, loan.path, json.dumps(repayment()).encode() if method == "PUT" else None,
                      {"Content-Type": "application/json"} if method == "PUT" else None)
        s.check(f"{method} on a loan", "405", _status(r), r.status == 405)


@hostile_check
def control_characters(s: Scenario) -> None:
    c = s.client()
    tag = uuid.uuid4().hex[:6].upper()
    for label, ch in (("NUL", "\u0000"), ("BEL", "\u0007")):
        r = c.request("POST", "/v1/banks", {"bank_id": f"FLT{label}{tag}", "name": f"Bad{ch}Bank", "licence": "B9999X000000001"})
        s.check(f"{label} in a bank name", "422", _status(r), r.status == 422)
        prefix = "91211303" + tag + ("N" if label == "NUL" else "B") + "00"
        r = c.request("POST", "/v1/borrowers", {"uscc": prefix + uscc_check(prefix), "name": f"Bad{ch}Borrower",
                                                 "industry": "C3841", "region": "211303", "tech_sme": True})
        s.check(f"{label} in a borrower name", "422", _status(r), r.status == 422)


@hostile_check
def other_banks_asset(s: Scenario) -> None:
    a_loan = s.suite.reserved["hostile"]
    admin = s.client()
    loan = admin.request("GET", a_loan.path).json() or {}
    collateral = (loan.get("collateral") or [{}])[0]
    asset_id = collateral.get("asset_id")
    if not asset_id:
        s.check("asset pledged to another bank", "an asset to test with", f"loan {a_loan.path} has no collateral: {loan}", False)
        return
    asset = admin.request("GET", f"/v1/assets/{asset_id}").json() or {}
    other = next(b for b in s.suite.tokens if b != a_loan.bank and b != "admin")
    b = s.client(s.suite.tokens[other])
    r = b.request("POST", f"/v1/assets/{asset_id}/valuations",
                  {"valuation_id": f"FLT-V-{uuid.uuid4().hex[:8]}", "appraiser": "faults", "method": "market",
                   "value_fen": 100000, "valued_on": "2025-12-30", "report_ref": "faults"})
    s.check(f"bank:{other} values an asset pledged to a bank:{a_loan.bank} loan", "403 or 404", _status(r), r.status in (403, 404))
    valuation = collateral.get("valuation_id") or asset.get("latest_valuation") or ""
    r = b.request("POST", f"/v1/banks/{other}/loans",
                  {"contract_no": f"FLT-{uuid.uuid4().hex[:10]}", "borrower": asset.get("owner", ""), "principal_fen": 10_000_000,
                   "rate_bp": 400, "originated_on": "2025-12-30", "matures_on": "2026-12-30",
                   "collateral": [{"asset_id": asset_id, "registration_no": "FLT-REG-1", "valuation_id": valuation}]})
    text = r.body.decode("utf-8", "replace")
    leaks = [x for x in (a_loan.bank, a_loan.contract) if x in text]
    s.check(f"bank:{other} pledges an asset pledged to bank:{a_loan.bank}", f"409 without '{a_loan.bank}'",
            f"{_status(r)}" + (f", mentions {', '.join(leaks)}: {text[:200]}" if leaks else ""), r.status == 409 and not leaks)


@hostile_check
def token_for_missing_bank(s: Scenario) -> None:
    r = run([s.s.binary, "tokens", "create", "--role", "bank:NOPE", "--name", "faults"], 60, env=s.suite.cli_env(), cwd=s.s.repo)
    s.check("tokens create --role bank:NOPE", "non-zero exit", f"exit {r.returncode}", r.returncode != 0)


@hostile_check
def csv_duplicate_column(s: Scenario) -> None:
    loan = s.suite.reserved["hostile"]
    body = f"op,contract_no,principal_fen,interest_fen,paid_on,paid_on\nrepayment,{loan.contract},0,1,{PAID_ON},{PAID_ON}\n".encode()
    r = s.client(s.suite.tokens[loan.bank]).request("POST", f"/v1/banks/{loan.bank}/reports", body, {"Content-Type": "text/csv"})
    j = r.json() or {}
    named = "paid_on" in (str(j.get("detail", "")) + str(j.get("field", "")))
    got = _status(r) + (f" field={j.get('field')} detail: {j.get('detail')}" if isinstance(j, dict) and j.get("detail") else f" {r.describe(120)}")
    # A CSV whose structure is wrong is a malformed body (400), like any CSV parse error; the
    # detail names the column and line 1.
    s.check("CSV header with a duplicated column", "400 naming paid_on", got, r.status == 400 and named)


@hostile_check
def concurrent_bulk_reports(s: Scenario) -> None:
    banks = [b for b in s.suite.bulk_loans if s.suite.bulk_loans[b]][:4]
    results: list[tuple[str, Resp]] = []
    lock = threading.Lock()

    def send(bank: str) -> None:
        ops = [{"op": "repayment", "contract_no": l.contract, **repayment()} for l in s.suite.bulk_loans[bank]]
        r = Client(s.suite.port, s.s.hang_timeout, s.suite.tokens[bank]).request(
            "POST", f"/v1/banks/{bank}/reports", {"operations": ops}, {"Idempotency-Key": str(uuid.uuid4())})
        with lock:
            results.append((bank, r))

    threads = [threading.Thread(target=send, args=(b,), daemon=True) for b in banks for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=s.s.hang_timeout + 10)
    got = collections.Counter(_status(r) for _, r in results)
    for bank, r in results:
        if r.status != 200:
            LOG.detail(f"bulk report {bank}: {r.describe()}")
    s.check(f"{len(banks)} banks × 2 bulk reports at once, under load", "all 200", _counts(got),
            len(results) == len(threads) and all(r.status == 200 for _, r in results))


def uscc_check(prefix: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(ch) * w for ch, w in zip(prefix, weights))
    return alphabet[(31 - total % 31) % 31]


def _counts(counter: collections.Counter) -> str:
    return ", ".join(f"{k}×{v}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1])) or "none"


# --------------------------------------------------------------------------- the suite

@dataclass
class Row:
    scenario: str
    acked: int
    missing: int
    dup: int
    hangs: int
    e5xx: int
    s503: int
    max_latency: float
    recovery: Optional[float]   # None: no fault, or never recovered (see recovered)
    recovered: Optional[bool]
    chain: str
    passed: bool
    statuses: dict
    readyz: str
    notes: list
    failures: list
    checks: list


class Suite:
    def __init__(self, s: Settings):
        self.s = s
        self.port = free_port()
        self.cluster = Cluster(s)
        self.server = Server(s, self.port)
        self.tokens: dict[str, str] = {}
        self.admin = ""
        self.writer_loans: list[Loan] = []
        self.reserved: dict[str, Loan] = {}
        self.bulk_loans: dict[str, list[Loan]] = {}
        self.rows: list[Row] = []

    def cli_env(self) -> dict:
        return dict(os.environ, DATABASE_URL=self.s.database_url, PLEDGER_LOG_LEVEL="warning")

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        r = run([self.s.binary, *args], timeout, env=self.cli_env(), cwd=self.s.repo)
        LOG.detail(f"pledger {' '.join(args)} → exit {r.returncode}")
        return r

    # ---- setup
    def setup(self) -> None:
        LOG.say(f"== setup: migrate, demo district, tokens (binary {self.s.binary})")
        for args in (("db", "migrate"), ("demo", "--scale", str(self.s.demo_scale)), ("projections", "catch-up")):
            r = self.cli(*args)
            if r.returncode != 0:
                raise SystemExit(f"pledger {' '.join(args)} failed ({r.returncode}): {(r.stderr or r.stdout)[-800:]}")
        self.admin = self.token("admin")
        self.tokens["admin"] = self.admin
        self.server.start()
        if not self.server.wait_healthy(60):
            raise SystemExit("the server did not become healthy: " + "\n".join(self.server.log_tail()))
        admin = Client(self.port, 30, self.admin)
        banks = [b["bank_id"] for b in (admin.request("GET", "/v1/banks").json() or {}).get("items", [])]
        loans: dict[str, list[Loan]] = {}
        for bank in banks:
            self.tokens[bank] = self.token(f"bank:{bank}")
            page = self.loans_of(admin, bank)
            loans[bank] = [Loan(bank, l["contract_no"]) for l in page
                           if l.get("status") == "active" and str(l.get("originated_on", "")) <= PAID_ON]
        if sum(len(v) for v in loans.values()) < 12:
            raise SystemExit(f"too few active loans to load: {({b: len(v) for b, v in loans.items()})}")
        main = max(loans, key=lambda b: len(loans[b]))
        for role in ("probe", "same-key", "overflow", "hostile"):
            self.reserved[role] = loans[main].pop()
        # Bulk reports touch loans the writers use too: concurrency is the point.
        self.bulk_loans = {b: v[:5] for b, v in sorted(loans.items(), key=lambda kv: -len(kv[1]))}
        order = [l for group in zip(*[v + [None] * (max(map(len, loans.values())) - len(v)) for v in loans.values()]) for l in group if l]
        self.writer_loans = order
        first = Load(self, 0, []).write_once(Client(self.port, 15.0), self.reserved["probe"], 15.0)
        if not first.acked:
            raise SystemExit(f"the server cannot record a single repayment ({first.outcome}); nothing to test. Server log:\n"
                             + "\n".join(self.server.log_tail(10)))
        LOG.say(f"   {len(order)} active loans for {self.s.writers} writers across {', '.join(f'{b}:{len(v)}' for b, v in loans.items())}; "
                f"server on 127.0.0.1:{self.port}, cluster on 127.0.0.1:{self.s.pg_port}")

    def token(self, role: str) -> str:
        r = self.cli("tokens", "create", "--role", role, "--name", "faults", timeout=60)
        if r.returncode != 0 or not r.stdout.strip():
            raise SystemExit(f"tokens create --role {role} failed: {r.stderr[-400:]}")
        return r.stdout.strip().splitlines()[-1]

    @staticmethod
    def loans_of(client: Client, bank: str) -> list[dict]:
        items, cursor = [], ""
        for _ in range(50):
            r = client.request("GET", f"/v1/banks/{bank}/loans?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
            if r.status != 200:
                raise SystemExit(f"GET /v1/banks/{bank}/loans: {r.describe()}")
            j = r.json()
            items += j.get("items", [])
            cursor = j.get("next_cursor")
            if not cursor:
                break
        return items

    # ---- one scenario
    def run_scenario(self, name: str, body: Callable[[Scenario], None], index: int, total: int) -> Row:
        summary = " ".join((body.__doc__ or "").strip().split("\n\n")[0].split())
        LOG.say(f"== scenario {name} ({index}/{total}): {summary}")
        sc = Scenario(self, name)
        started = now()
        sc.load.start()
        try:
            body(sc)
        except Exception as e:
            sc.fail(f"the scenario raised {type(e).__name__}: {e}")
            LOG.detail(traceback.format_exc())
        remaining = self.s.load_seconds - (now() - started)
        if sc.fault_end is not None:
            remaining = max(remaining, self.s.after_fault - (now() - sc.fault_end))
        time.sleep(max(0.0, remaining))
        sc.load.stop()
        for fn in sc.after_load_checks:
            try:
                fn()
            except Exception as e:
                sc.fail(f"an after-load check raised {type(e).__name__}: {e}")
                LOG.detail(traceback.format_exc())
        self.heal(sc)
        return self.audit(sc)

    def probe_write(self, sc: Scenario, within: float = 12.0) -> Write:
        """One ordinary write on the probe loan, retried for `within` seconds."""
        probe_load = Load(self, 0, [])
        w = probe_load.write_once(Client(self.port, min(self.s.hang_timeout, 10.0)), self.reserved["probe"], within)
        sc.extra_writes.append(w)
        for message in probe_load.oddities:
            sc.note(f"probe: {message}")
        return w

    def heal(self, sc: Scenario) -> None:
        """After the load: Postgres and the server must answer again; restarting either is a failure."""
        if not self.cluster.running():
            sc.fail("PostgreSQL was not running after the scenario; started it again")
            self.cluster.ensure_running()
        if not self.server.alive():
            sc.fail(f"the server was not running after the scenario (exit code {self.server.proc.returncode}); started it again")
            self.server.start()
            self.server.wait_healthy()
        w = self.probe_write(sc)
        if not w.acked:
            sc.fail(f"the server was wedged after the scenario: no write succeeded within 12 s ({w.outcome}); restarted it with kill -9")
            sc.note("server log tail: " + " | ".join(self.server.log_tail(8)))
            self.server.restart()
            w = self.probe_write(sc)
            if not w.acked:
                sc.fail("even after a restart no write succeeded")

    def audit(self, sc: Scenario) -> Row:
        load = sc.load
        verify = self.cli("verify", timeout=300)
        chain_ok = verify.returncode == 0
        if not chain_ok:
            sc.fail(f"pledger verify exited {verify.returncode}: {(verify.stdout + verify.stderr).strip()[-300:]}")
        export_path = os.path.join(self.s.work, "export.jsonl")
        ex = self.cli("export", "--out", export_path, timeout=300)
        ids: set[str] = set()
        by_key: dict[str, list[str]] = collections.defaultdict(list)
        if ex.returncode != 0:
            sc.fail(f"pledger export exited {ex.returncode}: {ex.stderr.strip()[-300:]}")
        else:
            with open(export_path, encoding="utf-8") as f:
                for line in f:
                    e = json.loads(line)
                    ids.add(e["event_id"])
                    key = (e.get("meta") or {}).get("idempotency_key")
                    if key:
                        for k in UUID_RE.findall(key.lower()):
                            by_key[k].append(e["event_id"])
        writes = load.writes + sc.extra_writes
        acked = [w for w in writes if w.acked]
        per_write = max((len(w.event_ids) for w in acked), default=1) or 1
        missing = sum(1 for w in acked for i in w.event_ids if i not in ids) if ex.returncode == 0 else 0
        empty_acks = [w.key for w in acked if not w.event_ids]
        if empty_acks:
            sc.fail(f"{len(empty_acks)} acknowledged writes carried no event_ids")
        dup, unkeyed = 0, 0
        for w in writes:
            found = len(by_key.get(w.key, []))
            allowed = sc.expect_keys.get(w.key, len(w.event_ids) if w.acked else per_write)
            if found > allowed:
                dup += 1
                LOG.detail(f"[{sc.name}] duplicate: key {w.key} on {w.loan.path} has {found} events, its write {allowed}: {by_key[w.key]}")
            elif w.acked and found == 0 and ex.returncode == 0:
                unkeyed += 1
                LOG.detail(f"[{sc.name}] acknowledged key {w.key} is on no event's meta.idempotency_key")
        if missing:
            sc.fail(f"{missing} acknowledged event_ids are not in the export")
            for w in acked:
                lost = [i for i in w.event_ids if i not in ids]
                if lost:
                    LOG.detail(f"[{sc.name}] missing: key {w.key} on {w.loan.path}: {lost}")
        if dup:
            sc.fail(f"{dup} idempotency keys have more events than their write")
        if unkeyed:
            sc.fail(f"{unkeyed} acknowledged keys are on no event's meta.idempotency_key: duplicates cannot be checked")

        timeouts = sum(1 for a in load.attempts if a.status == "timeout")
        hangs = timeouts + sc.extra_hangs
        e5xx = sum(1 for a in load.attempts if a.is_5xx)
        s503 = sum(1 for a in load.attempts if a.status == 503)
        max_latency = max((a.latency for a in load.attempts), default=0.0)
        outcomes = collections.Counter(w.outcome for w in load.writes)
        for outcome in ("refused-on-retry", "rejected", "gave-up"):
            if outcomes.get(outcome):
                sc.fail(f"{outcomes[outcome]} logical writes {outcome}")
        if timeouts:
            sc.fail(f"{timeouts} requests got no answer within {self.s.hang_timeout:.0f} s")
        if e5xx:
            sc.fail(f"{e5xx} answers were 5xx other than 503")
        no_ra = sum(1 for a in load.attempts if a.status == 503 and not a.retry_after)
        if no_ra:
            sc.note(f"{no_ra} 503 answers had no Retry-After")
        for message in load.oddities[:6]:
            sc.note(message)
        if len(load.oddities) > 6:
            sc.note(f"… {len(load.oddities) - 6} more in out/faults.log")

        recovery, recovered = None, None
        if sc.fault_end is not None:
            after = [a.t1 for a in load.attempts if a.t0 >= sc.fault_end and a.ok]
            after += [w.started for w in sc.extra_writes if w.acked and w.started >= sc.fault_end and w.loan != self.reserved["probe"]]
            recovered = bool(after)
            recovery = (min(after) - sc.fault_end) if after else None
            if not recovered:
                sc.fail("no write was acknowledged after the fault ended (while the load ran)")
        readyz = ""
        if sc.fault_start is not None:
            end = sc.fault_end or load.stop_time
            during = _counts(collections.Counter(label for t, label in load.readyz if sc.fault_start <= t <= end))
            after = _counts(collections.Counter(label for t, label in load.readyz if end < t))
            readyz = f"during the fault {during}; after it {after}"
            sc.note(f"/readyz {readyz}")
        passed = not sc.failures
        row = Row(sc.name, sum(1 for w in load.writes if w.acked), missing, dup, hangs, e5xx, s503, max_latency, recovery, recovered,
                  "ok" if chain_ok else "BROKEN", passed, dict(load.statuses), readyz, sc.notes, sc.failures,
                  [c.__dict__ for c in sc.checks])
        LOG.say(f"   {'pass' if passed else 'FAIL'}: acked {row.acked}, missing {missing}, dup {dup}, hangs {hangs}, 5xx {e5xx}, "
                f"503 {s503}, max {max_latency:.2f} s, recovery {_recovery(row)}, statuses {_counts(load.statuses)}"
                + (f", /readyz {readyz}" if readyz else ""))
        for failure in sc.failures:
            LOG.say(f"   ✗ {failure}")
        return row

    # ---- all of it
    def plan(self) -> list[tuple[str, Callable[[Scenario], None]]]:
        unknown = set(self.s.only) - {name for name, _, _ in SCENARIOS}
        if unknown:
            raise SystemExit(f"no scenario {', '.join(sorted(unknown))}; there are {', '.join(n for n, _, _ in SCENARIOS)}")
        plan = []
        for name, fn, repeat in SCENARIOS:
            if self.s.only and name not in self.s.only:
                continue
            n = 1 if self.s.quick else repeat
            plan += [(name if n == 1 else f"{name} #{i + 1}", fn) for i in range(n)]
        return plan

    def run(self) -> bool:
        plan = self.plan()
        self.setup()
        for index, (name, fn) in enumerate(plan, 1):
            self.rows.append(self.run_scenario(name, fn, index, len(plan)))
        return all(r.passed for r in self.rows)

    def stop(self) -> None:
        if self.server.proc is not None and self.server.alive():
            took = self.server.sigterm(10)
            if took is None:
                self.server.kill9()


def _recovery(row: Row) -> str:
    if row.recovered is None:
        return "—"
    return f"{row.recovery:.2f} s" if row.recovered else "never"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def table(rows: list[Row]) -> str:
    head = ["scenario", "acked", "missing", "dup", "hangs", "5xx", "503s", "max latency", "recovery", "chain", "result"]
    body = [[r.scenario, str(r.acked), str(r.missing), str(r.dup), str(r.hangs), str(r.e5xx), str(r.s503),
             f"{r.max_latency:.2f} s", _recovery(r), r.chain, "pass" if r.passed else "FAIL"] for r in rows]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    left = {0, 9, 10}

    def fmt(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(head), "-+-".join("-" * w for w in widths)] + [fmt(b) for b in body])


def check_table(rows: list[Row]) -> str:
    checks = [(r.scenario, c) for r in rows for c in r.checks]
    if not checks:
        return ""
    head = ["scenario", "check", "expected", "got", "result"]
    body = [[sc, c["name"], c["expected"], c["got"][:90], "pass" if c["ok"] else "FAIL"] for sc, c in checks]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    fmt = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths))
    return "\n".join([fmt(head), "-+-".join("-" * w for w in widths)] + [fmt(b) for b in body])


def _interrupted(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    p = argparse.ArgumentParser(description="Pledger fault suite (run it through scripts/faults).")
    p.add_argument("--quick", action="store_true", help="short variant (CI): 8 writers, one round of each scenario")
    p.add_argument("--bin", required=True, help="the pledger binary")
    p.add_argument("--pg-port", type=int, required=True)
    p.add_argument("--pgdata", required=True, help="the data folder of the suite's own, running cluster")
    p.add_argument("--work", required=True, help="scratch folder")
    p.add_argument("--only", default="", help="comma-separated scenario names (development)")
    a = p.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(repo, "out")
    os.makedirs(out, exist_ok=True)
    global LOG
    LOG = Log(os.path.join(out, "faults.log"))
    s = Settings.for_mode(a.quick, repo=repo, binary=os.path.abspath(a.bin), pg_port=a.pg_port, pgdata=a.pgdata, work=a.work,
                          out=out, only=[x for x in a.only.split(",") if x])
    LOG.say(f"== faults ({'quick' if s.quick else 'full'}): {s.writers} writers, {s.load_seconds:.0f} s load per scenario, "
            f"hang timeout {s.hang_timeout:.0f} s")
    suite = Suite(s)
    signal.signal(signal.SIGTERM, _interrupted)
    started = now()
    passed = False
    error = ""
    try:
        passed = suite.run()
    except SystemExit as e:
        error = str(e)
        LOG.say(f"faults: {e}")
    except KeyboardInterrupt:
        error = "interrupted"
        LOG.say("faults: interrupted")
    finally:
        suite.stop()
        try:
            with open(suite.server.log_path, "rb") as src, open(os.path.join(out, "faults-server.log"), "wb") as dst:
                dst.write(src.read())
        except OSError:
            pass
    elapsed = now() - started
    passed = passed and not error and bool(suite.rows)
    if suite.rows:
        print()
        print(table(suite.rows))
        checks = check_table(suite.rows)
        if checks:
            print()
            print(checks)
        # Failures other than the checks (those are in the table above).
        why = [(r.scenario, f) for r in suite.rows for f in r.failures
               if f not in {f"{c['name']}: expected {c['expected']}, got {c['got']}" for c in r.checks}]
        if why:
            print("\nwhy:")
            for sc, f in why:
                print(f"  [{sc}] ✗ {f[:300]}")
        notes = [(r.scenario, n) for r in suite.rows for n in r.notes]
        if notes:
            print("\nnotes (details in out/faults.log):")
            for sc, n in notes:
                print(f"  [{sc}] {n[:300]}")
    result = {"mode": "quick" if s.quick else "full", "binary": s.binary, "passed": passed, "error": error,
              "seconds": round(elapsed, 1), "settings": {k: v for k, v in s.__dict__.items() if isinstance(v, (int, float, bool))},
              "scenarios": [r.__dict__ for r in suite.rows]}
    with open(os.path.join(out, "faults.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, ensure_ascii=False, default=str)
    print(f"\nfaults: {'PASS' if passed else 'FAIL'} in {elapsed:.0f} s — out/faults.json, out/faults.log, out/faults-server.log")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
