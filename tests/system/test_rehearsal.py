"""The whole migration rehearsed under live traffic on the small preset (issue 29; benchmarks/rehearsal.py
runs it on any preset, 100x as a benchmark): from the monolith alone, every part switched on in the
roadmap's order while every role works, one rolled back and on again, the long tail backfilled, the
month billed and paid, the monolith retired and decommissioned; then every acknowledged write is in the
new stores once and every role's journeys pass with the monolith stopped."""
from __future__ import annotations

from benchmarks.rehearsal import STEPS, rehearse


def test_from_the_monolith_alone_to_decommissioned_nothing_acknowledged_is_lost_or_doubled(tmp_path):
    figures = rehearse(tmp_path, "small", seconds=3.0, out=lambda *_: None)
    assert [name for name, _s, _c in figures.steps][:len(STEPS)] == [f"cutover {part}" for part in STEPS]
    assert all(code == 0 for _name, _s, code in figures.steps), figures.steps
    for part, (acknowledged, present, twice) in figures.parts.items():
        assert acknowledged > 0 and present == acknowledged and twice == 0, (part, acknowledged, present, twice)
    for phase, (tried, succeeded) in figures.actions.items():
        assert tried > 0 and succeeded >= 0.99 * tried, (phase, tried, succeeded)
    tried, succeeded = figures.journeys_after
    assert tried > 0 and succeeded == tried
