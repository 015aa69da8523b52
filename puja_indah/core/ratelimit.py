"""A rate-limit storage for one process that costs no thread per request.

`limits`' own `memory://` storage starts a `threading.Timer` to sweep expired counters whenever
its previous timer has finished — on a busy server nearly every counted request, which cost the
public status page ~4 ms each (starting a thread waits for it under the GIL). Expired counters
need no sweep to count right (`get` drops an expired key itself); the sweep only frees memory.
Here it runs inline, at most once per `SWEEP_SECONDS`.

Select it with `RATELIMIT_STORAGE_URI=puja-memory://` (the default); counting is per worker
process, as with `memory://`. Several machines share Redis instead (config.py).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class SweepingMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["puja-memory"]  # noqa: RUF012 - limits registers storages by this name

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # MemoryStorage calls its private `__schedule_expiry` before every count; name mangling makes
    # this the method it finds.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweep_lock.release()
