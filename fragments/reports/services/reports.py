"""Everything the managers' screen shows, as named tables (each also a CSV)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

from bridge_api.client import BridgeClient, BridgeError

from ..domain import metrics
from ..domain.period import Period


class ReportSource(Protocol):
    def tickets_raised(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]: ...
    def waiting(self) -> list[dict[str, Any]]: ...
    def lost(self, visible: list[str]) -> list[dict[str, Any]]: ...
    def experts(self, now: dt.datetime) -> list[dict[str, Any]]: ...
    def migration(self) -> dict[str, Any]: ...


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class Reports:
    def __init__(self, source: ReportSource, bridge: BridgeClient, clock: Callable[[], dt.datetime]):
        self.source = source
        self.bridge = bridge
        self.clock = clock

    def _names(self) -> tuple[dict[int, str], dict[int, str]]:
        try:
            return ({p["id"]: p["name"] for p in self.bridge.products()},
                    {loc["id"]: loc["name"] for loc in self.bridge.locales()})
        except BridgeError:
            return {}, {}

    def build(self, period: Period) -> dict[str, Any]:
        """Every table of the screen: {name: {"title", "definition", "columns", "rows"}}."""
        now = self.clock()
        current_rows = self.source.tickets_raised(period.start, period.end)
        previous = period.previous()
        current = metrics.ticket_ops(current_rows)
        before = metrics.ticket_ops(self.source.tickets_raised(previous.start, previous.end))
        products, locales = self._names()
        tables: dict[str, Any] = {}

        def compare(name, title, definition, label, now_counts, before_counts, names=None):
            keys = sorted(set(now_counts) | set(before_counts), key=lambda k: (-now_counts.get(k, 0), str(k)))
            tables[name] = {"title": title, "definition": definition,
                            "columns": [label, "this period", "previous period"],
                            "rows": [[(names or {}).get(k, k), now_counts.get(k, 0), before_counts.get(k, 0)]
                                     for k in keys]}

        compare("volume_state", "Tickets raised, by state now", metrics.DEFINITIONS["volume"], "state",
                {**{s: 0 for s in metrics.VISIBLE_STATES}, **current.by_state}, before.by_state)
        compare("volume_product", "Tickets raised, by product", metrics.DEFINITIONS["volume"], "product",
                current.by_product, before.by_product, products)
        compare("volume_locale", "Tickets raised, by locale", metrics.DEFINITIONS["volume"], "locale",
                current.by_locale, before.by_locale, locales)
        tables["times"] = {"title": "Time to assign and to close (hours)", "columns": ["measure", "this period",
                                                                                        "previous period"],
                           "definition": metrics.DEFINITIONS["time_to_assign"] + " " + metrics.DEFINITIONS["time_to_close"],
                           "rows": [["assign, median", _fmt(current.assign_median), _fmt(before.assign_median)],
                                    ["assign, p90", _fmt(current.assign_p90), _fmt(before.assign_p90)],
                                    ["close, median", _fmt(current.close_median), _fmt(before.close_median)],
                                    ["close, p90", _fmt(current.close_p90), _fmt(before.close_p90)]]}
        tables["offers"] = {"title": "Refusals, time-outs, re-offers and reopened tickets",
                            "definition": metrics.DEFINITIONS["offers"] + " " + metrics.DEFINITIONS["reopened"],
                            "columns": ["measure", "this period", "previous period"],
                            "rows": [["refused", current.refused, before.refused],
                                     ["timed out", current.timed_out, before.timed_out],
                                     ["re-offers", current.re_offers, before.re_offers],
                                     ["reopened tickets", current.reopened_tickets, before.reopened_tickets]]}
        tables["unassigned"] = {"title": "Waiting for an expert now", "definition": metrics.DEFINITIONS["unassigned"],
                                "columns": ["ticket", "state", "waiting since", "hours"],
                                "rows": [[r["reference"], r["status"], r["waiting_since"], r["hours"]]
                                         for r in metrics.waiting(self.source.waiting(), now)]}
        tables["lost"] = {"title": "Lost-ticket check", "definition": metrics.DEFINITIONS["lost"],
                          "columns": ["ticket", "state", "why"],
                          "rows": [[r["reference"], r["status"], r["why"]]
                                   for r in self.source.lost(metrics.VISIBLE_STATES)]}
        lines = metrics.expert_lines(current_rows, self.source.experts(now))
        tables["experts"] = {"title": "Experts", "definition": metrics.DEFINITIONS["experts"],
                             "columns": ["expert", "load", "offers", "accepted", "refused", "timed out",
                                         "acceptance rate", "refusal reasons", "median hours to close",
                                         "survey score", "answers"],
                             "rows": [[l.name, l.load, l.offers, l.accepted, l.refused, l.timed_out,
                                       "" if l.acceptance_rate is None else f"{l.acceptance_rate:.0%}",
                                       "; ".join(f"{k} ({v})" for k, v in sorted(l.reasons.items())),
                                       _fmt(l.close_median), "" if l.score is None else f"{l.score:.2f}", l.answers]
                                      for l in sorted(lines, key=lambda l: (-l.offers, l.name))]}
        progress = self.source.migration()
        tables["migration"] = {
            "title": "Migration of legacy tickets to the graph",
            "definition": "Legacy tickets (all ever raised in the monolith) against those now in the graph; lazy = "
                          "migrated when first read, backfill = by the bulk command; the last reconciliation "
                          "compares every ticket's checksum.",
            "columns": ["measure", "value"],
            "rows": [["legacy tickets", progress["legacy_total"]], ["in the graph", progress["graph_migrated"]],
                     ["remaining", progress["remaining"]], ["% migrated", progress["percent_migrated"]],
                     ["lazy", progress["lazy"]], ["backfill", progress["backfill"]],
                     ["last reconciliation", _reconciliation(progress.get("last_reconciliation"))]]}
        return {"period": period, "previous": previous, "tables": tables, "lost_count": len(tables["lost"]["rows"]),
                "waiting_count": len(tables["unassigned"]["rows"]), "raised": current.raised,
                "raised_before": before.raised}


def _reconciliation(run: dict[str, Any] | None) -> str:
    if not run:
        return "never run"
    mismatches = run.get("mismatched", 0) + run.get("missing", 0)
    return f"{run.get('at', '')}: {'OK' if not mismatches else f'{mismatches} mismatches'}"
