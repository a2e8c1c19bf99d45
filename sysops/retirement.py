"""`sysops monolith-retire | monolith-restore`: the migration's last step (docs/adr/0036).

Retire: with the monolith still running, every part's own copy step is run to its end (each resumable
and create-only, so this is safe beside live traffic and after an interrupted run), every part is
reconciled, and only if each check holds is the monolith recorded as retired in the graph, and its user
tokens refused everywhere (ADR 0035). From then on `sysops run` (SYSOPS_MONOLITH=retired) starts neither
its processes nor its database; a launcher asked to run it (SYSOPS_MONOLITH=migrating) refuses until it
is restored.

Restore: the record removed, so the monolith may run again with its database as it was at retirement;
each part then goes back by its own rollback (which writes back what changed at the services since).
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Any

from bridge_client import HANDOVER_KINDS
from bridge_client.handover import BILLS, SURVEY_TEMPLATES
from foundation import keys
from foundation.config import Settings, load_settings
from fragments.customers.adapters.bills import reconcile_bills
from fragments.customers.adapters.catalogue import GraphCatalogueAdmin
from fragments.experts.published import profiles_v1
from fragments.identity.adapters import handover as accounts
from fragments.knowledge.adapters.articles import reconcile_articles
from fragments.notifications.adapters import legacy_outbox
from fragments.notifications.adapters.alerts import GraphStaffAlerts, take_legacy
from fragments.ticketing.adapters.migration import backfill as tickets_backfill
from fragments.ticketing.adapters.survey_templates import reconcile_templates
from graph_store import retirement
from shell_app.db import make_engine
from shell_app.demo_data.checksum import content_checksum
from shell_app.part_owners import ACCOUNTS, owner_of
from sysops.reporting import operator_store

from .account_commands import legacy_db
from .customer_commands import reconcile_all
from .graph_data import GraphData


@dataclass(frozen=True)
class Check:
    part: str
    ok: bool
    detail: str

    def line(self) -> str:
        """As the operator reads it: `ok` or `LEFT`, the part, what was found."""
        return f"  {'ok  ' if self.ok else 'LEFT'} {self.part}: {self.detail}"


def printed(checks: list[Check], done: bool, refusal: str) -> bool:
    """Each check's line for the operator, then the refusal (on stderr) unless it was done. Returns done."""
    for check in checks:
        print(check.line())
    if not done:
        print(refusal, file=sys.stderr)
    return done


def _all_handed_over(stats: dict[str, int]) -> bool:
    return stats["migrated"] >= stats["total"] and stats["frozen"] >= stats["total"]


def finish_moves(store: GraphData, database_url: str) -> list[Check]:
    """Every part's copy run to its end and reconciled; one check per part (all must hold to retire)."""
    bridge, backend, checks = store.bridge, store.backend, []
    with legacy_db(database_url) as session:
        signs_in = owner_of(session, ACCOUNTS)
    checks.append(Check("sign-in", signs_in == "identity", f"kept by the {signs_in} "
                        "(move it first: sysops accounts-cutover)" if signs_in != "identity" else "the identity service's"))
    sender = bridge.outbox_owner()
    checks.append(Check("outbox owner", sender == "notifications", f"messages sent by the {sender}"
                        + ("" if sender == "notifications" else " (move it first: sysops outbox-switch)")))
    store.ensure_schema()
    store.import_experts()
    tickets_backfill(store.tickets.migration, batch_size=500, workers=2)
    found = store.reconcile()
    stats = bridge.legacy_stats()
    checks.append(Check("tickets", found.ok and stats["remaining"] == 0,
                        f"{stats['total']} legacy tickets, {stats['remaining']} not moved, "
                        f"{len(found.needs_person)} need a person (sysops reconcile)"))
    imported = profiles_v1.imported_count(backend)
    checks.append(Check("experts' assignment facts", imported >= stats["experts"],
                        f"{imported} of {stats['experts']} profiles imported"))
    store.articles.backfill()
    articles = bridge.article_stats()
    kb = reconcile_articles(backend, bridge)
    checks.append(Check("knowledge base", _all_handed_over(articles) and kb.ok,
                        f"{articles['migrated']} of {articles['total']} articles moved, {len(kb.needs_person)} need a "
                        "person (sysops kb-sync, then kb-reconcile)"))
    if sender == "notifications":
        outbox = legacy_outbox.reconcile(backend, bridge)
        left = sum(1 for _ in bridge.outbox_ids(migrated="false"))
        checks.append(Check("outbox messages", outbox.ok and left == 0,
                            f"{left} legacy messages not moved, {len(outbox.needs_person)} need a person "
                            "(sysops outbox-reconcile)"))
    store.take_survey_templates()
    templates = reconcile_templates(backend, bridge)
    moved = bridge.handover_stats(SURVEY_TEMPLATES)
    checks.append(Check("survey templates", templates.ok and _all_handed_over(moved),
                        f"{moved['migrated']} of {moved['total']} legacy templates moved, "
                        f"{len(templates.needs_person)} need a person"))
    alerts = GraphStaffAlerts(backend)
    seen, _ = take_legacy(alerts, bridge)
    kept = alerts.count("legacy")
    checks.append(Check("staff alerts", kept >= seen, f"{kept} of the monolith's {seen} staff alerts held by the "
                        "notifications service"))
    store.take_customers()
    held = reconcile_all(store.customers, GraphCatalogueAdmin(backend, bridge), bridge)
    differing = sum(len(r.needs_person) for r in held.values())
    for kind in HANDOVER_KINDS:
        moved = bridge.handover_stats(kind)
        checks.append(Check(kind, _all_handed_over(moved) and differing == 0,
                            f"{moved['migrated']} of {moved['total']} moved; {differing} customers-part records "
                            "need a person (sysops customers-reconcile)"))
    bills = reconcile_bills(backend, bridge)  # take_customers copied them, with their payments
    handed = bridge.handover_stats(BILLS)
    checks.append(Check("bills", bills.ok and _all_handed_over(handed),
                        f"{handed['migrated']} of {handed['total']} legacy bills moved with their payments, "
                        f"{len(bills.needs_person)} need a person (sysops bills-reconcile)"))
    if signs_in == "identity":
        accounts.take_all(backend, bridge)
        people = accounts.reconcile(backend, bridge)
        moved = bridge.handover_stats("accounts")
        checks.append(Check("accounts", people.ok and _all_handed_over(moved),
                            f"{moved['migrated']} of {moved['total']} moved, {len(people.needs_person)} need a person "
                            "(sysops accounts-reconcile)"))
    return checks


