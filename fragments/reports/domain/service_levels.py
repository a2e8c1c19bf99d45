"""Whether each ticket's plan promises were kept: the compliance figures per plan, product and locale.

A ticket carries two promises (promises_v1): an expert accepted by `accept_by`, the visit by `visit_by`.
A ticket raised here stored both at its raise (moved later by any wait on the customer); one raised in
the monolith is judged on the terms its contract keeps, computed the same way from its raise. A promise
is met when an expert first accepted the ticket (accept), or when the ticket was closed, the work done
on site (visit). Whether a promise not met yet is breached depends on the moment the report is read, so
a summary keeps moments (seconds since the epoch, the stores' local time read as UTC), and `classify`
judges the promises not met yet at reading time (compliance).
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np

from fragments.customers.published.promises_v1 import Terms, deadlines

from .summary import Summary

KINDS = ("accept", "visit")
PROMISES = ("expert accepted", "visit")  # as the reports name them
DEFINITION = ("Each plan promises an expert accepted within so many working hours of the raise and a visit within "
              "so many working days (by the close of that day), on the plan's working week and hours and the "
              "public holidays of the customer's area. Counted over the tickets raised in the period, in both "
              "stores: kept = met by the deadline (accepted: the first expert to accept; visit: the ticket closed, "
              "the work done on site); breached = met late, or not met and past the deadline now; open = not due "
              "yet, or paused while waiting on the customer. % kept = kept / (kept + breached). A ticket raised "
              "here carries its deadlines from the raise (moved by any wait on the customer); one raised in the "
              "monolith is judged on the terms its contract keeps, computed the same way.")
# A promise of a ticket waiting on the customer now: its deadline is paused, so it is not breached yet.
PAUSED = np.iinfo(np.int64).max
KEPT, BREACHED, OPEN = 0, 1, 2
DENSE_GROUPS = 1 << 20  # group ids below this are counted in an array of that many groups, larger ones sorted


def epoch(moment: dt.datetime | str) -> int:
    """Seconds since the epoch of a local moment (as the stores write them), read as UTC."""
    at = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return calendar.timegm(at.timetuple())


def promises_of(ticket: dict[str, Any], terms: Terms | None, accepted: str | None) -> list[tuple[int, int, int]]:
    """(kind, due, met or 0) for each of the ticket's promises; [] if it carries none and its plan's terms
    are not known. `accepted`: when an expert first accepted it (None if never)."""
    due: dict[str, str | dt.datetime] = {}
    if ticket.get("accept_by") and ticket.get("visit_by"):
        due = {"accept": ticket["accept_by"], "visit": ticket["visit_by"]}
    elif terms is not None:
        due = {p.name: p.due for p in deadlines(terms, dt.datetime.fromisoformat(ticket["created_at"]))}
    if not due:
        return []
    visited = ticket.get("closed_at") if ticket.get("status") == "closed" else None
    met = {"accept": accepted, "visit": visited}
    waiting = bool(ticket.get("waiting_since"))
    out = []
    for kind, name in enumerate(KINDS):
        at = met[name]
        out.append((kind, PAUSED if waiting and not at else epoch(due[name]), epoch(at) if at else 0))
    return out


def compliance(s: Summary, by: str, now: dt.datetime) -> dict[tuple[int, int], tuple[int, int, int]]:
    """{(key, kind): (kept, breached, open)} over the summary's promises, grouped by plan, product or
    locale (`by`): the promises met as decided, those not met yet judged at `now`."""
    moment = epoch(now)
    late = s.array("sla_open_due") < moment
    keys = np.concatenate([s.array(f"sla_{by}"), s.array(f"sla_open_{by}")]).astype(np.int64)
    kinds = np.concatenate([s.array("sla_kind"), s.array("sla_open_kind")]).astype(np.int64)
    outcome = np.concatenate([s.array("sla_breached").astype(np.int64), np.where(late, BREACHED, OPEN)])
    weight = np.concatenate([s.array("sla_count"), np.ones(len(late), dtype=np.int64)])
    if not len(keys):
        return {}
    combined = (keys + 1) * len(KINDS) + kinds  # ids from 0 (NONE = -1 first): a dense index of groups
    if combined.max() < DENSE_GROUPS:  # counted in one pass, no sort (ids are small: plans, products, locales)
        counts = np.bincount(combined * 3 + outcome, weights=weight,
                             minlength=(int(combined.max()) + 1) * 3).reshape(-1, 3)
        groups = np.flatnonzero(counts.sum(axis=1))
        counts = counts[groups]
    else:
        groups, inverse = np.unique(combined, return_inverse=True)
        counts = np.bincount(inverse.reshape(-1) * 3 + outcome, weights=weight, minlength=len(groups) * 3).reshape(-1, 3)
    return {(int(g // len(KINDS)) - 1, int(g % len(KINDS))): (int(c[KEPT]), int(c[BREACHED]), int(c[OPEN]))
            for g, c in zip(groups.tolist(), counts)}


def share_kept(kept: int, breached: int) -> float | None:
    """Kept / (kept + breached): promises not yet due (or paused) do not count either way."""
    return kept / (kept + breached) if kept + breached else None
