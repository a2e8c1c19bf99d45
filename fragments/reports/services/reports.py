"""Everything the managers' screen shows, as named tables (each also a CSV)."""
from __future__ import annotations

import contextvars
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from typing import Any, Callable, Mapping

from foundation.vocabulary import VISIBLE_STATES

from ..domain import metrics
from ..domain import service_levels as sla
from ..domain.period import Period
from ..domain.summary import Summary
from .daily import DailySummaries
from .kept_screens import KeptScreens
from .ports import BridgeError, Catalogue, Clock, PlanTerms, ReportSource
from .service_levels import Promises


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


# The screen lists this many of the tickets waiting longest (the figure above it counts them all; the
# CSV lists them all): at 100x ten thousand rows made the page slow and nobody reads them.
SCREEN_WAITING_ROWS = 100
# The figures of now (lost-ticket check, experts' load, the waiting queue, migration progress) and the
# catalogue's names are independent reads the stores answer while this process sums the period: asked
# at once, beside it.
NOW_READERS = 6


class Reports:
    def __init__(self, source: ReportSource, catalogue: Catalogue, clock: Clock, terms: PlanTerms, hold: bool = True,
                 kept: KeptScreens | None = None):
        """`hold`: keep what the last reports computed in this process (DailySummaries); `kept`: the last
        screens built, shown "as of" while building one again is slow."""
        self.source = source
        self.kept = kept or KeptScreens()
        self.catalogue = catalogue
        self.clock = clock
        self.daily = DailySummaries(source, Promises(terms), hold=hold)
        # Threads reading the figures of now: the pool starts them at its first task (after gunicorn forked).
        self.readers = ThreadPoolExecutor(NOW_READERS, thread_name_prefix="report-now")

    def _names(self) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        try:
            return ({p["id"]: p["name"] for p in self.catalogue.products()},
                    {loc["id"]: loc["name"] for loc in self.catalogue.locales()},
                    {p["id"]: p["name"] for p in self.catalogue.plans()})
        except BridgeError:
            return {}, {}, {}

    def build(self, period: Period) -> dict[str, Any]:
        """Every table of the screen: {name: {"title", "definition", "columns", "rows"}}, and the headline
        figures."""
        inputs = _Inputs(self, period, screen=True)
        inputs.read_now_beside(self.readers)
        tables = {name: make(inputs) for name, make in TABLES.items()}
        return {"period": period, "previous": inputs.previous, "tables": tables,
                "lost_count": len(tables["lost"]["rows"]), "waiting_count": tables["unassigned"]["total"],
                "raised": inputs.current.raised, "raised_before": inputs.before.raised,
                "legacy_as_of": self.source.legacy_as_of()}

    def screen(self, period: Period) -> dict[str, Any]:
        """The screen for the managers: built now, or, when that is slow, the last one built with the time
        it is as of (`as_of`, and `updating` while a newer one is being built)."""
        return self.kept.screen((period.first, period.last), lambda: self.build(period), self.clock)

    def build_in_steps(self, period: Period) -> list[tuple[str, float]]:
        """Where one build of the screen goes, in ms per step, the steps one after another: both periods'
        summaries, the names, then each table (the figures of now read in line, not beside the period):
        for the benchmark and anyone asking why a report is slow."""
        inputs = _Inputs(self, period, screen=True)
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("summaries", lambda: (inputs.current_summary, inputs.before_summary)),
            ("names", lambda: inputs.figure("names")),
            *((name, lambda make=make: make(inputs)) for name, make in TABLES.items())]
        timed = []
        for name, step in steps:
            started = time.perf_counter()
            step()
            timed.append((name, (time.perf_counter() - started) * 1000))
        return timed

    def reconciliation(self) -> dict[str, Any] | None:
        """The last reconciliation run with its findings (what differs, what was repaired)."""
        return self.source.last_reconciliation()

    def table(self, period: Period, name: str) -> dict[str, Any] | None:
        """One table (for its CSV), reading only what that table needs."""
        make = TABLES.get(name)
        return make(_Inputs(self, period)) if make else None


