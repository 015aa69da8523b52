"""How many hostile requests the fuzz suites really sent, counted by the app itself.

The fuzz tests wrap each request they send in `counting()`; Flask's `request_started` signal (sent
by the app once it has the request, before any view) adds one for every request that arrives
meanwhile. A case hypothesis planned but skipped, or a request that never reached the app, is
therefore not counted. tests/conftest.py prints the total and fails a complete run below
PUJA_FUZZ_MIN_CASES.

Every test that sends fuzz cases carries the `fuzz` marker, and its module says how many such tests
it has (`FUZZ_TESTS`): the minimum is enforced only when all of them ran, so a developer running one
route or one file is not failed for sending fewer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import request_started

# Generated (hypothesis) examples per fuzzed route (test_fuzz_routes.py). At 12 a full run sends
# about 17,700 route requests (the fixed corpus is most of them) and 2,800 schemathesis ones: twice
# the minimum without adding time; raise it to explore further.
EXAMPLES = int(os.environ.get("PUJA_FUZZ_EXAMPLES", "12"))
# Requests a complete run of the fuzz suites must have sent (issue 7: at least 10,000).
MIN_CASES = int(os.environ.get("PUJA_FUZZ_MIN_CASES", "10000"))
# The modules holding fuzz tests: each defines FUZZ_TESTS (how many `fuzz`-marked tests it has).
MODULES = ("tests.integration.test_fuzz_routes", "tests.api.test_schemathesis")

_state = {"sent": 0, "active": 0}


def _started(sender: Any, **extra: Any) -> None:
    if _state["active"]:
        _state["sent"] += 1


request_started.connect(_started)  # every app of the run (the fuzzers build more than one)


@contextmanager
def counting() -> Iterator[None]:
    """Count the requests the app receives inside this block as fuzz cases."""
    _state["active"] += 1
    try:
        yield
    finally:
        _state["active"] -= 1


def sent() -> int:
    return _state["sent"]
