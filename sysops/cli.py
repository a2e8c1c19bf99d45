"""`sysops`: set up, seed and run the Sysops Squad system."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select

from bridge_client import Unavailable
from foundation import keys
from foundation.config import load_settings
from foundation.tokens import Principal, TokenSigner
from fragments.notifications.entrypoints import worker as notifications_worker
from fragments.reports.entrypoints import worker as reports_worker
from fragments.ticketing.entrypoints import worker as ticketing_worker
from graph_store.backends import GraphUnavailable
from graph_store.errors import MigrationUnavailable
from shell_app.db import make_engine, make_session_factory
from shell_app.demo_data import PRESETS, generate
from shell_app.demo_data.checksum import content_checksum
from shell_app.migrations import upgrade
from shell_app.models import UserAccount
from shell_app.outbox import runner as outbox_runner

from . import (
    account_commands,
    billing_commands,
    customer_commands,
    decommission,
    erasure,
    graph_commands,
    launcher,
    nginx,
    outbox_commands,
    part_moves,
    parts,
    retirement,
    units,
)


def _engine():
    return make_engine(load_settings().database_url)


def cmd_db_upgrade(_args) -> int:
    upgrade(_engine())
    return 0


def cmd_seed(args) -> int:
    engine = _engine()
    upgrade(engine)
    logins = generate(engine, seed=args.seed, scale=PRESETS[args.preset], anchor=args.anchor)
    _print_logins(logins)
    return 0


def cmd_checksum(_args) -> int:
    print(content_checksum(_engine()))
    return 0


def cmd_outbox_worker(_args) -> int:
    return outbox_runner.main(load_settings())


def cmd_ticketing_worker(_args) -> int:
    return ticketing_worker.main(load_settings())


def cmd_notifications_worker(_args) -> int:
    return notifications_worker.main(load_settings())


def cmd_reports_worker(_args) -> int:
    return reports_worker.main(load_settings())


def cmd_token(args) -> int:
    """Mint a bearer token for trying the bridge by hand (curl -H "Authorization: Bearer ...")."""
    if args.service:
        principal = Principal("service", args.service)
    else:
        with make_session_factory(_engine())() as session:
            account = session.scalar(select(UserAccount).where(UserAccount.username == args.user))
        if account is None:
            print(f"no user {args.user!r}", file=sys.stderr)
            return 2
        principal = Principal("user", account.username, account.role, account.customer_id, account.expert_id)
    issuer = principal.subject if principal.is_service else "shell"
    print(TokenSigner.for_service(load_settings().keys_dir, issuer).mint(principal, args.audience, ttl=args.ttl))
    return 0


def cmd_keys_rotate(args) -> int:
    """A new signing key per service; the old one keeps verifying for the overlap, then stops."""
    directory = load_settings().keys_dir
    keys.ensure_all(directory)
    for service in (keys.SERVICES if args.all else (args.service,)):
        kid = keys.rotate(directory, service, overlap_seconds=args.overlap)
        print(f"{service}: now signing with {kid}; older keys verify for {args.overlap} s more")
    return 0


def cmd_nginx_conf(args) -> int:
    """The production routing for this installation's fragments (deploy/nginx.conf for the defaults)."""
    sys.stdout.write(nginx.for_settings(load_settings(), listen=args.listen, server_name=args.server_name))
    return 0


def cmd_systemd_units(args) -> int:
    """One systemd unit per process of `sysops run`, for production (sysops/units.py)."""
    if bool(args.graph_servers) != bool(args.graph_sentinels):
        print("--graph-servers and --graph-sentinels go together", file=sys.stderr)
        return 2
    graph_ha = units.graph_ha_specs(args.graph_servers, args.graph_sentinels) if args.graph_servers else []
    settings = load_settings()
    # The installation's state from the graph (ADR 0039): once decommissioned, no monolith unit.
    settings, refusal = launcher.as_recorded(settings, launcher.retirement_record(settings))
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    for path in units.write_units(settings, Path(args.out), Path(args.working_dir).resolve(), graph_ha):
        print(path)
    return 0


def cmd_keys_init(_args) -> int:
    """Every service's first key pair and the session key, if missing (`sysops run` does it too)."""
    directory = load_settings().keys_dir
    keys.ensure_all(directory)
    print(f"keys in {directory}: give each service only private/<its name>/ and public.json")
    return 0


def cmd_keys_list(_args) -> int:
    directory = load_settings().keys_dir
    keys.ensure_all(directory)
    for entry in keys.published(directory):
        retire = entry.get("retire_at")
        until = dt.datetime.fromtimestamp(retire).isoformat(timespec="seconds") if retire else "-"
        print(f"{entry['iss']:<10} {entry['kid']:<36} retires {until}")
    for issuer, at in keys.retired_user_issuers(directory).items():
        print(f"{issuer:<10} names no user since {dt.datetime.fromtimestamp(at).isoformat(timespec='seconds')}")
    return 0


def cmd_keys_retire_user_issuer(args) -> int:
    """The monolith stops saying who a user is: once the identity service signs people in, its user
    tokens are refused everywhere after the overlap (ADR 0035)."""
    settings = load_settings()
    if not launcher.signs_in_at_identity(settings.database_url):
        print("The monolith still signs people in: move sign-in first (sysops accounts-cutover).", file=sys.stderr)
        return 2
    at = keys.retire_user_issuer(settings.keys_dir, "shell", overlap_seconds=args.overlap)
    print(f"The monolith's user tokens are refused from {dt.datetime.fromtimestamp(at).isoformat(timespec='seconds')};"
          " the identity service is the only issuer of user tokens (its own calls as a service stay good).")
    return 0


