"""Graph fixtures: a real FalkorDB server per session (RESP over a unix socket, AOF on), and a
second one with a Bolt endpoint (tests only) so the Bolt backend runs over the real wire protocol."""
from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from contextlib import contextmanager

import pytest

from bridge_client import HttpBridgeClient
from foundation.tokens import Principal
from graph_store.backends.bolt_backend import BoltBackend
from graph_store.backends.falkordb_backend import FalkorBackend
from graph_store.server import FalkorServer
from shell_app.demo_data import create_and_seed
from sysops.graph_data import SCHEMA, GraphData

from ..support.keys import mint
from ..support.processes import ServedMonolith, free_low_port, seeded_monolith

_graphs = itertools.count()
SECRET = "graph-test-secret"


def _running(server: FalkorServer):
    process = server.spawn(stdout=subprocess.DEVNULL)
    server.wait_ready(process)
    yield server
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def falkor_server(tmp_path_factory):
    yield from _running(FalkorServer(tmp_path_factory.mktemp("falkor")))


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    yield from _running(FalkorServer(tmp_path_factory.mktemp("falkor-bolt"), bolt_port=free_low_port()))


@pytest.fixture(scope="session")
def bolt_backend(bolt_server):
    """One driver, one connection, for the whole session (see graph_store/server.py on why)."""
    backend = BoltBackend(f"bolt://127.0.0.1:{bolt_server.bolt_port}", "falkordb", "", dialect="falkordb")
    yield backend
    backend.close()


@pytest.fixture(params=["falkordb", "bolt"])
def graph_backend(request):
    yield from fresh_backend(request, request.param)


def fresh_backend(request, kind: str):
    """An empty graph with the whole schema on `kind` (falkordb or bolt), cleared after the test."""
    if kind == "bolt":
        backend = request.getfixturevalue("bolt_backend")
        backend.clear()
        backend.ensure_schema(SCHEMA)
        yield backend
        backend.clear()
        return
    backend = FalkorBackend(graph=f"test{next(_graphs)}",
                            unix_socket_path=str(request.getfixturevalue("falkor_server").socket_path))
    try:
        backend.ensure_schema(SCHEMA)
        yield backend
        backend.clear()
    finally:
        backend.close()


@pytest.fixture(scope="session")
def legacy_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('legacy') / 'legacy.db'}"
    create_and_seed(url, seed=21, anchor=dt.date(2026, 11, 1))
    return url


@pytest.fixture(scope="session")
def live_bridge(legacy_url):
    """The monolith (with its bridge) served by gunicorn: real HTTP, as the services see it."""
    with ServedMonolith(legacy_url, SECRET) as base:
        yield base


def bridge_client(base: str, service: str = "ticketing") -> HttpBridgeClient:
    return HttpBridgeClient(base, lambda: mint(Principal("service", service), "bridge"), retries=1,
                            backoff=0.05)


@pytest.fixture
def store(graph_backend, live_bridge):
    bridge = bridge_client(live_bridge)
    yield GraphData(graph_backend, bridge)
    bridge.close()


@pytest.fixture
def fresh_bridge(tmp_path):
    """A monolith of its own (fresh tiny legacy data) for tests that migrate everything."""
    with seeded_monolith(tmp_path, SECRET, seed=22) as base:
        yield base


@contextmanager
def own_legacy_system(falkor_server, url: str, *, seed: int, service: str, workers: int = 2,
                      env: dict[str, str] | None = None):
    """A tiny monolith of a test's own at `url` (seeded with `seed`, served with its bridge) and an empty
    graph with the whole schema: (backend, the bridge as `service`, the bridge's address)."""
    create_and_seed(url, seed=seed, anchor=dt.date(2026, 11, 1), preset="tiny")
    with ServedMonolith(url, SECRET, workers=workers, env=env) as base:
        backend = FalkorBackend(graph=f"own{next(_graphs)}", unix_socket_path=str(falkor_server.socket_path))
        backend.clear()
        backend.ensure_schema(SCHEMA)
        bridge = bridge_client(base, service)
        try:
            yield backend, bridge, base
        finally:
            bridge.close()
            backend.clear()
            backend.close()
