"""The login throttle's counts are shared by every worker through the graph server's Redis."""
from __future__ import annotations

from foundation.login_throttle import LoginThrottle


def test_two_workers_count_against_one_limit(falkor_server):
    storage = f"redis+unix://{falkor_server.socket_path}"
    first, second = LoginThrottle(storage), LoginThrottle(storage)
    assert first._limiter() is first._shared  # really the shared store, not the fallback
    name = "shared-count-user"
    for throttle in (first, second, first, second, first):
        assert throttle.admit(name, "203.0.113.1") is None
    assert second.admit(name, "203.0.113.2") is not None
    assert first.admit(name, "203.0.113.3") is not None
    first.succeeded(name)
    assert second.admit(name, "203.0.113.4") is None


def test_an_unreachable_store_falls_back_to_counting_in_the_process(tmp_path):
    throttle = LoginThrottle(f"redis+unix://{tmp_path / 'nothing.sock'}")
    for _ in range(5):
        assert throttle.admit("fallback-user", "203.0.113.9") is None
    assert throttle.admit("fallback-user", "203.0.113.9") is not None