def cmd_keys_restore_user_issuer(_args) -> int:
    restored = keys.restore_user_issuer(load_settings().keys_dir, "shell")
    print("The monolith may name users again." if restored else "The monolith was not retired as a user issuer.")
    return 0


def cmd_run(args) -> int:
    return launcher.run(load_settings(), preset=args.preset, seed=args.seed)


def _print_logins(logins) -> None:
    print("Demo logins (password for all: " + logins[0].password + ")")
    for login in logins:
        print(f"  {login.role:<12} {login.username:<12} {login.description}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sysops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("db-upgrade", help="create or upgrade the legacy schema").set_defaults(func=cmd_db_upgrade)
    seed = sub.add_parser("seed", help="fill an empty legacy database with demo data")
    seed.add_argument("--preset", choices=("tiny", "small", "100x"), default="small")
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--anchor", type=dt.date.fromisoformat, default=dt.date(2026, 11, 1),
                      help="the generated history ends on this date (default: 2026-11-01)")
    seed.set_defaults(func=cmd_seed)
    sub.add_parser("checksum", help="print the content checksum of the legacy database").set_defaults(
        func=cmd_checksum)
    sub.add_parser("outbox-worker", help="deliver queued notifications until stopped").set_defaults(
        func=cmd_outbox_worker)
    sub.add_parser("ticketing-worker", help="time out unanswered offers and re-offer them until stopped").set_defaults(
        func=cmd_ticketing_worker)
    sub.add_parser("notifications-worker", help="send due messages (email, SMS) until stopped").set_defaults(
        func=cmd_notifications_worker)
    sub.add_parser("reports-worker", help="keep every day's report summary current until stopped").set_defaults(
        func=cmd_reports_worker)
    token = sub.add_parser("token", help="print a bearer token for a service or a user")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--service", choices=("ticketing", "experts", "reports", "knowledge", "notifications", "customers",
                                                "backfill"))
    who.add_argument("--user")
    token.add_argument("--audience", default="bridge")
    token.add_argument("--ttl", type=int, default=300)
    token.set_defaults(func=cmd_token)
    systemd = sub.add_parser("systemd-units", help="write a systemd unit per process of `sysops run`")
    systemd.add_argument("--out", required=True, help="folder to write the .service files to")
    systemd.add_argument("--working-dir", default=".", help="the installation's folder (default: here)")
    systemd.add_argument("--graph-servers", type=graph_commands.addresses, metavar="HOST:PORT,...",
                         help="also the graph for fail-over: these servers (the first the primary)...")
    systemd.add_argument("--graph-sentinels", type=graph_commands.addresses, metavar="HOST:PORT,...",
                         help="...under these sentinels (three, quorum two); see docs/adr/0017")
    systemd.set_defaults(func=cmd_systemd_units)
    conf = sub.add_parser("nginx-conf", help="print the nginx routing (http-level) for the fragments")
    conf.add_argument("--listen", default="80")
    conf.add_argument("--server-name", default="sysops.example")
    conf.set_defaults(func=cmd_nginx_conf)
    key_commands = sub.add_parser("keys", help="the services' signing keys").add_subparsers(required=True)
    key_commands.add_parser("init", help="make any missing keys").set_defaults(func=cmd_keys_init)
    key_commands.add_parser("list", help="every published public key").set_defaults(func=cmd_keys_list)
    rotate = key_commands.add_parser("rotate", help="give a service (or all) a new signing key")
    which = rotate.add_mutually_exclusive_group(required=True)
    which.add_argument("--service", choices=keys.SERVICES)
    which.add_argument("--all", action="store_true")
    rotate.add_argument("--overlap", type=int, default=keys.DEFAULT_OVERLAP_SECONDS,
                        help="seconds the previous keys still verify (default: %(default)s)")
    rotate.set_defaults(func=cmd_keys_rotate)
    retire = key_commands.add_parser("retire-user-issuer", help="the monolith's user tokens refused everywhere "
                                                              "(once the identity service signs people in)")
    retire.add_argument("--overlap", type=int, default=keys.USER_TOKEN_OVERLAP_SECONDS,
                        help="seconds its user tokens still verify (default: %(default)s)")
    retire.set_defaults(func=cmd_keys_retire_user_issuer)
    key_commands.add_parser("restore-user-issuer", help="the monolith may name users again (before a rollback)"
                            ).set_defaults(func=cmd_keys_restore_user_issuer)
    run = sub.add_parser("run", help="set up if needed and run every process until Ctrl-C")
    run.add_argument("--preset", choices=("tiny", "small", "100x"), default="small")
    run.add_argument("--seed", type=int, default=42)
    run.set_defaults(func=cmd_run)
    graph_commands.register(sub)
    outbox_commands.register(sub)
    customer_commands.register(sub)
    billing_commands.register(sub)
    parts.register(sub)
    part_moves.register(sub)
    decommission.register(sub)
    erasure.register(sub)
    account_commands.register(sub)
    retirement.register(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (MigrationUnavailable, GraphUnavailable, Unavailable) as exc:
        # An operator's command that a store did not answer: said in a line, not a traceback. Every
        # migration step is idempotent and resumable, so running it again goes on from where it stopped.
        print(f"sysops {args.command}: stopped, a store did not answer in time ({exc}). What was done is kept; "
              "run the command again to go on.", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
