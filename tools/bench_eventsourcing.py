#!/usr/bin/env python3
"""The peer: the Python `eventsourcing` library (9.5.6, PostgreSQL) appending to the same
cluster, one event per call and 100 per call, durable commits. Prints events/s like
pledger-bench. Needs POSTGRES_* in the environment (scripts/bench sets them)."""
import os, sys, time
os.environ.setdefault("PERSISTENCE_MODULE", "eventsourcing.postgres")
from uuid import uuid4
from eventsourcing.persistence import InfrastructureFactory, StoredEvent

total = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
factory = InfrastructureFactory.construct(env=dict(os.environ))
recorder = factory.aggregate_recorder()
if hasattr(recorder, "create_table"):
    recorder.create_table()

def events(stream, start, count):
    return [StoredEvent(originator_id=stream, originator_version=start + i, topic="bench:RepaymentReceived",
                        state=b'{"interest_fen":1234,"paid_on":"2025-03-31","principal_fen":100}') for i in range(count)]

def report(name, count, seconds):
    print(f"{name:<12} {count:8d} events  {seconds:7.2f} s  {count / seconds:9.0f} events/s")

single = min(total, 3000)
stream, started = uuid4(), time.perf_counter()
for n in range(single):
    recorder.insert_events(events(stream, n + 1, 1))
report("single", single, time.perf_counter() - started)

stream, started = uuid4(), time.perf_counter()
for batch in range(total // 100):
    recorder.insert_events(events(stream, batch * 100 + 1, 100))
report("batched", total, time.perf_counter() - started)
