"""`sysops decommission`, `decommission --undo` and `archive-sign-off`: the monolith switched off for good
(issue 29, ADR 0039), after its retirement (ADR 0036).

Decommission refuses, and says why, unless the monolith is retired (every part was moved, backfilled and
reconciled by checksum with nothing for a person: the retirement's own checks), its database has not
changed since (its content checksum then and now), and no bridge route was called for the quiet period
(the bridge's per-route request counts, read from its metrics before and after: our services no longer
call it once the monolith is retired, so a call is a reader nobody knew of). Then the legacy database
refuses every write, a final dump with its SHA-256 is the archive (shell_app/archive.py), and the graph
records it. Until the archive is signed off `--undo` is the way back (the database accepts writes
again, the monolith is retired as before); once signed off there is none, and every rollback says so."""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from foundation import keys
from foundation.config import Settings, load_settings
from graph_store import retirement
from graph_store.backends import GraphBackend
from shell_app.archive import ArchiveError, dump, read_only, read_write, verify
from shell_app.db import make_engine
from shell_app.demo_data.checksum import content_checksum
from sysops.reporting import operator_store

from .retirement import Check, printed

BRIDGE_ROUTES = "/bridge/v1"
DEFAULT_QUIET_S = 600.0


class BridgeSilent(Exception):
    """The bridge's metrics could not be read."""


def bridge_calls(base: str, token: str | None) -> dict[str, float]:
    """Requests answered so far per bridge route ("METHOD /bridge/v1/..."), from the bridge's metrics."""
    try:
        answer = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token or ''}"}, timeout=10)
    except requests.RequestException as exc:
        raise BridgeSilent(f"the bridge does not answer at {base} ({exc.__class__.__name__})") from exc
    if answer.status_code != 200:
        raise BridgeSilent(f"the bridge's metrics at {base} answered {answer.status_code}")
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.text):
        if family.name != "sysops_http_requests":
            continue
        for sample in family.samples:
            route = sample.labels.get("route", "")
            if sample.name.endswith("_total") and route.startswith(BRIDGE_ROUTES):
                key = f"{sample.labels.get('method', '')} {route}"
                counts[key] = counts.get(key, 0.0) + sample.value
    return counts


