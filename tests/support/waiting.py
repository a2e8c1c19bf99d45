"""Waiting for a condition in a test (never for a fixed time): polled until it holds or `timeout` passes."""
from __future__ import annotations

import time
from typing import Callable


def wait_until(condition: Callable[[], object], what: str = "the condition", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # polling a condition, not waiting a fixed time
