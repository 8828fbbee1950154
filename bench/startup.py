"""Start-up time and peak memory of ``footwork packs`` and of the app's first request, with 4 and 204 packs.

Each measurement runs in a fresh subprocess, timed from ``fork`` to exit, and its peak resident memory
is read from the kernel's accounting for that one child (``os.wait4``'s ``ru_maxrss``). Each is run
``--repeat`` times; the median time and the largest peak are printed.

* ``footwork packs``: the console script, listing what is installed.
* ``load_catalog()``: only the core discovering and loading the packs, which is all ``footwork packs``
  needs: the difference between the two is what the CLI pays for importing more than that.
* WSGI first: a fresh interpreter imports ``footwork.skill.wsgi`` as a gunicorn worker does
  (verification off, a temporary SQLite file, from the environment) and calls its ``app`` with one
  LaunchRequest, as a WSGI server calls it. It also reports its own phases (import, first request,
  second request) from inside, and whether Flask got imported.
* Lambda first: a fresh interpreter imports ``footwork.skill`` and calls ``lambda_handler`` with a
  LaunchRequest event, as a new Lambda instance does (the handler is built on the first event), then
  with a second one. It reports whether Flask or the certificate code (``cryptography``) got imported:
  the Lambda path needs neither.

"With 200 packs": 200 small generated packs (two exercises and one routine each) are put on
``PYTHONPATH`` next to a generated ``*.dist-info`` folder each (``METADATA`` and
``entry_points.txt``), which is all ``importlib.metadata`` needs to see an installed distribution and
its ``footwork`` entry point. That is what ``pip install`` leaves behind for a wheel, without building
200 wheels; the four real packs stay installed, so the figure is for 204 packs.

Run from the repository root::

    .venv/bin/python bench/startup.py            # about a minute
    .venv/bin/python bench/startup.py --packs 500 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOOTWORK = Path(sys.executable).with_name("footwork")

#: What ``footwork packs`` needs at the least: the core and the packs, without Flask or the Alexa SDK.
LOAD_CATALOG = "from footwork.core import load_catalog; load_catalog()"

#: The first-request probe: what a gunicorn worker does before it can answer, then one answer: import
#: ``footwork.skill.wsgi`` (settings from the environment), then call its ``app`` as a WSGI server
#: does, with a LaunchRequest. It reads its two LaunchRequests (two people) from a JSON file, so
#: building them costs it nothing, and prints the moment of its first answer on the system-wide
#: monotonic clock (``perf_counter``), which the parent subtracts its own start from: the time from
#: process start to the first answer.
FIRST_REQUEST = """
import io, json, os, sys, time
start = time.perf_counter()
os.environ.update(FOOTWORK_VERIFY="0", FOOTWORK_DEV="0", FOOTWORK_DB=sys.argv[1])
from footwork.skill import wsgi
imported = time.perf_counter()
with open(sys.argv[2], "rb") as file:
    events = json.load(file)
def post(event):
    body = json.dumps(event).encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/alexa", "SCRIPT_NAME": "", "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
               "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.input_terminated": True}
    started = []
    chunks = wsgi.app(environ, lambda status, headers, exc_info=None: started.append(status))
    answer = json.loads(b"".join(chunks))
    assert started == ["200 OK"], (started, answer)
    return answer
assert "<speak>" in post(events[0])["response"]["outputSpeech"]["ssml"]
first = time.perf_counter()
post(events[1])
second = time.perf_counter()
# An older checkout's wsgi.app is the Flask app, which keeps the service in its extensions.
service = getattr(wsgi, "service", None) or wsgi.app.extensions["footwork"]
print(json.dumps({"import": imported - start, "first": first - imported,
                  "second": second - first, "answered": first, "modules": len(sys.modules),
                  "packs": len(service.catalog.packs), "flask": "flask" in sys.modules}))
"""

#: The Lambda probe: what a new Lambda instance does between its start and its first answer: import
#: the handler's module (``footwork.skill``), then call ``lambda_handler`` with a LaunchRequest event,
#: then with a second one. Whatever the handler does at import and on the first event is in it.
LAMBDA_FIRST_REQUEST = """
import json, sys, time
start = time.perf_counter()
from footwork.skill import lambda_handler
imported = time.perf_counter()
with open(sys.argv[1], "rb") as file:
    events = json.load(file)
