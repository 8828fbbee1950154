"""Start-up time and peak memory of ``footwork packs`` and of the app's first request, with 4 and 204 packs.

Each measurement runs in a fresh subprocess, timed from ``fork`` to exit, and its peak resident memory
is read from the kernel's accounting for that one child (``os.wait4``'s ``ru_maxrss``). Each is run
``--repeat`` times; the median time and the largest peak are printed.

* ``footwork packs``: the console script, listing what is installed.
* ``load_catalog()``: only the core discovering and loading the packs, which is all ``footwork packs``
  needs: the difference between the two is what the CLI pays for importing more than that.
* first request: a fresh interpreter imports the app, calls ``create_app`` (verification off, a
  temporary SQLite file), and sends one LaunchRequest through Flask's test client. It also reports
  its own phases (import, create_app, first request, second request) from inside.
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
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOOTWORK = Path(sys.executable).with_name("footwork")

#: What ``footwork packs`` needs at the least: the core and the packs, without Flask or the Alexa SDK.
LOAD_CATALOG = "from footwork.core import load_catalog; load_catalog()"

#: The first-request probe: what a gunicorn worker does before it can answer, then one answer.
FIRST_REQUEST = """
import json, sys, time
start = time.perf_counter()
from footwork.skill.app import create_app
from footwork.skill.dev.envelopes import Conversation
imported = time.perf_counter()
app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": sys.argv[1]})
created = time.perf_counter()
client = app.test_client()
talk = Conversation()
answer = client.post("/alexa", json=talk.launch())
assert answer.status_code == 200 and "<speak>" in answer.get_json()["response"]["outputSpeech"]["ssml"]
first = time.perf_counter()
answer = client.post("/alexa", json=Conversation().launch())
assert answer.status_code == 200
second = time.perf_counter()
print(json.dumps({"import": imported - start, "create_app": created - imported, "first": first - created,
                  "second": second - first, "packs": len(app.extensions["footwork"].catalog.packs)}))
"""

#: The Lambda probe: what a new Lambda instance does between its start and its first answer. The
#: handler is built on the first event (``footwork.skill.lambda_handler``), so it is all in "first".
LAMBDA_FIRST_REQUEST = """
import json, os, sys, time
start = time.perf_counter()
from footwork.skill import lambda_handler
from footwork.skill.dev.envelopes import Conversation
imported = time.perf_counter()
answer = lambda_handler(Conversation().launch(), None)
assert "<speak>" in answer["response"]["outputSpeech"]["ssml"], answer
first = time.perf_counter()
answer = lambda_handler(Conversation().launch(), None)
second = time.perf_counter()
modules = sorted(sys.modules)
print(json.dumps({"import": imported - start, "create_app": 0.0, "first": first - imported,
                  "second": second - first, "packs": None, "flask": "flask" in sys.modules,
                  "cryptography": "cryptography" in sys.modules,
                  "dateutil": "dateutil.parser" in sys.modules}))
