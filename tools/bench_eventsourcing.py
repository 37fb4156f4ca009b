#!/usr/bin/env python3
"""The peer for scripts/bench: the Python `eventsourcing` library (9.5.6) with its PostgreSQL
*application* recorder — the recorder an eventsourcing application uses, which keeps a global
order (a notification_id per event, inserts serialised by a table lock so readers never pass
a gap) — appending to the same cluster with durable commits. Pledger's log keeps a global
order too (gap-free positions and a hash chain), so this is the like-for-like peer; the
aggregate recorder keeps no global order and would not be.

    bench_eventsourcing.py EVENTS [CLIENTS ...]     e.g. 20000 32 64

Prints, like PledgerBench:
    single       one client, one event per call
    clients=N    N threads (one pooled connection each), one event per call, own stream each
    batched      one client, 100 events per call
Needs POSTGRES_* in the environment (scripts/bench sets them)."""
import os, sys, threading, time
os.environ.setdefault("PERSISTENCE_MODULE", "eventsourcing.postgres")
from uuid import uuid4

total = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
client_counts = [int(c) for c in sys.argv[2:]]
os.environ["POSTGRES_POOL_SIZE"] = str(max(client_counts + [1]))
os.environ["POSTGRES_MAX_OVERFLOW"] = "0"
os.environ.setdefault("POSTGRES_LOCK_TIMEOUT", "0")

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent

factory = InfrastructureFactory.construct(env=dict(os.environ))
recorder = factory.application_recorder()
assert isinstance(recorder, ApplicationRecorder), type(recorder)
if hasattr(recorder, "create_table"):
    recorder.create_table()

STATE = b'{"interest_fen":1234,"paid_on":"2025-03-31","principal_fen":100}'

def events(stream, start, count):
    return [StoredEvent(originator_id=stream, originator_version=start + i, topic="bench:RepaymentReceived", state=STATE)
            for i in range(count)]

def report(name, count, seconds):
    print(f"{name:<12} {count:8d} events  {seconds:7.2f} s  {count / seconds:9.0f} events/s", flush=True)

single = min(total, 3000)
stream, started = uuid4(), time.perf_counter()
for n in range(single):
    recorder.insert_events(events(stream, n + 1, 1))
report("single", single, time.perf_counter() - started)

for clients in client_counts:
    per_client = total // clients
    barrier = threading.Barrier(clients + 1)
    failures = []

    def client():
        stream = uuid4()
        barrier.wait()
        try:
            for n in range(per_client):
                recorder.insert_events(events(stream, n + 1, 1))
        except Exception as error:  # reported below; a failed run must not look fast
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"clients={clients}: {len(failures)} client(s) failed: {failures[0]!r}")
    report(f"clients={clients}", per_client * clients, time.perf_counter() - started)

stream, started = uuid4(), time.perf_counter()
for batch in range(total // 100):
    recorder.insert_events(events(stream, batch * 100 + 1, 100))
report("batched", total, time.perf_counter() - started)
