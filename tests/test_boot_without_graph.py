"""A service process is built without asking the graph anything: while the graph server is slow or not
there yet (a fsync stall on a busy disk, a restart), gunicorn's workers still boot, and health says
"degraded" until the graph answers (the supervisor waits for that), instead of the worker dying at
import and taking its gunicorn with it."""
from __future__ import annotations

import importlib
import socket
import threading

import pytest

FRAGMENTS = ("ticketing", "experts", "reports", "knowledge", "notifications", "customers", "identity")


@pytest.fixture
def silent_graph(tmp_path, monkeypatch):
    """A graph socket that accepts and never answers; the bytes anyone sent it."""
    (tmp_path / "graph").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "graph" / "falkordb.sock"))
    server.listen(64)
    received: list[bytes] = []
    accepted: list[socket.socket] = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)
            conn.settimeout(0.2)
            try:
                received.append(conn.recv(65536))
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    monkeypatch.setenv("SYSOPS_DATA_DIR", str(tmp_path))
    for name in ("SYSOPS_GRAPH_URL", "SYSOPS_FRAGMENTS"):
        monkeypatch.delenv(name, raising=False)
    yield received, accepted
    server.close()
    for conn in accepted:
        conn.close()


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_a_fragment_app_is_built_without_a_round_trip_to_the_graph(silent_graph, fragment):
    received, accepted = silent_graph
    app = importlib.import_module(f"fragments.{fragment}.app").create_app()
    assert app.extensions["graph_store"] is not None
    assert accepted == [] and received == []
