"""Where a page's CPU goes: each process of a running system (and the benchmark's own Chromium), read
from /proc before and after a number of page loads, in ms per load.

Used by benchmarks.front_door: on this 2-core machine the browser and every service share the cores,
so the sum of CPU a page costs, not only its longest path, shows in the time a person waits.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Callable

from sysops.procutil import descendants

from .composition import RENDERED, Session, signed_in_page

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: set[int]) -> float:
    """User and system time of these processes, as /proc has it now (those gone count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def chromium() -> set[int]:
    """The benchmark's own Chromium processes (below this process, through Playwright's driver)."""
    found = set()
    for pid in descendants(os.getpid()):
        try:
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                found.add(pid)
        except OSError:
            continue
    return found


def groups(processes: dict[str, object]) -> dict[str, set[int]]:
    """Each named process of a system (a gunicorn's arbiter, the graph server...) with all below it."""
    return {name: {popen.pid} | descendants(popen.pid) for name, popen in processes.items()}  # type: ignore[attr-defined]


def measured(named: Callable[[], dict[str, set[int]]], load: Callable[[], None], count: int) -> dict[str, float]:
    """ms of CPU per load, per group, over `count` loads (groups read again after: new processes count)."""
    before = {name: cpu_seconds(pids) for name, pids in named().items()}
    for _ in range(count):
        load()
    after = named()
    return {name: (cpu_seconds(pids) - before.get(name, 0.0)) * 1000 / count for name, pids in after.items()}


def over_http(processes: dict[str, object], base: str, paths: list[str], count: int) -> dict[str, float]:
    session, pages = Session(base), itertools.cycle(paths)
    for path in paths:
        session.get(path)  # warm
    return measured(lambda: groups(processes), lambda: session.get(next(pages)), count)


def in_chromium(processes: dict[str, object], base: str, paths: list[str], count: int) -> dict[str, float]:
    with signed_in_page(base) as page:
        pages = itertools.cycle(paths)

        def load() -> None:
            page.goto(base + next(pages), wait_until="load")
            page.wait_for_function(RENDERED)

        for _ in paths:
            load()  # warm
        return measured(lambda: {**groups(processes), "chromium": chromium()}, load, count)


def line(label: str, figures: dict[str, float]) -> str:
    shown = {name: ms for name, ms in sorted(figures.items(), key=lambda item: -item[1]) if ms >= 0.05}
    servers = sum(ms for name, ms in shown.items() if name != "chromium")
    parts = ", ".join(f"{name} {ms:.1f}" for name, ms in shown.items())
    return f"  {label}: {parts} (services {servers:.1f} ms)"