"""


@dataclass
class Run:
    """One subprocess: wall seconds, peak RSS in MiB, and what it printed."""

    seconds: float
    peak_mib: float
    stdout: str
    #: User + system CPU seconds of the child: on a busy machine far steadier than wall time.
    cpu_seconds: float = 0.0


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
    # ru_maxrss is in KiB on Linux.
    return Run(seconds, usage.ru_maxrss / 1024, stdout.decode(), usage.ru_utime + usage.ru_stime)


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


def summarise(runs: list[Run]) -> tuple[float, float, float]:
    """Median seconds, largest peak MiB and median CPU seconds of a set of runs."""
    return (statistics.median(r.seconds for r in runs), max(r.peak_mib for r in runs),
            statistics.median(r.cpu_seconds for r in runs))


def main(argv: list[str] | None = None) -> int:
    """Measure with the installed packs and with ``--packs`` generated ones; print both and the growth."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packs", type=int, default=200, help="how many packs to generate")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a folder holding footwork/core and footwork/skill of "
                        "another checkout, put first on PYTHONPATH: the same figures for that code")
    options = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="footwork-startup-"))
    try:
        generated = generate_packs(scratch / "site", options.packs)
        base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FOOTWORK_PACKS")}
        first_path = [str(options.before)] if options.before else []
        if first_path:
            base["PYTHONPATH"] = first_path[0]
        setups = {"installed": base,
                  f"+{options.packs}": {**base, "PYTHONPATH": os.pathsep.join([*first_path, str(generated)])}}
        rows: dict[tuple[str, str], tuple[float, float, float]] = {}
        phases: dict[str, dict[str, float]] = {}
        lambda_phases: dict[str, dict[str, float]] = {}
        baseline = summarise([measure([sys.executable, "-c", "pass"], base) for _ in range(options.repeat)])
        print(f"python -c pass: {baseline[0] * 1e3:.0f} ms (CPU {baseline[2] * 1e3:.0f} ms), "
              f"peak {baseline[1]:.1f} MiB")
        for label, env in setups.items():
            runs = [measure([str(FOOTWORK), "packs"], env) for _ in range(options.repeat)]
            rows[(label, "footwork packs")] = summarise(runs)
            runs = [measure([sys.executable, "-c", LOAD_CATALOG], env) for _ in range(options.repeat)]
            rows[(label, "load_catalog()")] = summarise(runs)
            first: list[Run] = []
            for attempt in range(options.repeat):
                database = scratch / f"{label}-{attempt}.sqlite3"
                first.append(measure([sys.executable, "-c", FIRST_REQUEST, str(database)], env))
            rows[(label, "first request")] = summarise(first)
            reports = [json.loads(run.stdout.strip().splitlines()[-1]) for run in first]
            phases[label] = {key: statistics.median(r[key] for r in reports) for key in reports[0]}
            for variant in ("today",):
                lambda_runs: list[Run] = []
                for attempt in range(options.repeat):
                    database = scratch / f"{label}-lambda-{variant}-{attempt}.sqlite3"
                    lambda_runs.append(measure([sys.executable, "-c", LAMBDA_FIRST_REQUEST], {
                        **env, "FOOTWORK_DB": str(database), "FOOTWORK_SKILL_ID": "any",
                        "BENCH_LAMBDA": variant, "BENCH_DIR": str(REPO / "bench")}))
                what = "Lambda first" if variant == "today" else "Lambda proposed"
                rows[(label, what)] = summarise(lambda_runs)
                reports = [json.loads(run.stdout.strip().splitlines()[-1]) for run in lambda_runs]
                lambda_phases[f"{label} {variant}"] = {
                    "packs": phases[label]["packs"],
                    **{key: statistics.median(r[key] for r in reports)
                       for key in ("import", "first", "second")},
                    **{key: float(any(r[key] for r in reports))
                       for key in ("flask", "cryptography", "dateutil")},
                }

        print(f"\n{'packs':<8}{'what':<18}{'median ms':>11}{'CPU ms':>9}{'peak MiB':>10}  (load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
        for (label, what), (seconds, peak, cpu) in rows.items():
            count = int(phases[label]["packs"])
            print(f"{count:<8}{what:<18}{seconds * 1e3:>11.0f}{cpu * 1e3:>9.0f}{peak:>10.1f}")
        print("\nfirst-request phases inside the process (median ms):")
        for report in phases.values():
            parts = ", ".join(f"{key} {report[key] * 1e3:.0f}" for key in ("import", "create_app", "first",
                                                                            "second"))
            print(f"  {int(report['packs'])} packs: {parts}")
        for label, report in lambda_phases.items():
            print(f"  Lambda {label.split()[-1]}, {int(report['packs'])} packs: import "
                  f"{report['import'] * 1e3:.0f}, first event (handler built + answer) "
                  f"{report['first'] * 1e3:.0f}, second {report['second'] * 1e3:.0f}; imported: Flask "
                  f"{bool(report['flask'])}, cryptography {bool(report['cryptography'])}, dateutil.parser "
                  f"{bool(report['dateutil'])}")
        few, many = setups
        print(f"\ngrowth from {int(phases[few]['packs'])} to {int(phases[many]['packs'])} packs:")
        for what in ("footwork packs", "load_catalog()", "first request", "Lambda first", "Lambda proposed"):
            if (few, what) not in rows:
                continue
            (t1, m1, _), (t2, m2, _) = rows[(few, what)], rows[(many, what)]
            extra = options.packs
            print(f"  {what}: +{(t2 - t1) * 1e3:.0f} ms ({(t2 - t1) / extra * 1e3:.2f} ms per pack), "
                  f"+{m2 - m1:.1f} MiB ({(m2 - m1) / extra * 1024:.0f} KiB per pack); x{t2 / t1:.2f} time")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
