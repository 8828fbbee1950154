"""Throughput and latency of the real endpoint under gunicorn, against a bare Flask endpoint, and per layer.

Two parts, in one run:

1. **Over HTTP.** For each worker count (1 sync worker, then one per core), gunicorn serves each
   chosen layer of :mod:`bench_app` on a free loopback port; :mod:`loadgen` sends it the same recorded,
   Amazon-signed request for ``--seconds``. Before the load, one request is checked: the real app must
   answer 200 with SSML speech (verification really passed). Printed: requests/s, p50 and p99 latency
   per layer, and the ratio Footwork (``full``) / ``bare``.
2. **In process.** Each layer's cost per request without HTTP or gunicorn: ask-sdk-core alone
   (deserialise, a one-line handler, serialise), the verifier alone, the SQLite read and write alone,
   and each layer's app through Flask's test client; plus Footwork answering "next" (a write each time).

Run from the repository root (about seven minutes with the defaults)::

    .venv/bin/python bench/endpoint.py
    .venv/bin/python bench/endpoint.py --rounds 1 --layers bare,full --workers 1
    .venv/bin/python bench/endpoint.py --profile full     # needs pyinstrument in the venv

The numbers depend on the machine; what carries over is the ratios (see bench/README.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_app import (  # noqa: E402
    BEFORE,
    DEFAULT_REQUEST,
    LAYERS,
    SDK_READER,
    Recorded,
    create_layer_app,
    load_recorded,
)
from loadgen import LoadResult, run_load  # noqa: E402
from signed_mix import SignedMix, build_mix  # noqa: E402

GUNICORN = Path(sys.executable).with_name("gunicorn")
WRK = shutil.which("wrk")
#: The default target: Footwork's own Launch, StartRoutine and Next requests, signed (signed_mix.py).
MIX = "mix"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Return once something accepts connections on ``port``; fail if ``process`` died first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} after {timeout:g} s")


@contextmanager
def gunicorn(
    layer: str, workers: int, request_name: str, database: Path, mix: Path | None = None,
    before: Path | None = None,
) -> Iterator[int]:
    """Serve ``bench_app`` for ``layer`` with ``workers`` sync workers; yield the port; stop it after."""
    port = free_port()
    env = {**os.environ, "BENCH_LAYER": layer, "BENCH_REQUEST": request_name, "BENCH_DB": str(database)}
    if mix is not None:
        env["BENCH_MIX"] = str(mix)
    if layer == BEFORE:
        if before is None:
            raise SystemExit(f"layer {BEFORE} needs --before <folder with footwork/core, footwork/skill>")
        env["PYTHONPATH"] = str(before)
    command = [
        str(GUNICORN), "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
        "--chdir", str(BENCH), "--log-level", "warning", "--timeout", "60", "bench_app:app",
    ]
    process = subprocess.Popen(command, env=env, cwd=REPO)
    try:
        wait_for_port(port, process)
        _masters[port] = process.pid
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_masters: dict[int, int] = {}


def workers_cpu_seconds(port: int) -> float:
    """User + system CPU seconds the gunicorn workers serving ``port`` have used so far (from /proc).

    Requests per CPU second is the capacity a worker would have on a machine to itself: on a shared,
    busy machine it moves far less than requests per wall second, so its ratios are the steadier ones.
    """
    master = _masters[port]
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for child in children:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except OSError:
        return float("nan")  # not Linux, or a worker gone: the column says nan rather than lie
    return total


def check_answer(port: int, recorded: Recorded | SignedMix) -> str:
    """Send each request of the target once; return the first speech. Fails unless each is 200 with SSML."""
    speeches = [_check_one(port, body, headers) for _, body, headers in recorded.requests]
    return speeches[0]


def _check_one(port: int, request_body: bytes, headers: dict[str, str]) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/alexa", body=request_body, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    if answer.status != 200:
        raise RuntimeError(f"the check request got HTTP {answer.status}: {body[:300]!r}")
    data = json.loads(body)
    speech = data.get("response", {}).get("outputSpeech", {}).get("ssml", "")
    if data.get("version") != "1.0" or not speech.startswith("<speak>") or not speech.endswith("</speak>"):
        raise RuntimeError(f"the check request got no valid speech: {body[:300]!r}")
    return str(speech)


def _lua_string(data: bytes) -> str:
    """``data`` as a Lua string literal (decimal escapes for anything but plain printable ASCII)."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data) + '"'


