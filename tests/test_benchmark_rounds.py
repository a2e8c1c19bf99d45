"""How the benchmarks schedule what they compare: every measure in every round, and the Chromium sides of
a comparison taking turns load by load, each side first as often as the others."""
from __future__ import annotations

from collections import Counter

from benchmarks.composition import alternating, taking_turns
from benchmarks.harness import Figures


def test_each_side_opens_its_page_first_as_often_as_the_others():
    sides = ["legacy", "composed", "via nginx"]
    orders = [taking_turns(sides, load) for load in range(9)]
    assert all(sorted(order) == sorted(sides) for order in orders)
    assert Counter(order[0] for order in orders) == {side: 3 for side in sides}
    assert orders[0] == sides and orders[1] == ["composed", "via nginx", "legacy"]


def test_a_measure_that_gives_several_sides_figures_is_merged_per_side_over_the_rounds():
    ran: list[str] = []

    def paired() -> dict[str, Figures]:
        ran.append("paired")
        return {"legacy": Figures("legacy", 1, 0.01, [10.0 + len(ran)]),
                "composed": Figures("composed", 1, 0.02, [20.0 + len(ran)])}

    def single() -> Figures:
        ran.append("single")
        return Figures("single", 2, 0.5, [1.0, 2.0])

    merged = alternating({"paired": paired, "single": single}, rounds=3)

    assert ran == ["paired", "single", "single", "paired", "paired", "single"]  # the order rotates per round
    assert set(merged) == {"legacy", "composed", "single"}
    assert merged["legacy"].latencies_ms == [11.0, 14.0, 15.0]
    assert merged["composed"].count == 3 and abs(merged["composed"].seconds - 0.06) < 1e-9
    assert merged["single"].latencies_ms == [1.0, 2.0] * 3