def watch(base: str, token: str | None, quiet_s: float, sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """The bridge routes called during the next `quiet_s` seconds, with how many times."""
    before = bridge_calls(base, token)
    sleep(quiet_s)
    after = bridge_calls(base, token)
    return {route: int(n - before.get(route, 0.0)) for route, n in sorted(after.items()) if n > before.get(route, 0.0)}


def checks(settings: Settings, db: GraphBackend, bridge_base: str, *, quiet_s: float,
           sleep: Callable[[float], None] = time.sleep) -> list[Check]:
    """What must hold before the switch-off; one check each (all must hold)."""
    found = []
    retired = retirement.retirement(db)
    found.append(Check("monolith retired", retired is not None,
                       f"since {retired['at']}: every part moved and reconciled then" if retired else
                       "not yet: every part must be moved and reconciled first (sysops parts; sysops monolith-retire)"))
    if retired is None:
        return found
    then = retired["figures"].get("legacy_checksum")
    engine = make_engine(settings.database_url)
    try:
        now = content_checksum(engine)
    finally:
        engine.dispose()
    found.append(Check("legacy database unchanged", then is None or then == now,
                       "as at the retirement" if then == now else
                       "not recorded at the retirement (retired by an older version): not compared" if then is None else
                       "changed since the retirement: something still writes to it; find it, then retire again"))
    try:
        called = watch(bridge_base, settings.metrics_token or keys.metrics_token(settings.keys_dir), quiet_s, sleep)
        found.append(Check(f"bridge quiet for {quiet_s:.0f} s", not called, "no route called" if not called else
                           "called: " + "; ".join(f"{route} x{n}" for route, n in called.items())
                           + " (a reader nobody moved: move it to the route's successor, then run again)"))
    except BridgeSilent as silent:
        found.append(Check(f"bridge quiet for {quiet_s:.0f} s", False, f"{silent}: keep it running alone while "
                           "it is watched (SYSOPS_WATCH_BRIDGE=1 with the monolith retired)"))
    return found


def decommission(settings: Settings, db: GraphBackend, bridge_base: str, archive: Path, *, quiet_s: float,
                 sleep: Callable[[float], None] = time.sleep,
                 now: dt.datetime | None = None) -> tuple[bool, list[Check], dict[str, Any] | None]:
    """(done now or before, the checks, the record)."""
    if retirement.decommissioned(db) is not None:
        return True, [], retirement.decommissioned(db)
    found = checks(settings, db, bridge_base, quiet_s=quiet_s, sleep=sleep)
    if not all(check.ok for check in found):
        return False, found, None
    read_only(settings.database_url)
    try:
        manifest = dump(settings.database_url, archive, now)
    except ArchiveError:
        read_write(settings.database_url)  # nothing half done: the monolith is as it was
        raise
    ok, said = verify(archive)
    if not ok:
        read_write(settings.database_url)
        raise ArchiveError(f"the archive just taken does not verify: {said}")
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    retirement.decommission(db, at, str(archive), manifest.sha256, {"tables": manifest.tables, "bytes": manifest.bytes,
                                                                  **{c.part: c.detail for c in found}})
    return True, found, retirement.decommissioned(db)


def undo(settings: Settings, db: GraphBackend) -> str:
    """The way back until the sign-off: the database accepts writes again, the monolith stays retired."""
    record = retirement.decommissioned(db)
    if record is None:
        return "decommission --undo: the monolith is not decommissioned"
    if record.get("signed_off_at"):
        return (f"decommission --undo refused: the archive was signed off at {record['signed_off_at']} by "
                f"{record['signed_off_by']}; there is no way back")
    read_write(settings.database_url)
    retirement.undo_decommission(db)
    return ("decommission --undo: the legacy database accepts writes again; the monolith is retired as before "
            "(sysops monolith-restore to run it again)")


def _on_graph(settings: Settings, work: Callable[[GraphBackend], Any]) -> Any:
    store = operator_store(settings)
    try:
        return work(store.backend)
    finally:
        store.bridge.close()
        store.close()


def cmd_decommission(args) -> int:
    settings = load_settings()
    if args.undo:
        said = _on_graph(settings, lambda db: undo(settings, db))
        print(said)
        return 1 if "refused" in said else 0
    base = args.bridge or f"http://{settings.host}:{settings.bridge_port}"
    archive = Path(args.archive) if args.archive else settings.data_dir / "archive"
    try:
        done, found, record = _on_graph(settings, lambda db: decommission(settings, db, base, archive,
                                                                          quiet_s=args.quiet_seconds))
    except ArchiveError as failed:
        print(f"decommission: {failed}; nothing was changed", file=sys.stderr)
        return 1
    if not printed(found, done, "decommission refused: settle what is LEFT and run again; nothing was changed"):
        return 1
    print(f"decommission: done at {record['at']}; the legacy database refuses writes; archive {record['archive']} "
          f"(SHA-256 {record['sha256']}). make run starts no monolith process. The way back until the archive is "
          "signed off: sysops decommission --undo; then: sysops archive-sign-off")
    return 0


def cmd_sign_off(args) -> int:
    settings = load_settings()

    def work(db: GraphBackend) -> int:
        record = retirement.decommissioned(db)
        if record is None:
            print("archive-sign-off: the monolith is not decommissioned", file=sys.stderr)
            return 1
        ok, said = verify(Path(record["archive"]))
        if not ok or f"SHA-256 {record['sha256']}" not in said:
            print(f"archive-sign-off refused: the archive does not verify ({said})", file=sys.stderr)
            return 1
        if not retirement.sign_off(db, dt.datetime.now().isoformat(timespec="seconds"), args.by):
            print(f"archive-sign-off: signed off already at {record['signed_off_at']}")
            return 0
        print(f"archive-sign-off: {said}; signed off by {args.by}. There is no way back from here.")
        return 0
    return _on_graph(settings, work)


def register(sub) -> None:
    off = sub.add_parser("decommission", help="switch the retired monolith off for good: read-only database, "
                                              "archive, record (refuses, saying why, unless it may)")
    off.add_argument("--quiet-seconds", type=float, default=DEFAULT_QUIET_S,
                     help="how long no bridge route may be called (default 600)")
    off.add_argument("--archive", help="where the archive goes (default: the data folder's archive/)")
    off.add_argument("--bridge", help="the bridge's address to watch (default: this installation's)")
    off.add_argument("--undo", action="store_true", help="the way back, until the archive is signed off")
    off.set_defaults(func=cmd_decommission)
    sign = sub.add_parser("archive-sign-off", help="accept the archive: from then on there is no way back")
    sign.add_argument("--by", required=True, help="who signs off")
    sign.set_defaults(func=cmd_sign_off)
