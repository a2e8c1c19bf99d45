"""A composed page never waits for a fragment's manifest once one is known: when it is due again, the
page is laid out with the last one while it is read again beside it."""
from __future__ import annotations

import threading

from shell_app.composition.manifest import parse
from shell_app.composition.registry import MANIFEST_RETRY_S, MANIFEST_TTL_S, FragmentRegistry
from tests.support.clock import Clock
from tests.support.waiting import wait_until


class Reads:
    """The fragment's manifest endpoint: answers `version` (None: not answering), held while `held` is clear."""

    def __init__(self):
        self.version: str | None = "1.0.0"
        self.count = 0
        self.held = threading.Event()
        self.held.set()

    def __call__(self, name: str):
        self.count += 1
        assert self.held.wait(30)
        if self.version is None:
            return None, False
        return parse({"name": name, "version": self.version, "slots": {"panel": "/panel"}}, name), True


def registry() -> tuple[FragmentRegistry, Clock, Reads]:
    clock, reads = Clock(100.0), Reads()
    fragments = FragmentRegistry({"ticketing": "http://127.0.0.1:9"}, lambda name: "token", clock=clock)
    fragments._read = reads  # type: ignore[method-assign]  # the HTTP read itself is tested in test_composition.py
    return fragments, clock, reads


def test_a_due_manifest_is_read_again_beside_the_page_which_gets_the_last_one_at_once():
    fragments, clock, reads = registry()
    assert fragments.manifest("ticketing").version == "1.0.0"  # none known yet: the page's own read
    clock.now += MANIFEST_TTL_S - 1
    assert fragments.manifest("ticketing").version == "1.0.0" and reads.count == 1  # kept

    clock.now += 1
    reads.version, reads.held = "1.1.0", threading.Event()  # the fragment slow to answer
    assert fragments.manifest("ticketing").version == "1.0.0"  # not held by the read
    assert fragments.manifest("ticketing").version == "1.0.0" and reads.count == 2  # one read at a time
    reads.held.set()
    wait_until(lambda: fragments.manifest("ticketing").version == "1.1.0", "the new manifest in use")
    assert reads.count == 2


def test_a_fragment_that_does_not_answer_keeps_its_last_manifest_and_is_asked_again_after_a_pause():
    fragments, clock, reads = registry()
    fragments.manifest("ticketing")
    clock.now += MANIFEST_TTL_S
    reads.version = None
    fragments.manifest("ticketing")
    wait_until(lambda: reads.count == 2 and not fragments.reading("ticketing"), "the failed read to end")
    assert fragments.manifest("ticketing").version == "1.0.0"
    clock.now += MANIFEST_RETRY_S - 1
    assert fragments.manifest("ticketing").version == "1.0.0" and reads.count == 2
    reads.version = "1.2.0"
    clock.now += 1
    fragments.manifest("ticketing")
    wait_until(lambda: fragments.manifest("ticketing").version == "1.2.0", "the fragment's manifest once it answers")


def test_before_any_manifest_a_fragment_not_answering_is_asked_at_most_once_per_pause():
    fragments, clock, reads = registry()
    reads.version = None
    assert fragments.manifest("ticketing") is None
    assert fragments.manifest("ticketing") is None and reads.count == 1  # the slots show their fallbacks
    clock.now += MANIFEST_RETRY_S
    reads.version = "1.0.0"
    assert fragments.manifest("ticketing").version == "1.0.0" and reads.count == 2
