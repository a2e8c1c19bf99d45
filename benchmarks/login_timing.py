"""Can a wrong sign-in's answer time tell which account names exist?

Three groups of wrong-password sign-ins against the monolith's real login view (its database on a
throwaway small demo set): names that exist with a current-cost hash (the baseline), names that exist
with an older cheap hash (bulk demo accounts until their first login re-hashes them), and names that
do not exist. Each attempt comes from its own client address and each name is tried at most twice,
so the throttle (tested in tests/test_login_hardening.py) never answers instead of the password check.
Prints p50/p90 per group and each group's p50 as a ratio to the baseline's.

    .venv/bin/python -m benchmarks.login_timing [--per-group 40]
"""
from __future__ import annotations

import argparse
import itertools
import re
import time

from sqlalchemy import select, update

from foundation.passwords import hash_password
from shell_app.models import UserAccount
from sysops.wsgi import monolith

from .harness import KEYS_DIR, Figures, seeded_sqlite

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ADDRESSES = itertools.count(1)


def attempt(app, username: str) -> float:
    client = app.test_client()
    n = next(ADDRESSES)
    client.environ_base["REMOTE_ADDR"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    started = time.perf_counter()
    answer = client.post("/login", data={"username": username, "password": "not-the-password", "csrf_token": token})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 401:
        raise SystemExit(f"{username}: expected a refused sign-in (401), got {answer.status_code}")
    return elapsed


def report(title: str, latencies: dict[str, list[float]]) -> None:
    """p50/p90 per group (the first is the baseline), each p50 as a ratio to the baseline's, and the
    largest ratio between any two groups."""
    figures = {label: Figures(label, len(values), sum(values) / 1000, values) for label, values in latencies.items()}
    baseline = next(iter(figures.values())).percentile(50)
    width = max(len(label) for label in figures)
    print(title)
    for label, fig in figures.items():
        print(f"  {label:<{width}} p50 {fig.percentile(50):7.1f} ms  p90 {fig.percentile(90):7.1f} ms  "
              f"p50 ratio to baseline x{fig.percentile(50) / baseline:.2f}")
    spread = max(f.percentile(50) for f in figures.values()) / min(f.percentile(50) for f in figures.values())
    print(f"Largest p50 ratio between any two groups: x{spread:.2f} (1.00 = indistinguishable)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-group", type=int, default=40)
    args = parser.parse_args()
    app = monolith({"TESTING": True, "SECRET_KEY": "login-timing", "KEYS_DIR": KEYS_DIR,
                    "DATABASE_URL": seeded_sqlite("small")})
    db = app.extensions["db_sessions"]()
    names = list(db.scalars(select(UserAccount.username).order_by(UserAccount.id)))
    if len(names) < 2 * args.per_group:
        raise SystemExit(f"the small demo set has {len(names)} accounts; ask for at most {len(names) // 2} per group")
    current, cheap = names[:args.per_group], names[args.per_group:2 * args.per_group]
    one_hash = hash_password("the-current-cost-password")  # same cost as any re-hashed account
    db.execute(update(UserAccount).where(UserAccount.username.in_(current)).values(password_hash=one_hash))
    db.commit()
    db.close()
    unknown = [f"nobody-{i}" for i in range(args.per_group)]
    groups = {"known name, current-cost hash": current, "known name, old cheap hash": cheap,
              "unknown name": unknown}
    attempt(app, "warm-up-name")
    latencies: dict[str, list[float]] = {label: [] for label in groups}
    for round_ in range(2):  # interleaved, so a busy moment of the machine hits every group alike
        for triple in zip(*groups.values()):
            for label, name in zip(groups, triple):
                latencies[label].append(attempt(app, name))
    report(f"Wrong-password sign-ins, {2 * args.per_group} per group, in-process (the view's own work):", latencies)
    app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
