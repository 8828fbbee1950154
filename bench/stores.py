"""Requests per second through the Footwork app for each progress store, as a ratio to SQLite.

In one run, for each store (a SQLite file; PostgreSQL started from Debian's binaries with its default,
durable settings; DynamoDB served by moto over loopback HTTP), the real app (verification off, so only
the store differs) answers "next" in the middle of a routine for ``--people`` people in turn: each
request reads that person's document and writes it back with a version check. Measured through Flask's
test client, so no HTTP server of ours adds noise; ``--threads`` clients at once.

Printed per store: requests/s (best of ``--rounds``), p50 and p99 latency, and the ratio to SQLite.
moto is a stand-in for DynamoDB, not a model of it: its figures show what the store code costs against
a local server, not what AWS's network round trip will cost (a few milliseconds in the same region).

Run from the repository root::

    .venv/bin/python bench/stores.py                       # about a minute
    .venv/bin/python bench/stores.py --seconds 3 --rounds 2 --threads 1,4
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from store_servers import Unavailable, run_moto, run_postgres  # noqa: E402


def footwork_app(url: str) -> Any:
    from footwork.skill.app import create_app

    return create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": url})


def conversations(app: Any, people: int) -> list[dict[str, Any]]:
    """One "next" request per person, each in the middle of the longest routine, their place saved."""
    from footwork.core import load_catalog
    from footwork.skill.envelopes import Conversation, SlotValue

    catalog = load_catalog()
    routine = max(catalog.routines, key=lambda r: sum(len(e.steps) for e in r.exercises)).id
    client = app.test_client()
    requests = []
    for _ in range(people):
        talk = Conversation()
        reply = client.post("/alexa", json=talk.intent("StartRoutineIntent",
                                                       {"routine": SlotValue(routine, routine, None)}))
        assert reply.status_code == 200, reply.data
        talk.receive(reply.get_json())
        requests.append(talk.intent("AMAZON.NextIntent"))
    return requests


def measure(app: Any, requests: list[dict[str, Any]], seconds: float, threads: int
            ) -> tuple[float, list[float]]:
    """Requests/s and every latency (ms) for ``threads`` clients sending ``requests`` round and round."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        test_client = app.test_client()
        mine: list[float] = []
        index = offset
        while time.perf_counter() < deadline:
            payload = requests[index % len(requests)]
            started = time.perf_counter()
            reply = test_client.post("/alexa", json=payload)
            mine.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200 or b"went wrong" in reply.data:
                failures.append(reply.data.decode()[:200])
            index += threads
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return len(latencies) / elapsed, latencies


@contextmanager
def stores(folder: Path, chosen: list[str]) -> Iterator[dict[str, str]]:
    """FOOTWORK_DB for each chosen store, its server running until the block ends."""
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        starters: dict[str, Callable[[], str]] = {
            "sqlite": lambda: str(folder / "bench.sqlite3"),
            "postgresql": lambda: stack.enter_context(run_postgres(durable=True)).new_database(),
            "dynamodb": lambda: stack.enter_context(run_moto()).new_table(),
        }
        for name in chosen:
            try:
                urls[name] = starters[name]()
            except Unavailable as reason:
                print(f"{name}: skipped ({reason})")
        yield urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgresql,dynamodb")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per store; the best is kept")
    parser.add_argument("--threads", default="1,4", help="client thread counts, comma-separated")
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    chosen = [s.strip() for s in args.stores.split(",") if s.strip()]
    thread_counts = [int(t) for t in args.threads.split(",")]

    scratch = tempfile.TemporaryDirectory(prefix="footwork-bench-")
    with scratch, stores(Path(scratch.name), chosen) as urls:
        apps = {name: footwork_app(url) for name, url in urls.items()}
        requests = {name: conversations(app, args.people) for name, app in apps.items()}
        for threads in thread_counts:
            print(f"\n{threads} client thread(s), {args.people} people, "
                  "'next' (one read + one versioned write)")
            print("| store | req/s | p50 ms | p99 ms | ratio to SQLite |")
            print("|---|---:|---:|---:|---:|")
            best: dict[str, tuple[float, list[float]]] = {}
            for _ in range(args.rounds):
                # Interleaved rounds, so that a busy moment on the machine hits every store alike.
                for name, app in apps.items():
                    rate, latencies = measure(app, requests[name], args.seconds, threads)
                    if name not in best or rate > best[name][0]:
                        best[name] = (rate, latencies)
            baseline = best.get("sqlite", (0.0, []))[0]
            for name, (rate, latencies) in best.items():
                p50 = statistics.median(latencies)
                p99 = statistics.quantiles(latencies, n=100)[98]
                ratio = f"{rate / baseline:.2f}" if baseline else "-"
                print(f"| {name} | {rate:.0f} | {p50:.2f} | {p99:.2f} | {ratio} |")
        for app in apps.values():
            app.extensions["footwork"].persistence.close()


if __name__ == "__main__":
    main()