def retire(settings: Settings, store: GraphData, *, overlap_s: int = keys.USER_TOKEN_OVERLAP_SECONDS,
           now: dt.datetime | None = None) -> tuple[bool, list[Check]]:
    """Finish and check every part's move; if every check holds, retire the monolith (its user tokens
    refused after `overlap_s`) and record it. Returns (retired now or before, the checks)."""
    if retirement.retirement(store.backend) is not None:
        return True, []
    checks = finish_moves(store, settings.database_url)
    if not all(check.ok for check in checks):
        return False, checks
    if not keys.retired_user_issuers(settings.keys_dir).get("shell"):
        keys.retire_user_issuer(settings.keys_dir, "shell", overlap_seconds=overlap_s)
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    engine = make_engine(settings.database_url)
    try:  # what its database held then: decommission checks nothing wrote to it since (ADR 0039)
        legacy = content_checksum(engine)
    finally:
        engine.dispose()
    retirement.retire(store.backend, at, {**{c.part: c.detail for c in checks}, "legacy_checksum": legacy})
    return True, checks


def cmd_retire(args) -> int:
    settings = load_settings()
    if settings.monolith == "retired":
        print("monolith-retire runs while the monolith still runs (SYSOPS_MONOLITH=migrating): it asks the "
              "monolith for what is left", file=sys.stderr)
        return 2
    store = GraphData.over(operator_store(settings))
    try:
        done, checks = retire(settings, store, overlap_s=args.overlap)
        record = retirement.retirement(store.backend)
    finally:
        store.bridge.close()
        store.close()
    if not printed(checks, done, "monolith-retire: the monolith keeps running; settle what is LEFT and run again"):
        return 1
    print(f"monolith-retire: retired at {record['at'] if record else '?'}. Stop it and run without it: "
          "SYSOPS_MONOLITH=retired sysops run (make run MONOLITH=retired)")
    return 0


def cmd_restore(_args) -> int:
    settings = load_settings()
    store = GraphData.over(operator_store(settings))
    try:
        refused = retirement.no_way_back(store.backend)
        restored = False if refused else retirement.restore(store.backend)
    finally:
        store.close()
    if refused:
        print(f"monolith-restore refused: {refused}", file=sys.stderr)
        return 1
    print("monolith-restore: the monolith may run again (SYSOPS_MONOLITH=migrating); its database is as it was at "
          "retirement: roll back each part it should hold again (sysops rollback PART; sysops parts shows them), "
          "which writes back what changed since"
          if restored else "monolith-restore: the monolith was not retired")
    return 0


def retired_record(settings: Settings) -> dict[str, Any] | None:
    """The graph's record of the retirement, if any (the launcher's question before it starts anything)."""
    store = operator_store(settings)
    try:
        record = retirement.retirement(store.backend)
        return None if record is None else {**record, "decommissioned": retirement.decommissioned(store.backend)}
    finally:
        store.bridge.close()
        store.close()


def register(sub) -> None:
    go = sub.add_parser("monolith-retire", help="finish every part's move, reconcile all, and retire the monolith "
                                                 "(then run with SYSOPS_MONOLITH=retired)")
    go.add_argument("--overlap", type=int, default=keys.USER_TOKEN_OVERLAP_SECONDS,
                    help="seconds the monolith's user tokens still verify (default: %(default)s)")
    go.set_defaults(func=cmd_retire)
    sub.add_parser("monolith-restore", help="let the monolith run again (then roll back the parts it should hold)"
                   ).set_defaults(func=cmd_restore)