answer = lambda_handler(events[0], None)
assert "<speak>" in answer["response"]["outputSpeech"]["ssml"], answer
first = time.perf_counter()
answer = lambda_handler(events[1], None)
second = time.perf_counter()
print(json.dumps({"import": imported - start, "first": first - imported,
                  "second": second - first, "answered": first, "modules": len(sys.modules), "packs": None,
                  **{name: name in sys.modules for name in ("flask", "cryptography", "dateutil.parser",
                                                            "boto3", "ask_sdk_model.services")}}))
"""


@dataclass
class Run:
    """One subprocess: wall seconds, peak RSS in MiB, and what it printed."""

    seconds: float
    peak_mib: float
    stdout: str
    #: User + system CPU seconds of the child: on a busy machine far steadier than wall time.
    cpu_seconds: float = 0.0
    #: Seconds from the start of the process to its first answer, when it reports one; else to its exit.
    answered: float = 0.0


def measure(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command``; return its wall time and the peak RSS of that child alone (``os.wait4``)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    # Read the output first (a full pipe would block the child), then reap it with wait4 for its rusage.
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} exited {process.returncode}:\n{stderr.decode()[-2000:]}")
    answered = seconds
    lines = stdout.decode().strip().splitlines()
    if lines and lines[-1].startswith("{"):
        # perf_counter is CLOCK_MONOTONIC on Linux: one clock for every process on the machine.
        answered = json.loads(lines[-1]).get("answered", start + seconds) - start
    # ru_maxrss is in KiB on Linux.
    return Run(seconds, usage.ru_maxrss / 1024, stdout.decode(), usage.ru_utime + usage.ru_stime, answered)


PACK_TOML = """\
schema = 1

[pack]
name = "{name}"
title = "Generated pack {number}"
description = "A small pack generated by bench/startup.py."

[pack.source]
title = "bench/startup.py"

[[exercises]]
id = "lift"
name = "Lift {number}"
position = "seated"
steps = [
  {{ say = "Lift your foot." }},
  {{ hold = 5 }},
  {{ repeat = 3 }},
]

[[exercises]]
id = "point"
name = "Point {number}"
position = "seated"
steps = [
  {{ say = "Point your toes." }},
  {{ hold = 3 }},
  {{ repeat = 5 }},
]

[[routines]]
id = "{name}-routine"
title = "Generated routine {number}"
cautions = ["Move only within a pain-free range of motion."]
exercises = ["lift", "point"]
"""


def generate_packs(root: Path, count: int) -> Path:
    """Write ``count`` importable packs, each with a ``.dist-info`` naming its entry point."""
    root.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        name = f"gen{number:04d}"
        module = f"footwork_gen_{number:04d}"
        package = root / module
        package.mkdir()
        (package / "__init__.py").write_text(f'"""Generated pack {number}."""\n', encoding="utf-8")
        (package / "pack.toml").write_text(PACK_TOML.format(name=name, number=number), encoding="utf-8")
        info = root / f"{module}-1.0.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: footwork-gen-{number:04d}\nVersion: 1.0.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[footwork]\n{name} = {module}\n", encoding="utf-8")
        (info / "top_level.txt").write_text(module + "\n", encoding="utf-8")
    return root


def summarise(runs: list[Run]) -> tuple[float, float, float, float]:
    """Median seconds to exit, largest peak MiB, median CPU seconds and median seconds to the first answer."""
    return (statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs),
            statistics.median(r.cpu_seconds for r in runs), statistics.median(r.answered for r in runs))


#: Writes two LaunchRequests from two people, as the probes send them. In a child process, as is all
#: the set-up: ``ru_maxrss`` of a forked child starts from its parent's size, so the parent stays small.
WRITE_EVENTS = """
import json, sys
from footwork.skill.dev.envelopes import Conversation
with open(sys.argv[1], "w", encoding="utf-8") as file:
    json.dump([Conversation().launch(), Conversation().launch()], file)
