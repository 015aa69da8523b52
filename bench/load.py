"""The load generator: a fixed number of requests (or a time cap, whichever comes first) at a
fixed concurrency, from plain threads. Each thread keeps its own keep-alive connection.

Written here rather than taken from a registry (locust, wrk, hey …): it must sign in through the
app's form and reuse the Session code, run inside a pytest, and on two cores stay out of the
way of the server it measures. Threads spend their time waiting on sockets, so the GIL is no
bottleneck at these rates (tens to hundreds of requests a second).
"""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.client import Reply


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    statuses: dict[int, int]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 400 or status == 0)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(fraction * 100) - 1]


def client_address(number: int) -> str:
    """A distinct documentation-range address per request (RFC 5737 needs more room; 10/8 has
    it), so per-address rate limits behave as for many visitors behind one proxy."""
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def run(
    name: str,
    send: Callable[[int], Reply],
    requests: int,
    concurrency: int,
    max_seconds: float = 0.0,
    warmup: int = 0,
    expect: tuple[int, ...] = (200,),
) -> Result:
    """Call `send(n)` `requests` times from `concurrency` threads; `n` numbers the request."""
    for number in range(warmup):
        send(10_000_000 + number)
    numbers = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = [0.0]

    def worker() -> None:
        while True:
            with lock:
                number = next(numbers)
            if number >= requests or (max_seconds and time.perf_counter() > deadline[0]):
                return
            started = time.perf_counter()
            try:
                status = send(number).status
            except Exception:  # a dropped connection counts as an error, not a crash
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status if status in expect else status or 0] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    deadline[0] = started + max_seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Result(
        name,
        len(latencies),
        seconds,
        percentile(latencies, 0.50) * 1000,
        percentile(latencies, 0.95) * 1000,
        dict(statuses),
    )
