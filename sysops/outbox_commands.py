"""`sysops outbox-switch | outbox-rollback | outbox-reconcile`: the monolith's outbox moving to the
notifications service and back (docs/adr/0023), each resumable."""
from __future__ import annotations

from fragments.notifications.adapters import legacy_outbox

from . import reporting


def _on_store(work):
    """`work(backend, bridge)` over the graph and the monolith as the operator's backfill identity."""
    return reporting.on_operator_store(work)


def switch(args) -> int:
    result = _on_store(lambda backend, bridge: legacy_outbox.switch(backend, bridge, wait_s=args.wait))
    found = result.reconciliation
    print(f"outbox-switch: the notifications service sends every message now; {result.seen} legacy messages "
          f"seen, {result.copied} copied in {result.rounds} rounds ({result.waited_s:.1f} s)")
    if result.left:
        print(f"  {len(result.left)} still being sent by the legacy worker after {args.wait} s: run it again "
              f"(ids {result.left[:20]})")
    if found is not None:
        print(f"  reconciliation: {found.checked} checked, {found.matching} matching, "
              f"{len(found.needs_person)} need a person")
    return 0 if not result.left and (found is None or found.ok) else 1


def rollback(args) -> int:
    result = _on_store(lambda backend, bridge: legacy_outbox.roll_back(backend, bridge, wait_s=args.wait))
    print(f"outbox-rollback: the monolith's outbox sends again; {result.handed_back} queued messages handed "
          "back (the notifications worker hands back any that fall due later)")
    return 0


def reconcile(_args) -> int:
    return reporting.reconciliation("outbox-reconcile", _on_store(legacy_outbox.reconcile), "message")


def register(sub) -> None:
    go = sub.add_parser("outbox-switch", help="make the notifications service send every message (freeze, copy, "
                                              "mark, reconcile)")
    go.add_argument("--wait", type=float, default=120.0, help="seconds to wait for sends in progress in the monolith")
    go.set_defaults(func=switch)
    back = sub.add_parser("outbox-rollback", help="give the outbox back to the monolith (unsent messages go back)")
    back.add_argument("--wait", type=float, default=90.0, help="seconds to wait for sends in progress here")
    back.set_defaults(func=rollback)
    sub.add_parser("outbox-reconcile", help="compare the legacy outbox with the service's copy").set_defaults(
        func=reconcile)