WRK_SCRIPT = """
local requests = {}
local bodies = {%(bodies)s}
local headers = {%(headers)s}
local index = 0
init = function(args)
  for i = 1, #bodies do requests[i] = wrk.format("POST", "/alexa", headers[i], bodies[i]) end
end
request = function()
  index = index %% #requests + 1
  return requests[index]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, "
    .. "\\"p99_us\\": %%d, \\"mean_us\\": %%f, \\"status_errors\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_script(recorded: Recorded | SignedMix, folder: Path) -> Path:
    """A wrk Lua script that sends the target's requests in turn, each connection cycling through them."""
    bodies = ", ".join(_lua_string(body) for _, body, _ in recorded.requests)
    headers = ", ".join(
        "{" + ", ".join(f"[{_lua_string(k.encode())}] = {_lua_string(v.encode())}" for k, v in h.items())
        + "}" for _, _, h in recorded.requests)
    path = folder / "mix.lua"
    path.write_text(WRK_SCRIPT % {"bodies": bodies, "headers": headers}, "ascii")
    return path


def run_wrk(port: int, script: Path, connections: int, seconds: float) -> LoadResult:
    """Load ``port`` with wrk (2 threads, ``connections`` connections) for ``seconds``; its figures."""
    assert WRK is not None
    command = [WRK, "-t", str(min(2, connections)), "-c", str(connections),
               "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/alexa"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    result = WrkResult(figures["duration_us"] / 1e6)
    result.statuses = {200: figures["requests"] - figures["status_errors"]}  # wrk: below 400
    if figures["status_errors"]:
        result.statuses[400] = figures["status_errors"]  # wrk counts any status >= 400 alike
    result.errors = figures["socket_errors"]
    result.p50, result.p99, result.mean_seconds = (figures["p50_us"] / 1e6, figures["p99_us"] / 1e6,
                                                   figures["mean_us"] / 1e6)
    return result


class WrkResult(LoadResult):
    """wrk's summary in LoadResult's shape: percentiles from wrk's histogram, not from a list."""

    p50: float = 0.0
    p99: float = 0.0
    mean_seconds: float = 0.0

    def percentile(self, fraction: float) -> float:
        return self.p50 if fraction == 0.5 else self.p99

    @property
    def mean(self) -> float:
        return self.mean_seconds


def http_benchmark(
    layers: list[str], workers: list[int], seconds: float, clients_per_worker: int,
    recorded: Recorded | SignedMix, rounds: int = 4, *, mix: Path | None = None, before: Path | None = None,
    connections: int = 8, load: str = "wrk",
) -> dict[tuple[int, str], LoadResult]:
    """Load every layer at every worker count; print one line per layer; return the results.

    The layers are loaded in turn, ``rounds`` times over, and each layer's best round (most requests
    per second) is kept: on a shared machine a burst of someone else's work then spoils one round of
    one layer, not the comparison.
    """
    results: dict[tuple[int, str], LoadResult] = {}
    cpu_per_request: dict[tuple[int, str], list[float]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="footwork-bench-"))
    try:
        script = wrk_script(recorded, scratch) if load == "wrk" else None
        for count in workers:
            clients = clients_per_worker * count
            who = (f"wrk, {connections} connections" if script else f"{clients} closed-loop clients")
            print(f"\n== gunicorn, {count} sync worker(s), {who}, best of {rounds} x {seconds:g} s ==",
                  flush=True)
            for round_number in range(rounds):
                for layer in layers:
                    database = scratch / f"{layer}-{count}-{round_number}.sqlite3"
                    with gunicorn(layer, count, recorded.name, database, mix, before) as port:
                        speech = check_answer(port, recorded)
                        if layer == "full" and round_number == 0:
                            print(f"  (check: every request HTTP 200, speech {speech[:70]}...)", flush=True)
                        if script is not None:
                            run_wrk(port, script, connections, 1.0)  # warm-up: imports, caches
                            cpu_before = workers_cpu_seconds(port)
                            result = run_wrk(port, script, connections, seconds)
                        else:
                            _, body, headers = recorded.requests[0]
                            run_load("127.0.0.1", port, body, headers, clients=clients,
                                     seconds=min(1.0, seconds))  # warm-up: imports, first connection, caches
                            cpu_before = workers_cpu_seconds(port)
                            result = run_load("127.0.0.1", port, body, headers, clients=clients,
                                              seconds=seconds)
                        cpu = (workers_cpu_seconds(port) - cpu_before) / max(1, result.requests)
                    best = results.get((count, layer))
                    if best is None or result.rps > best.rps:
                        results[(count, layer)] = result
                    cpu_per_request.setdefault((count, layer), []).append(cpu)
            print(f"{'layer':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'CPU us/req':>12}"
                  "  answers")
            for layer in layers:
                result = results[(count, layer)]
                answers = ", ".join(f"{status}: {n}" for status, n in sorted(result.statuses.items()))
                if result.errors:
                    answers += f", errors: {result.errors}"
                cpu = min(cpu_per_request[(count, layer)])
                print(f"{layer:<15}{result.rps:>9.0f}{result.percentile(0.5) * 1e3:>9.2f}"
                      f"{result.percentile(0.99) * 1e3:>9.2f}{result.mean * 1e3:>9.2f}{cpu * 1e6:>12.0f}"
                      f"  {answers}")
            for name in ("full", SDK_READER, BEFORE):
                if (count, name) in results and (count, "bare") in results:
                    full, bare = results[(count, name)], results[(count, "bare")]
                    f99, b99 = full.percentile(0.99), bare.percentile(0.99)
                    print(f"{name}/bare, {count} worker(s): requests/s ratio {full.rps / bare.rps:.3f} "
                          f"({full.rps:.0f} vs {bare.rps:.0f}); p50 {full.percentile(0.5) * 1e3:.2f} "
                          f"vs {bare.percentile(0.5) * 1e3:.2f} ms; p99 {f99 * 1e3:.2f} vs "
                          f"{b99 * 1e3:.2f} ms (x{f99 / b99:.2f}); requests per worker CPU second ratio "
                          f"{min(cpu_per_request[(count, 'bare')]) / min(cpu_per_request[(count, name)]):.3f}"
                          , flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def per_call(function: Callable[[], Any], seconds: float = 1.0, rounds: int = 3) -> float:
    """Seconds per call of ``function``: the best of ``rounds`` rounds of about ``seconds`` each.

    The best round, not the mean, because on a shared machine noise only ever adds time.
    """
    for _ in range(5):
        function()
    best = float("inf")
    for _ in range(rounds):
        calls = 0
        start = time.perf_counter()
        while calls < 20 or time.perf_counter() - start < seconds:
            function()
            calls += 1
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def in_process_benchmark(layers: list[str], recorded: Recorded, seconds: float) -> dict[str, float]:
    """Per-request cost of each layer and of each component alone, in microseconds; printed as a table."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from bench_app import handle_with_sdk, sdk_skill
    from footwork.skill.dev.envelopes import Conversation
    from footwork.skill.stores.sqlite import SQLiteStore

    figures: dict[str, float] = {}
    scratch = Path(tempfile.mkdtemp(prefix="footwork-bench-"))
    try:
        skill, serializer = sdk_skill(), DefaultSerializer()
        figures["ask-sdk-core alone (deserialise, one-line handler, serialise)"] = per_call(
            lambda: handle_with_sdk(skill, serializer, recorded.body), seconds)
        cold: list[float] = []
        for _ in range(5):
            fresh = recorded.verifier()
            start = time.perf_counter()
            fresh.verify(recorded.headers, recorded.body)
            cold.append(time.perf_counter() - start)
        figures["RequestVerifier.verify, first request (chain parsed + validated)"] = min(cold)
        verifier = recorded.verifier()
        figures["RequestVerifier.verify alone (chain cached)"] = per_call(
            lambda: verifier.verify(recorded.headers, recorded.body), seconds)
        envelope = serializer.deserialize(recorded.body.decode(), RequestEnvelope)
        adapter = SQLiteStore(scratch / "alone.sqlite3")

        def read_write() -> None:
            attributes = adapter.get_attributes(envelope)
            attributes["visits"] = int(attributes.get("visits", 0)) + 1
            adapter.save_attributes(envelope, attributes)

        figures["SQLite read + write alone"] = per_call(read_write, seconds)
        from footwork.skill.envelope_reader import read_envelope

        text = recorded.body.decode()

        def read_envelope_before() -> None:  # what skill/app.py did before issue 14, checks elided
            serializer.deserialize(json.dumps(json.loads(recorded.body)), RequestEnvelope)

        figures["envelope read as before (loads, dumps, SDK deserialize)"] = per_call(
            read_envelope_before, seconds)
        figures["  SDK DefaultSerializer.deserialize(text) alone"] = per_call(
            lambda: serializer.deserialize(text, RequestEnvelope), seconds)
        figures["envelope read now (one loads + envelope_reader)"] = per_call(
            lambda: read_envelope(json.loads(recorded.body)), seconds)
        figures["  json.loads alone"] = per_call(lambda: json.loads(recorded.body), seconds)
        for layer in layers:
            app = create_layer_app(layer, recorded, scratch / f"{layer}.sqlite3")
            client = app.test_client()

            def post(client: Any = client) -> None:
                answer = client.post("/alexa", data=recorded.body, headers=recorded.headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"{answer.status_code}: {answer.data[:200]!r}")

            figures[f"layer {layer} (Flask test client)"] = per_call(post, seconds)

        # A request that writes every time: "repeat" in the middle of a routine, verification off.
        from footwork.skill.dev.envelopes import SlotValue

        app = create_layer_app("full-noverify", recorded, scratch / "repeat.sqlite3")
        client = app.test_client()
        talk = Conversation()
        talk.receive(client.post("/alexa", json=talk.launch()).get_json())
        routine = app.extensions["footwork"].catalog.routines[0]
        slot = SlotValue(routine.title, routine.id, routine.title)
        started = client.post("/alexa", json=talk.intent("StartRoutineIntent", {"routine": slot}))
        talk.receive(started.get_json())
        repeat = json.dumps(talk.intent("AMAZON.RepeatIntent")).encode()  # same session, same page

        def repeat_page() -> None:
            answer = client.post("/alexa", data=repeat, content_type="application/json")
            if answer.status_code != 200 or "<speak>" not in answer.get_data(as_text=True):
                raise RuntimeError(answer.data[:200])

        figures["Footwork 'repeat' in a routine (verification off, a write each time)"] = per_call(
            repeat_page, seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\n== in process, {recorded.name} ==")
    width = max(len(name) for name in figures) + 2
    print(f"{'what':<{width}}{'us/request':>12}")
    for name, value in figures.items():
        print(f"{name:<{width}}{value * 1e6:>12.0f}")
    return figures


def profile(layer: str, recorded: Recorded, requests: int = 3000) -> None:
    """Profile ``requests`` in-process requests to one layer with pyinstrument and print the call tree.

    pyinstrument is not a project dependency: ``.venv/bin/pip install pyinstrument`` first.
    """
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("--profile needs pyinstrument: .venv/bin/pip install pyinstrument") from None
    scratch = Path(tempfile.mkdtemp(prefix="footwork-bench-"))
    try:
        client = create_layer_app(layer, recorded, scratch / "profile.sqlite3").test_client()
        for _ in range(20):
            client.post("/alexa", data=recorded.body, headers=recorded.headers)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(requests):
                client.post("/alexa", data=recorded.body, headers=recorded.headers)
        print(profiler.output_text(unicode=False, color=False))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


#: Passes over the target requests counted by :func:`instructions_per_request`, beyond the warm-up.
COUNTED_PASSES = 5


def instructions_per_request(
    layers: list[str], mix: Path | None, request_name: str, before: Path | None = None,
) -> dict[str, float]:
    """CPU instructions per request of each layer in process (Flask's test client), under callgrind.

    On a machine shared with other work, time per request moves by a third from run to run; the
    number of instructions a request executes does not (it is the same program on the same input).
    Each layer's app runs in a fresh interpreter under ``valgrind --tool=callgrind`` twice: 2 warm-up
    passes over the requests then 1 pass, and the same then 1 + :data:`COUNTED_PASSES` passes; the
    difference of the two totals, divided by the requests of the extra passes, is what one request
    costs, imports and start-up cancelled out. Slow (about a minute per layer), so opt-in.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    figures: dict[str, float] = {}
    for layer in layers:
        totals = []
        for passes in (1, 1 + COUNTED_PASSES):
            env = {**os.environ, "BENCH_LAYER": layer, "BENCH_REQUEST": request_name}
            if mix is not None:
                env["BENCH_MIX"] = str(mix)
            if layer == BEFORE:
                if before is None:
                    raise SystemExit(f"layer {BEFORE} needs --before")
                env["PYTHONPATH"] = str(before)
            command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                       str(BENCH / "endpoint.py"), "--replay", str(passes)]
            output = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=True)
            line = next(line for line in output.stderr.splitlines() if "Collected :" in line)
            totals.append(int(line.rsplit(":", 1)[1].strip()))
        requests = COUNTED_PASSES * int(output.stdout.split()[0])
        figures[layer] = (totals[1] - totals[0]) / requests
        print(f"  {layer:<15}{figures[layer]:>14,.0f} instructions/request", flush=True)
    return figures