"""

#: Starts moto's DynamoDB server over loopback as the tests do, creates a table, prints its URL and the
#: dummy credentials, and keeps the server until its standard input closes.
MOTO_TABLE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from store_servers import AWS_ENV, Unavailable, run_moto
try:
    with run_moto() as moto:
        print(json.dumps({"url": moto.new_table(), "env": AWS_ENV}), flush=True)
        sys.stdin.read()
except Unavailable as error:
    print(json.dumps({"unavailable": str(error)}), flush=True)
"""


@contextmanager
def dynamodb_table() -> Iterator[tuple[str, dict[str, str]] | None]:
    """A new table on moto's DynamoDB server, with the credentials to use it; None without moto."""
    helper = subprocess.Popen([sys.executable, "-c", MOTO_TABLE, str(REPO / "tests")], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        told = json.loads(helper.stdout.readline() or '{"unavailable": "the moto helper failed"}')  # type: ignore[union-attr]
        if "unavailable" in told:
            print(f"(no DynamoDB rows: {told['unavailable']})")
            yield None
        else:
            yield told["url"], told["env"]
    finally:
        helper.stdin.close()  # type: ignore[union-attr]
        helper.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    """Measure with the installed packs and with ``--packs`` generated ones; print both and the growth."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packs", type=int, default=200, help="how many packs to generate")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a folder holding footwork/core and footwork/skill of "
                        "another checkout, put first on PYTHONPATH: the same figures for that code")
    parser.add_argument("--no-bytecode", action="store_true", help="compile Footwork and the packs from "
                        "source in every run, as a deployment without their .pyc files does: their "
                        "__pycache__ folders are removed and PYTHONDONTWRITEBYTECODE=1 keeps them away")
    parser.add_argument("--only", help="comma-separated rows to measure (e.g. 'Lambda first,WSGI first')")
    parser.add_argument("--no-dynamodb", action="store_true", help="skip the Lambda rows on moto's DynamoDB")
    options = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="footwork-startup-"))
    try:
        with ExitStack() as stack:
            return _measure_all(options, scratch, stack)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _measure_all(options: argparse.Namespace, scratch: Path, stack: ExitStack) -> int:
    generated = generate_packs(scratch / "site", options.packs)
    events = str(scratch / "events.json")
    subprocess.run([sys.executable, "-c", WRITE_EVENTS, events], check=True, cwd=REPO)
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "FOOTWORK_PACKS", "PYTHONDONTWRITEBYTECODE")}
    if options.no_bytecode:
        base["PYTHONDONTWRITEBYTECODE"] = "1"
        sources = [REPO / "core", REPO / "skill", REPO / "packs", generated]
        for folder in sources + ([options.before] if options.before else []):
            for cache in Path(folder).resolve().rglob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
    # The code measured: this checkout, and with --before the other one too, run in turn within each
    # round, so that a burst of other work on the machine falls on both alike.
    codes = {"before": [str(options.before)], "after": []} if options.before else {"this": []}
    few, many = "4", f"+{options.packs}"
    dynamodb = None if options.no_dynamodb else stack.enter_context(dynamodb_table())

    def probes(code: str, packs: str) -> dict[str, tuple[list[str], dict[str, str]]]:
        path = [*codes[code], *([str(generated)] if packs == many else [])]
        env = {**base, "PYTHONPATH": os.pathsep.join(path)} if path else dict(base)
        label = f"{code}-{packs}"
        lambda_env = {**env, "FOOTWORK_SKILL_ID": "any"}
        found = {
            "footwork packs": ([str(FOOTWORK), "packs"], env),
            "load_catalog()": ([sys.executable, "-c", LOAD_CATALOG], env),
            "WSGI first": ([sys.executable, "-c", FIRST_REQUEST, str(scratch / f"{label}.sqlite3"), events],
                           env),
            "Lambda first": ([sys.executable, "-c", LAMBDA_FIRST_REQUEST, events],
                             {**lambda_env, "FOOTWORK_DB": str(scratch / f"{label}-lambda.sqlite3")}),
        }
        if dynamodb is not None:
            url, aws = dynamodb
            found["Lambda DynamoDB"] = ([sys.executable, "-c", LAMBDA_FIRST_REQUEST, events],
                                        {**lambda_env, **aws, "FOOTWORK_DB": url})
        wanted = options.only.split(",") if options.only else list(found)
        return {what: probe for what, probe in found.items() if what in wanted or what == "WSGI first"}

    started_load = os.getloadavg()
    baseline_runs = [measure([sys.executable, "-c", "pass"], base) for _ in range(options.repeat)]
    rows: dict[tuple[str, str, str], tuple[float, float, float, float]] = {}
    reports: dict[tuple[str, str, str], dict[str, float]] = {}
    for packs in (few, many):
        table = {code: probes(code, packs) for code in codes}
        for what in table[next(iter(codes))]:
            if not options.no_bytecode:
                for code in codes:
                    # Once untimed, so that every module's bytecode is cached as pip leaves it on install.
                    measure(*table[code][what])
            runs: dict[str, list[Run]] = {code: [] for code in codes}
            for _ in range(options.repeat):
                for code in codes:
                    runs[code].append(measure(*table[code][what]))
            for code, done in runs.items():
                rows[(code, packs, what)] = summarise(done)
                lasts = [run.stdout.strip().splitlines()[-1:] for run in done]
                printed = [json.loads(last[0]) for last in lasts if last and last[0].startswith("{")]
                if printed:
                    reports[(code, packs, what)] = {
                        key: statistics.median(float(r[key] or 0) for r in printed)
                        for key in printed[0] if key != "answered"}
    baseline_runs += [measure([sys.executable, "-c", "pass"], base) for _ in range(options.repeat)]
    baseline = summarise(baseline_runs)
    count = {packs: int(reports[(next(iter(codes)), packs, "WSGI first")]["packs"]) for packs in (few, many)}

    print(f"python -c pass: {baseline[0] * 1e3:.0f} ms (CPU {baseline[2] * 1e3:.0f} ms), peak "
          f"{baseline[1]:.1f} MiB; bytecode {'compiled in every run' if options.no_bytecode else 'cached'}; "
          f"load average {' '.join(f'{x:.2f}' for x in started_load)} at the start, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print(f"medians of {options.repeat} runs" + (", the two checkouts in turn in each round" if options.before
                                                 else "") + "; ms, MiB")
    header = "".join(f"{code + ': to answer':>19}{'to exit':>9}{'CPU':>7}{'MiB':>7}" for code in codes)
    print(f"\n{'packs':<7}{'what':<17}{header}")
    for packs in (few, many):
        for what in probes(next(iter(codes)), packs):
            cells = ""
            for code in codes:
                seconds, peak, cpu, answered = rows[(code, packs, what)]
                cells += f"{answered * 1e3:>19.0f}{seconds * 1e3:>9.0f}{cpu * 1e3:>7.0f}{peak:>7.1f}"
            print(f"{count[packs]:<7}{what:<17}{cells}")
    print("\nphases inside the process (median ms):")
    for (code, packs, what), report in reports.items():
        parts = ", ".join(f"{key} {report[key] * 1e3:.0f}" for key in ("import", "first", "second"))
        flags = ", ".join(f"{key} {'yes' if report[key] else 'no'}" for key in
                          ("flask", "cryptography", "dateutil.parser", "boto3", "ask_sdk_model.services")
                          if key in report)
        print(f"  {code}, {what}, {count[packs]} packs: {parts}; {int(report['modules'])} modules"
              + (f"; imported: {flags}" if flags else ""))
    print(f"\ngrowth from {count[few]} to {count[many]} packs (time to answer; CPU):")
    for code in codes:
        for what in probes(code, few):
            (_, m1, c1, t1), (_, m2, c2, t2) = rows[(code, few, what)], rows[(code, many, what)]
            extra = options.packs
            print(f"  {code}, {what}: +{(t2 - t1) * 1e3:.0f} ms ({(t2 - t1) / extra * 1e3:.2f} ms per pack); "
                  f"CPU +{(c2 - c1) * 1e3:.0f} ms ({(c2 - c1) / extra * 1e3:.2f} ms per pack); "
                  f"+{m2 - m1:.1f} MiB ({(m2 - m1) / extra * 1024:.0f} KiB per pack)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
