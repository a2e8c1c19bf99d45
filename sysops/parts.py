"""`sysops parts`: every part of the monolith, the service that takes it over, and where it stands (issue
29): in the monolith (nothing of it moved, its old owner still writes), migrating (its service writes,
some records still only in the monolith, or the last reconciliation found something or never ran),
cut over (every record moved and the last reconciliation by checksum found nothing), retired (the
monolith is retired: ADR 0036). With the counts each state is judged by, and the last reconciliation.

Each figure comes from where the part's owner keeps it: the bridge's handover counts and the owners of
the outbox and of sign-in in the monolith, the reconciliation runs in the graph."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import Any, Callable

from bridge_client import HANDOVER_KINDS
from bridge_client.handover import BILLS, SURVEY_TEMPLATES
from foundation.config import Settings, load_settings
from graph_store import retirement
from graph_store.reconciliation import last_run
from shell_app.part_owners import ACCOUNTS, owner_of
from sysops.reporting import operator_store

from .account_commands import legacy_db
from .graph_data import GraphData

STATES = ("in the monolith", "migrating", "cut over", "retired")


@dataclass(frozen=True)
class PartState:
    name: str
    service: str
    state: str
    legacy: int  # records the monolith holds of it
    moved: int  # of those, copied and marked
    left: int  # not moved yet
    findings: int | None  # what the last reconciliation left for a person; None: never reconciled
    reconciled_at: str | None
    note: str = ""

    def line(self) -> str:
        check = ("never reconciled" if self.findings is None else
                 f"{self.reconciled_at}: {self.findings} finding{'' if self.findings == 1 else 's'}")
        return (f"{self.name:<24} {self.service:<14} {self.state:<16} {self.legacy:>8} {self.moved:>8} {self.left:>8}  "
                f"{check}{'; ' + self.note if self.note else ''}")


HEADER = f"{'part':<24} {'service':<14} {'state':<16} {'legacy':>8} {'moved':>8} {'left':>8}  last reconciliation"


def _judged(name: str, service: str, switched: bool, legacy: int, moved: int, run: dict[str, Any] | None,
            note: str = "") -> PartState:
    findings = None if run is None else int(run.get("needs_person", 0))
    left = max(0, legacy - moved)
    if not switched:
        state = "in the monolith"
    elif left == 0 and findings == 0:
        state = "cut over"
    else:
        state = "migrating"
    return PartState(name, service, state, legacy, moved, left, findings, run.get("at") if run else None, note)


def _handed(store: GraphData, kinds: tuple[str, ...]) -> tuple[int, int]:
    stats = [store.bridge.handover_stats(kind) for kind in kinds]
    return sum(s["total"] for s in stats), sum(min(s["migrated"], s["frozen"]) for s in stats)


def survey(store: GraphData, database_url: str | None) -> list[PartState]:
    """Every part, in the roadmap's order."""
    db, bridge = store.backend, store.bridge
    retired = retirement.retirement(db)
    if retired is not None:
        at = retired["at"]
        return [PartState(name, service, "retired", 0, 0, 0, 0, at, f"held by the {service} service since {at}")
                for name, service in NAMES]
    tickets = bridge.legacy_stats()
    articles = bridge.article_stats()
    sender = bridge.outbox_owner()
    outbox = bridge.outbox_stats()
    messages, unmoved = outbox["total"], outbox["total"] - outbox["migrated"]
    customers = _handed(store, tuple(HANDOVER_KINDS))
    accounts = _handed(store, ("accounts",))
    templates = _handed(store, (SURVEY_TEMPLATES,))
    bills = _handed(store, (BILLS,))
    signs_in = "legacy"
    if database_url is not None:
        with legacy_db(database_url) as session:
            signs_in = owner_of(session, ACCOUNTS)
    moved_tickets = tickets["total"] - tickets["remaining"]
    return [
        _judged("tickets", "ticketing", moved_tickets > 0, tickets["total"], moved_tickets, last_run(db, "tickets")),
        _judged("knowledge base", "knowledge", articles["migrated"] > 0, articles["total"], articles["migrated"],
                last_run(db, "articles")),
        _judged("notifications", "notifications", sender == "notifications", messages, messages - unmoved,
                last_run(db, "outbox"), f"messages sent by the {sender}"),
        _judged("customers and catalogue", "customers", customers[1] > 0, *customers, last_run(db, "customers")),
        _judged("accounts", "identity", signs_in == "identity", *accounts, last_run(db, ACCOUNTS),
                f"sign-in by the {signs_in}"),
        _judged("surveys", "ticketing", templates[1] > 0, *templates, last_run(db, SURVEY_TEMPLATES),
                "answers move with their tickets"),
        _judged("billing", "customers", bills[1] > 0, *bills, last_run(db, BILLS)),
    ]


NAMES = (("tickets", "ticketing"), ("knowledge base", "knowledge"), ("notifications", "notifications"),
         ("customers and catalogue", "customers"), ("accounts", "identity"), ("surveys", "ticketing"),
         ("billing", "customers"))


def _on_store(settings: Settings, work: Callable[[GraphData], Any]) -> Any:
    store = GraphData.over(operator_store(settings))
    try:
        return work(store)
    finally:
        store.bridge.close()
        store.close()


def cmd_parts(args) -> int:
    settings = load_settings()
    found = _on_store(settings, lambda store: survey(store, None if settings.monolith == "retired"
                                                     else settings.database_url))
    if args.json:
        json.dump([asdict(p) for p in found], sys.stdout, indent=2)
        print()
    else:
        print(HEADER)
        for part in found:
            print(part.line())
    return 0


def register(sub) -> None:
    show = sub.add_parser("parts", help="every part of the monolith with its state, counts and last reconciliation")
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(func=cmd_parts)