def replay(passes: int) -> None:
    """Serve the target of ``BENCH_LAYER`` in process: 2 warm-up passes, then ``passes``; print its size.

    What :func:`instructions_per_request` runs under callgrind (``endpoint.py --replay N``).
    """
    from bench_app import app_from_env

    target: Recorded | SignedMix
    if os.environ.get("BENCH_MIX"):
        from signed_mix import load_mix

        target = load_mix(Path(os.environ["BENCH_MIX"]))
    else:
        target = load_recorded(os.environ.get("BENCH_REQUEST", DEFAULT_REQUEST))
    with tempfile.TemporaryDirectory(prefix="footwork-bench-") as scratch:
        os.environ["BENCH_DB"] = str(Path(scratch) / "replay.sqlite3")
        client = app_from_env().test_client()
        for _ in range(2 + passes):
            for _, body, headers in target.requests:
                answer = client.post("/alexa", data=body, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"{answer.status_code}: {answer.data[:200]!r}")
    print(len(target.requests))


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run both parts, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load per layer, worker count and round")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 2}", help="worker counts")
    parser.add_argument("--layers", default="bare,full,full-sdk-reader",
                        help=f"some of {','.join((*LAYERS, SDK_READER, BEFORE))}")
    parser.add_argument("--before", type=Path, help=f"a folder holding footwork/core and footwork/skill of "
                        f"another checkout, served as layer {BEFORE} (PYTHONPATH)")
    parser.add_argument("--load", choices=("wrk", "loadgen"), default="wrk" if WRK else "loadgen",
                        help="wrk (default when installed; sends the whole mix) or loadgen.py (one request)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--users", type=int, default=12, help="people in the signed mix")
    parser.add_argument("--rounds", type=int, default=4, help="HTTP rounds per layer; the best is kept")
    parser.add_argument("--clients-per-worker", type=int, default=2)
    parser.add_argument("--request", default=MIX, help=f"'{MIX}' (Footwork's Launch, StartRoutine and Next, "
                        f"signed here) or a recorded request folder name, e.g. {DEFAULT_REQUEST}")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--profile", metavar="LAYER", help="only profile LAYER in process (pyinstrument)")
    parser.add_argument("--instructions", action="store_true", help="also count CPU instructions per "
                        "request of each layer in process, under valgrind's callgrind (a minute a layer)")
    parser.add_argument("--replay", type=int, metavar="PASSES", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.replay is not None:
        replay(options.replay)
        return 0
    layers = [layer.strip() for layer in options.layers.split(",") if layer.strip()]
    workers = sorted({int(part) for part in options.workers.split(",")})
    single = load_recorded(DEFAULT_REQUEST if options.request == MIX else options.request)
    if options.profile:
        profile(options.profile, single)
        return 0
    with tempfile.TemporaryDirectory(prefix="footwork-mix-") as scratch:
        mix_folder: Path | None = None
        target: Recorded | SignedMix = single
        if options.request == MIX:
            from signed_mix import load_mix

            mix_folder = build_mix(Path(scratch) / "mix", options.users)
            target = load_mix(mix_folder)
            sizes = sorted(len(body) for _, body, _ in target.requests)
            print(f"requests: {options.users} people x (Launch, StartRoutine heel raises, Next) = "
                  f"{len(target.requests)}, signed (Signature-256), {sizes[0]}-{sizes[-1]} bytes")
        else:
            print(f"request {single.name}: {len(single.body)} bytes, signed by Amazon, timestamp "
                  f"{single.timestamp.isoformat()}")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        if not options.skip_http:
            http_benchmark(layers, workers, options.seconds, options.clients_per_worker, target,
                           options.rounds, mix=mix_folder, before=options.before,
                           connections=options.connections, load=options.load)
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if options.instructions:
            print(f"\n== in process under callgrind: instructions per request, {COUNTED_PASSES} passes "
                  "counted ==", flush=True)
            counted = instructions_per_request(layers, mix_folder, single.name, options.before)
            for name in ("full", SDK_READER, BEFORE):
                if name in counted and "bare" in counted:
                    print(f"bare/{name} by instructions: {counted['bare'] / counted[name]:.3f}")
    if not options.skip_in_process:
        in_process_benchmark([layer for layer in layers if layer != BEFORE], single,
                             min(1.0, options.seconds / 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