class _Inputs:
    """What the tables are made of, each read or computed once, and only when a table asks."""

    def __init__(self, reports: Reports, period: Period, screen: bool = False):
        self.source, self.period, self.previous = reports.source, period, period.previous()
        self.screen = screen  # for the screen (long lists cut), else for a CSV (everything)
        self.now = reports.clock()
        self._reports = reports
        self._asked: dict[str, Future[Any]] = {}
        self._figures: dict[str, Any] = {}

    @cached_property
    def current_summary(self) -> Summary:
        return self._reports.daily.period(self.period.first, self.period.last)

    @cached_property
    def current(self) -> metrics.TicketOps:
        return metrics.TicketOps.of(self.current_summary)

    @cached_property
    def before_summary(self) -> Summary:
        return self._reports.daily.period(self.previous.first, self.previous.last)

    @cached_property
    def before(self) -> metrics.TicketOps:
        return metrics.TicketOps.of(self.before_summary)

    def read_now_beside(self, readers: ThreadPoolExecutor) -> None:
        """Ask for the figures of now on other threads; the tables wait for them when they need them."""
        # each in a copy of this request's context: its calls carry the request id, its log lines too
        self._asked = {name: readers.submit(contextvars.copy_context().run, read)
                       for name, read in self._now_reads().items()}

    def _now_reads(self) -> dict[str, Callable[[], Any]]:
        visible, limit = list(VISIBLE_STATES), SCREEN_WAITING_ROWS if self.screen else None
        return {"migration": self.source.migration, "names": self._reports._names,
                "lost": lambda: self.source.lost(visible),
                "experts": lambda: self.source.experts(self.now),
                "waiting": lambda: self.source.waiting(self.now, limit),
                "waiting_count": lambda: self.source.waiting_count(self.now)}

    def figure(self, name: str) -> Any:
        """A figure of now (a key of _now_reads), read once: the answer asked for beside the period if it
        was, else read here (a CSV)."""
        if name not in self._figures:
            asked = self._asked.get(name)
            self._figures[name] = asked.result() if asked is not None else self._now_reads()[name]()
        return self._figures[name]


def _compare(title: str, label: str, now_counts: Mapping[Any, int], before_counts: Mapping[Any, int],
             names: Mapping[Any, str] | None = None) -> dict[str, Any]:
    keys = sorted(set(now_counts) | set(before_counts), key=lambda k: (-now_counts.get(k, 0), str(k)))
    return {"title": title, "definition": metrics.DEFINITIONS["volume"],
            "columns": [label, "this period", "previous period"],
            "rows": [[(names or {}).get(k, k), now_counts.get(k, 0), before_counts.get(k, 0)] for k in keys]}


def _volume_state(i: _Inputs) -> dict[str, Any]:
    return _compare("Tickets raised, by state now", "state",
                    {**{s: 0 for s in VISIBLE_STATES}, **i.current.by_state}, i.before.by_state)


def _volume_product(i: _Inputs) -> dict[str, Any]:
    return _compare("Tickets raised, by product", "product", i.current.by_product, i.before.by_product,
                    i.figure("names")[0])


def _volume_locale(i: _Inputs) -> dict[str, Any]:
    return _compare("Tickets raised, by locale", "locale", i.current.by_locale, i.before.by_locale,
                    i.figure("names")[1])


def _times(i: _Inputs) -> dict[str, Any]:
    now, before = i.current, i.before
    return {"title": "Time to assign and to close (hours)", "columns": ["measure", "this period", "previous period"],
            "definition": metrics.DEFINITIONS["time_to_assign"] + " " + metrics.DEFINITIONS["time_to_close"],
            "rows": [["assign, median", _fmt(now.assign_median), _fmt(before.assign_median)],
                     ["assign, p90", _fmt(now.assign_p90), _fmt(before.assign_p90)],
                     ["close, median", _fmt(now.close_median), _fmt(before.close_median)],
                     ["close, p90", _fmt(now.close_p90), _fmt(before.close_p90)]]}


def _offers(i: _Inputs) -> dict[str, Any]:
    now, before = i.current, i.before
    return {"title": "Refusals, time-outs, re-offers and reopened tickets",
            "definition": metrics.DEFINITIONS["offers"] + " " + metrics.DEFINITIONS["reopened"],
            "columns": ["measure", "this period", "previous period"],
            "rows": [["refused", now.refused, before.refused], ["timed out", now.timed_out, before.timed_out],
                     ["re-offers", now.re_offers, before.re_offers],
                     ["reopened tickets", now.reopened_tickets, before.reopened_tickets]]}


def _unassigned(i: _Inputs) -> dict[str, Any]:
    rows = [[r["reference"], r["status"], r["waiting_since"], r["hours"]] for r in
            metrics.waiting(i.figure("waiting"), i.now)]
    total = i.figure("waiting_count") if i.screen else len(rows)
    return {"title": "Waiting for an expert now", "definition": metrics.DEFINITIONS["unassigned"],
            "columns": ["ticket", "state", "waiting since", "hours"], "rows": rows, "total": total}


def _lost(i: _Inputs) -> dict[str, Any]:
    return {"title": "Lost-ticket check", "definition": metrics.DEFINITIONS["lost"],
            "columns": ["ticket", "state", "why"],
            "rows": [[r["reference"], r["status"], r["why"]] for r in i.figure("lost")]}


def _experts(i: _Inputs) -> dict[str, Any]:
    lines = metrics.expert_lines_of(i.current_summary, i.figure("experts"))
    return {"title": "Experts", "definition": metrics.DEFINITIONS["experts"],
            "columns": ["expert", "load", "offers", "accepted", "refused", "timed out", "acceptance rate",
                        "refusal reasons", "median hours to close", "survey score", "answers"],
            "rows": [[x.name, x.load, x.offers, x.accepted, x.refused, x.timed_out,
                      "" if x.acceptance_rate is None else f"{x.acceptance_rate:.0%}",
                      "; ".join(f"{k} ({v})" for k, v in sorted(x.reasons.items())),
                      _fmt(x.close_median), "" if x.score is None else f"{x.score:.2f}", x.answers]
                     for x in sorted(lines, key=lambda x: (-x.offers, x.name))]}


