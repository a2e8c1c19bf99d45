"""Can a wrong sign-in's answer time at the identity service tell which account names exist?

The identity service's real sign-in page (in-process, timed around the view's own work) over the real
graph server and the real monolith's bridge of a small running system: wrong-password sign-ins for
names it holds (current-cost hash: the baseline), for names only the monolith holds yet (the first
sign-in there takes the account over: a copy through the bridge), and for names nobody has (a bridge
lookup that finds none); then held and unknown names again with the monolith retired (ADR 0036: no
lookup at all). Each attempt comes from its own address and each name is tried at most twice, so the
throttle never answers instead of the password check. Prints p50/p90 per group and each p50 as a ratio
to the baseline's (the monolith's own login: benchmarks/login_timing.py).

    .venv/bin/python -m benchmarks.identity_login_timing [--per-group 30]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bridge_client import HttpBridgeClient
from bridge_client.retired import RetiredMonolith
from foundation.config import load_settings
from foundation.keys import public_file
from foundation.login_throttle import LoginThrottle
from foundation.tokens import Principal
from fragments.identity.adapters.accounts import GraphAccounts
from fragments.identity.adapters.links import KeyspaceLinks
from fragments.identity.adapters.sessions import KeyspaceSessions
from fragments.identity.app import create_app
from fragments.identity.domain.sessions import Lifetimes
from fragments.identity.wiring import Reach, build
from graph_store.config import open_backend
from tests.graph.identity_support import PASSWORD, legacy_account
from tests.support.keys import KEYS_DIR, mint, signer
from tests.support.local_system import System
from tests.support.memory_identity import KnownPeople, RightAway, SentMessages

from .login_timing import attempt, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-group", type=int, default=30)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sysops-bench-identity-login-"))
    print(f"Setting up a tiny system in {root} ...", flush=True)
    system = System(root, preset="tiny").start()
    backend = open_backend(load_settings(system.env).data_dir, system.env)
    bridge = HttpBridgeClient(system.bridge, lambda: mint(Principal("service", "identity"), "bridge"))
    try:
        reach = Reach(KeyspaceLinks(backend.keyspace()), KnownPeople(set(), set()), SentMessages(), system.shell,
                      RightAway())
        identity = build(GraphAccounts(backend, bridge), KeyspaceSessions(backend.keyspace()), LoginThrottle(),
                         Lifetimes(), signer("identity"), public_file(KEYS_DIR), frozenset({"ticketing"}), reach)
        app = create_app({"TESTING": True, "KEYS_DIR": str(KEYS_DIR)}, identity=identity)
        url = system.env["DATABASE_URL"]
        held = [legacy_account(url).username for _ in range(args.per_group)]
        for name in held:  # taken over and its hash upgraded at a right sign-in
            client = app.test_client()
            form = client.get("/login").get_data(as_text=True)
            token = form.split('name="csrf_token" value="')[1].split('"')[0]
            assert client.post("/login", data={"username": name, "password": PASSWORD,
                                               "csrf_token": token}).status_code == 302
        not_yet = [legacy_account(url).username for _ in range(2 * args.per_group)]
        unknown = [f"nobody-{i}" for i in range(args.per_group)]
        attempt(app, "warm-up-name")
        latencies: dict[str, list[float]] = {"held name (baseline)": [], "the monolith's name, first sign-in here": [],
                                             "unknown name": []}
        for round_ in range(2):  # interleaved, so a busy moment of the machine hits every group alike
            for i in range(args.per_group):
                latencies["held name (baseline)"].append(attempt(app, held[i]))
                latencies["the monolith's name, first sign-in here"].append(attempt(app, not_yet[round_ * args.per_group + i]))
                latencies["unknown name"].append(attempt(app, unknown[i]))
        report(f"Wrong-password sign-ins at the identity service, {2 * args.per_group} per group, in-process, "
               "the monolith running:", latencies)
        # The same service once the monolith is retired (ADR 0036): nothing to look a name up in.
        retired = create_app({"TESTING": True, "KEYS_DIR": str(KEYS_DIR)}, identity=build(
            GraphAccounts(backend, RetiredMonolith()), KeyspaceSessions(backend.keyspace()), LoginThrottle(),
            Lifetimes(), signer("identity"), public_file(KEYS_DIR), frozenset({"ticketing"}), reach))
        attempt(retired, "warm-up-name-2")
        without: dict[str, list[float]] = {"held name (baseline)": [], "unknown name": []}
        for round_ in range(2):
            for i in range(args.per_group):
                without["held name (baseline)"].append(attempt(retired, held[i]))
                without["unknown name"].append(attempt(retired, f"nobody-else-{round_}-{i}"))
        report(f"The same with the monolith retired, {2 * args.per_group} per group:", without)
    finally:
        bridge.close()
        backend.close()
        system.stop()


if __name__ == "__main__":
    main()
