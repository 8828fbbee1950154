"""A small closed-loop HTTP load generator for loopback benchmarks, bounded in time and in count.

Each client is its own process (so the clients do not share one GIL) that sends the same prepared
POST again and again, waiting for each answer before sending the next, until the duration is up or it
has sent its share of the request budget. Requests carry ``Connection: close``: gunicorn's sync worker
closes every connection after one answer anyway, so each request pays for a TCP connect, as it would
from a proxy in front of a sync worker. Latency is measured from before the connect to the last byte.

Only ``127.0.0.1`` (or ``localhost``) is accepted as the target: this is for benchmarking our own
server, never somebody else's.
"""

from __future__ import annotations

import multiprocessing
import socket
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost")


@dataclass
class LoadResult:
    """What a load run measured: answers by status, errors, and every request's latency in seconds."""

    seconds: float
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests that got an answer (any status)."""
        return sum(self.statuses.values())

    @property
    def rps(self) -> float:
        """Answered requests per second of wall time."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency below which ``fraction`` of the requests fell (nearest rank), in seconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index]

    @property
    def mean(self) -> float:
        """Mean latency in seconds."""
        return statistics.fmean(self.latencies) if self.latencies else float("nan")


def build_request(host: str, port: int, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The raw bytes of one HTTP/1.1 POST with ``body`` and ``headers`` (and a Content-Length)."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _send_once(address: tuple[str, int], raw: bytes, timeout: float) -> int:
    """Send one prepared request on a new connection; return the status code of the answer."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks)[:32]
    if not head.startswith(b"HTTP/1."):
        raise ConnectionError("not an HTTP answer")
    return int(head.split(b" ", 2)[1])


def _client(
    address: tuple[str, int], raw: bytes, deadline: float, budget: int, timeout: float
) -> tuple[dict[int, int], int, list[float]]:
    statuses: dict[int, int] = {}
    errors = 0
    latencies: list[float] = []
    sent = 0
    while sent < budget and time.time() < deadline:
        sent += 1
        start = time.perf_counter()
        try:
            status = _send_once(address, raw, timeout)
        except (OSError, ValueError, IndexError):
            errors += 1
            continue
        latencies.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
    return statuses, errors, latencies


def run_load(
    host: str,
    port: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    path: str = "/alexa",
    clients: int = 2,
    seconds: float = 10.0,
    max_requests: int = 200_000,
    timeout: float = 10.0,
) -> LoadResult:
    """Run ``clients`` closed-loop clients against ``host:port`` for ``seconds`` or ``max_requests``.

    :raises ValueError: if ``host`` is not the loopback interface.
    """
    if host not in LOOPBACK:
        raise ValueError(f"refusing to load {host!r}: only loopback targets are allowed")
    raw = build_request(host, port, path, body, headers)
    budget = max(1, max_requests // clients)
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    deadline = time.time() + seconds
    with context.Pool(clients) as pool:
        parts = pool.starmap(_client, [((host, port), raw, deadline, budget, timeout)] * clients)
    elapsed = time.perf_counter() - start
    result = LoadResult(elapsed)
    for statuses, errors, latencies in parts:
        for status, count in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count
        result.errors += errors
        result.latencies.extend(latencies)
    return result
