"""The default rate-limit storage (`puja-memory://`): counts like `memory://`, starts no thread
per counted request, and still forgets expired counters."""

from __future__ import annotations

import threading
import time

import pytest
from limits.storage import storage_from_string

from puja_indah.core import ratelimit
from puja_indah.core.ratelimit import SweepingMemoryStorage


def test_counts_without_a_thread_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    store = storage_from_string("puja-memory://")
    assert isinstance(store, SweepingMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    for number in range(50):
        store.incr(f"10.0.0.{number}", 60)
    store.incr("10.0.0.1", 60)
    assert store.get("10.0.0.1") == 2
    assert started == []


def test_expired_counters_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    store = SweepingMemoryStorage()
    store.incr("old", 0.01)
    assert store.get("old") == 1
    time.sleep(0.02)
    assert store.get("old") == 0  # an expired counter never counts, swept or not
    store.incr("gone-soon", 0.01)
    time.sleep(0.02)
    monkeypatch.setattr(ratelimit, "SWEEP_SECONDS", 0.0)
    store._next_sweep = 0.0
    store.incr("new", 60)
    assert "gone-soon" not in store.storage
    assert store.get("new") == 1
