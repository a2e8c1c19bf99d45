"""`sysops cutover PART` and `sysops rollback PART`, for every part of the monolith (issue 29), each by
the protocol that part's owner keeps (freeze, copy, mark, reconcile; roll back by write-back and
release). `sysops parts` shows where each stands.

- tickets: open legacy work moved now (the rest on first read or by `sysops backfill`); back: every
  graph ticket written back, then forgotten (ADR 0012).
- knowledge: every article copied and reconciled by checksum; back: released to the legacy KB once
  nothing waits for its write-back or an admin (the copies kept as the links tickets need).
- notifications: the outbox switched to the notifications service (ADR 0023); back: handed back.
- customers: the catalogue, every customer and contract copied and reconciled (ADR 0025); back: every
  record written back and released, the copies forgotten (ADR 0026).
- accounts: sign-in moved to the identity service (ADR 0032); back: given back with every password.
- surveys: the legacy templates copied and reconciled (ADR 0037); back: released (the copies stay: the
  answers name them).
- billing: the legacy bills with their payments copied and reconciled (ADR 0038); back: released and
  forgotten, refused once a bill was issued or a payment taken here.

A rollback asks for `--yes`; each says what to switch off first."""
from __future__ import annotations

import argparse
from typing import Callable

from fragments.customers.adapters.bills import give_back_bills, reconcile_bills, take_legacy_bills
from fragments.knowledge.adapters.articles import GraphArticles, give_back_articles, reconcile_articles
from fragments.ticketing.adapters.survey_templates import reconcile_templates, release_templates, take_legacy_templates
from graph_store import retirement
from graph_store.cutover import RollbackRefused

from . import account_commands, customer_commands, graph_commands, outbox_commands, reporting

PARTS = ("tickets", "knowledge", "notifications", "customers", "accounts", "surveys", "billing")
ALIASES = {"knowledge base": "knowledge", "kb": "knowledge", "articles": "knowledge", "outbox": "notifications",
           "customers and catalogue": "customers", "catalogue": "customers", "sign-in": "accounts",
           "survey-templates": "surveys", "bills": "billing"}


def part_name(text: str) -> str:
    name = ALIASES.get(text.strip().lower(), text.strip().lower())
    if name not in PARTS:
        raise argparse.ArgumentTypeError(f"one of {', '.join(PARTS)}")
    return name


def _copied_and_reconciled(label: str, take: Callable, reconcile: Callable, record: str) -> int:
    copied = reporting.on_operator_store(take)
    print(f"cutover {label}: {copied} copied now")
    return reporting.reconciliation(f"cutover {label}: reconciliation", reporting.on_operator_store(reconcile), record)


def _knowledge_take(backend, bridge) -> int:
    return GraphArticles(backend, bridge).backfill()[1]


def _customers_cutover(args) -> int:
    code = customer_commands.backfill(argparse.Namespace(batch_size=args.batch, workers=2))
    return code or customer_commands.reconcile(args)


CUTOVERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "tickets": graph_commands.cutover,
    "knowledge": lambda _args: _copied_and_reconciled("knowledge", _knowledge_take, reconcile_articles, "article"),
    "notifications": outbox_commands.switch,
    "customers": _customers_cutover,
    "accounts": account_commands.cutover,
    "surveys": lambda _args: _copied_and_reconciled("surveys", take_legacy_templates, reconcile_templates, "template"),
    "billing": lambda _args: _copied_and_reconciled("billing", take_legacy_bills, reconcile_bills, "bill"),
}


def _given_back(label: str, give: Callable, what: str, first: str) -> Callable[[argparse.Namespace], int]:
    def rollback(args) -> int:
        if not args.yes:
            print(f"rollback {label}: {what}. {first}Run again with --yes.")
            return 2
        try:
            done = reporting.on_operator_store(give)
        except RollbackRefused as refused:
            print(f"rollback {label} refused: {refused}.")
            return 1
        print(f"rollback {label}: {done} given back to the monolith")
        return 0
    return rollback


ROLLBACKS: dict[str, Callable[[argparse.Namespace], int]] = {
    "tickets": graph_commands.rollback,
    "knowledge": _given_back("knowledge", lambda b, r: give_back_articles(b, r)[0],
                             "every article released to the legacy KB, the copies here kept only as the links "
                             "tickets need", "Switch the knowledge service off first (SYSOPS_FRAGMENTS without "
                             "knowledge). "),
    "notifications": outbox_commands.rollback,
    "customers": customer_commands.rollback,
    "accounts": account_commands.rollback,
    "surveys": _given_back("surveys", release_templates, "the legacy survey templates released to the monolith "
                           "(the copies stay: answers given here name them)", ""),
    "billing": _given_back("billing", give_back_bills, "every legacy bill released to the monolith with its "
                           "payments, the copies here forgotten", "Switch billing off first (the customers "
                           "service's billing pages then show nothing new). "),
}


def cmd_cutover(args) -> int:
    return CUTOVERS[args.part](args)


def cmd_rollback(args) -> int:
    refused = reporting.on_operator_store(lambda backend, _bridge: retirement.no_way_back(backend))
    if refused:
        print(f"rollback {args.part} refused: {refused}")
        return 1
    return ROLLBACKS[args.part](args)


def register(sub) -> None:
    on = sub.add_parser("cutover", help="switch a part of the monolith to its service (tickets by default)")
    on.add_argument("part", nargs="?", default="tickets", type=part_name, help=", ".join(PARTS))
    on.add_argument("--batch", type=int, default=200)
    on.add_argument("--wait", type=float, default=120.0, help="notifications: seconds to wait for sends in progress")
    on.set_defaults(func=cmd_cutover)
    off = sub.add_parser("rollback", help="give a part back to the monolith (tickets by default)")
    off.add_argument("part", nargs="?", default="tickets", type=part_name, help=", ".join(PARTS))
    off.add_argument("--batch", type=int, default=100)
    off.add_argument("--wait", type=float, default=90.0, help="notifications: seconds to wait for sends in progress")
    off.add_argument("--yes", action="store_true", help="really do it")
    off.set_defaults(func=cmd_rollback)