def _service_levels(i: _Inputs, by: str, label: str, names: dict[int, str]) -> dict[str, Any]:
    """Promises kept, breached and still open per group and promise, this period, with the share kept
    against the previous period's."""
    now, before = sla.compliance(i.current_summary, by, i.now), sla.compliance(i.before_summary, by, i.now)
    rows = []
    for key in sorted(set(now) | set(before), key=lambda k: (names.get(k[0], str(k[0])), k[1])):
        kept, breached, open_ = now.get(key, (0, 0, 0))
        share, earlier = sla.share_kept(kept, breached), sla.share_kept(*before.get(key, (0, 0, 0))[:2])
        group = "none" if key[0] == -1 else names.get(key[0], f"#{key[0]}")
        rows.append([group, sla.PROMISES[key[1]], kept, breached, open_, _percent(share), _percent(earlier)])
    unknown = i.current_summary.sla_unknown
    return {"title": f"Service levels by {label}", "columns": [label, "promise", "kept", "breached", "open",
                                                               "% kept", "% kept, previous period"],
            "definition": sla.DEFINITION + (f" Not counted: {unknown} tickets of this period whose plan's promises "
                                            "could not be known (no terms stated, or the contract not found)."
                                            if unknown else ""),
            "rows": rows}


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share:.1%}"


def _sla_plan(i: _Inputs) -> dict[str, Any]:
    return _service_levels(i, "plan", "plan", i.figure("names")[2])


def _sla_product(i: _Inputs) -> dict[str, Any]:
    return _service_levels(i, "product", "product", i.figure("names")[0])


def _sla_locale(i: _Inputs) -> dict[str, Any]:
    return _service_levels(i, "locale", "locale", i.figure("names")[1])


def _migration(i: _Inputs) -> dict[str, Any]:
    progress = i.figure("migration")
    return {"title": "What has moved out of the monolith",
            "definition": "Each part of the monolith that has moved or is moving into the new system: how many "
                          "records the monolith holds, how many are in the graph (then their master), how many "
                          "remain only in the monolith, how many were created in the new system, and what the "
                          "last reconciliation of that part says.",
            "columns": ["part", "in the monolith", "in the graph", "only in the monolith", "new in the graph",
                        "reconciliation"],
            "rows": [[p["part"], _count(p["legacy"]), p["in_graph"], _count(p["remaining"]), p["new"],
                      p["reconciliation"]] for p in progress.get("parts", [])]}


def _count(value: int | None) -> str | int:
    return "not known" if value is None else value


def _migration_tickets(i: _Inputs) -> dict[str, Any]:
    progress = i.figure("migration")
    unknown = "not known (the legacy system is not answering)"
    if "legacy_total" not in progress:  # never read in this process, and the monolith does not answer now
        progress = {"legacy_total": unknown, "graph_migrated": unknown, "remaining": unknown,
                    "percent_migrated": unknown, "lazy": unknown, "backfill": unknown, **progress}
    return {"title": "Where the tickets are",
            "definition": "Every figure above counts each ticket once: tickets still only in the legacy system are "
                          "read from it, the others from the graph. Legacy tickets = all ever raised in the "
                          "monolith; in the graph = migrated (lazy = when first read, backfill = by the bulk "
                          "command, commitment = open work moved in for assignment); frozen = copy taken, not yet "
                          "in the graph (the next read or the backfill finishes it); new = raised in the new "
                          "system. The last reconciliation compares every legacy ticket with its copy.",
            "columns": ["measure", "value"],
            "rows": [["legacy tickets", progress["legacy_total"]], ["in the graph", progress["graph_migrated"]],
                     ["only in the legacy system", progress["remaining"]],
                     ["frozen, awaiting copy", progress.get("frozen_not_copied", 0)],
                     ["% migrated", progress["percent_migrated"]],
                     ["lazy", progress["lazy"]], ["backfill", progress["backfill"]],
                     ["commitment", progress.get("commitment", 0)],
                     ["new tickets (graph only)", progress.get("new_tickets", 0)],
                     ["last reconciliation", _reconciliation(progress.get("last_reconciliation"))]]}


TABLES: dict[str, Callable[[_Inputs], dict[str, Any]]] = {
    "volume_state": _volume_state, "volume_product": _volume_product, "volume_locale": _volume_locale,
    "times": _times, "offers": _offers, "unassigned": _unassigned, "lost": _lost, "experts": _experts,
    "sla_plan": _sla_plan, "sla_product": _sla_product, "sla_locale": _sla_locale,
    "migration": _migration, "migration_tickets": _migration_tickets}


def _reconciliation(run: dict[str, Any] | None) -> str:
    if not run:
        return "never run"
    found = run.get("mismatched", 0) + run.get("missing", 0) + run.get("unmarked", 0)
    if not found:
        return f"{run.get('at', '')}: OK"
    return (f"{run.get('at', '')}: {found} found, {run.get('repaired', 0)} repaired, "
            f"{run.get('needs_person', 0)} need a person")
