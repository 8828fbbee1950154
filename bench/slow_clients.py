"""The slow-client attack against gunicorn alone, without nginx: the baseline for tests/test_nginx.py.

Starts the README's gunicorn command (two sync workers, verification off) on a free loopback port,
holds IDLE idle and DRIPPING dripping connections open against it (the same attack as the nginx test,
without TLS), and times a few valid requests, each given up after --timeout seconds.

    .venv/bin/python bench/slow_clients.py [--idle 300] [--dripping 20] [--requests 5] [--timeout 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from footwork.skill.dev.envelopes import Conversation


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--dripping", type=int, default=20)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()

    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="footwork-slow-clients-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    env.update(FOOTWORK_VERIFY="0", FOOTWORK_DB=str(folder / "bench.sqlite3"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
         "--log-level", "error", "footwork.skill.wsgi:app"],
        env=env,
    )
    stop = threading.Event()
    idle: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("gunicorn did not start")
                time.sleep(0.1)
        time.sleep(1.0)  # let both workers boot

        def drip() -> None:
            try:
                with socket.create_connection(("127.0.0.1", port)) as sock:
                    sock.sendall(b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n")
                    while not stop.wait(0.5):
                        sock.sendall(b"{")
            except OSError:
                pass

        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
        for _ in range(args.dripping):
            threading.Thread(target=drip, daemon=True).start()
        time.sleep(1.0)

        results = []
        for _ in range(args.requests):
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout)
                connection.request("POST", "/alexa", body=json.dumps(Conversation().launch()),
                                   headers={"Content-Type": "application/json"})
                outcome = f"HTTP {connection.getresponse().status}"
                connection.close()
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
            results.append(f"{outcome} after {time.monotonic() - started:.1f} s")
        print(f"gunicorn --workers 2 alone, {args.idle} idle + {args.dripping} dripping connections, "
              f"{args.requests} valid requests (timeout {args.timeout:g} s):")
        for line in results:
            print(f"  {line}")
    finally:
        stop.set()
        for sock in idle:
            sock.close()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
