"""Bridge read throughput and latency vs the same reads straight on the monolith's database.

    .venv/bin/python -m benchmarks.bridge_reads [--preset small] [--threads 8] [--requests 300]

Both sides run in this process's run, on the same seeded SQLite file, with the same number of
concurrent clients: the bridge side over real HTTP to gunicorn (token check, ORM, JSON), the
baseline with SQLAlchemy sessions in-process (ORM + the same serialisation, no HTTP, no auth).
"""
from __future__ import annotations

import argparse
import random

import requests
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bridge_api import serializers
from foundation.tokens import Principal
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Customer, Expert

from .harness import gunicorn_monolith, mint, run_concurrently, seeded_sqlite

SECRET = "benchmark-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300, help="per thread")
    args = parser.parse_args()

    url = seeded_sqlite(args.preset)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        customer_ids = list(session.scalars(select(Customer.id)))
    token = mint(Principal("service", "ticketing"), "bridge", ttl=3600)

    def direct_customer(i: int):
        rng, session = random.Random(i), sessions()

        def work(n: int):
            session.expunge_all()  # a real read each time, not the identity map
            return serializers.customer(session.get(Customer, rng.choice(customer_ids)))
        return work

    def direct_experts(i: int):
        session = sessions()
        loads = (selectinload(Expert.skills), selectinload(Expert.locales), selectinload(Expert.weekly_availability),
                 selectinload(Expert.time_off))

        def work(n: int):
            session.expunge_all()
            return [serializers.expert(e) for e in session.scalars(select(Expert).options(*loads)
                                                                    .order_by(Expert.id).limit(50))]
        return work

    with gunicorn_monolith(url, SECRET) as base:
        def http(path_for):
            def make(i: int):
                rng, http_session = random.Random(i), requests.Session()
                headers = {"Authorization": f"Bearer {token}"}

                def work(n: int):
                    response = http_session.get(base + path_for(rng), headers=headers, timeout=10)
                    response.raise_for_status()
                return work
            return make

        results = [
            run_concurrently("bridge GET /customers/{id} (HTTP)", http(
                lambda rng: f"/bridge/v1/customers/{rng.choice(customer_ids)}"), args.threads, args.requests),
            run_concurrently("direct: get customer (SQLAlchemy)", direct_customer, args.threads, args.requests),
            run_concurrently("bridge GET /experts?limit=50 (HTTP)", http(lambda rng: "/bridge/v1/experts?limit=50"),
                             args.threads, args.requests // 3),
            run_concurrently("direct: list 50 experts (SQLAlchemy)", direct_experts, args.threads, args.requests // 3),
        ]
    engine.dispose()
    print(f"preset={args.preset} threads={args.threads} (gunicorn: 2 workers x 4 threads, SQLite WAL)")
    for figures in results:
        print(figures.row())
    for bridge, direct in ((results[0], results[1]), (results[2], results[3])):
        print(f"{bridge.name.split(' (')[0]}: throughput {bridge.per_second / direct.per_second:.2f}x direct, "
              f"p50 {bridge.percentile(50) / direct.percentile(50):.2f}x direct")
    print("note: the direct side shares one process (and its GIL) across threads; the bridge side has 2 processes.")


if __name__ == "__main__":
    main()
