"""The graph as deployed for fail-over, on this machine: a FalkorDB primary and a replica over TCP with a
password, and three sentinels (quorum two) watching them, each started with the very command its
systemd unit runs (sysops.units.graph_ha_specs). Each can be SIGKILLed and started again alone."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import redis

from graph_store.sentinel import SentinelServer, replicas_in_sync
from graph_store.server import FalkorServer
from sysops.procutil import descendants, free_port
from sysops.supervisor import ProcessSpec
from sysops.units import graph_ha_specs

from .processes import terminate


class GraphCluster:
    def __init__(self, root: Path, password: str, *, down_after_ms: int = 1000):
        self.root, self.password = root, password
        root.mkdir(parents=True, exist_ok=True)
        servers = [("127.0.0.1", free_port()), ("127.0.0.1", free_port())]
        sentinels = [("127.0.0.1", free_port()) for _ in range(3)]
        self.specs: dict[str, ProcessSpec] = {spec.name: spec for spec in graph_ha_specs(servers, sentinels, root)}
        for spec in self.specs.values():
            if spec.name.startswith("graph-sentinel"):
                spec.argv += ["--down-after-ms", str(down_after_ms)]
        self.servers = {f"graph-{n + 1}": FalkorServer(root / f"graph-{n + 1}", port=port, password=password)
                        for n, (_, port) in enumerate(servers)}
        self.sentinels = {f"graph-sentinel-{n + 1}": SentinelServer(root / f"sentinel-{n + 1}", port, servers[0],
                                                                    password) for n, (_, port) in enumerate(sentinels)}
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels.values())
        return f"falkordb+sentinel://:{self.password}@{hosts}/sysops-graph"

    def start(self) -> "GraphCluster":
        for name in self.servers:
            self.start_server(name)
        self.wait_replicated()
        for name, sentinel in self.sentinels.items():
            self._spawn(name)
            sentinel.wait_ready(self.processes[name])
        self.wait_sentinels_agree()
        return self

    def _spawn(self, name: str) -> None:
        spec = self.specs[name]
        env = {**os.environ, "SYSOPS_GRAPH_PASSWORD": self.password, **spec.env}
        with open(self.root / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(spec.argv, env=env, stdout=subprocess.DEVNULL, stderr=log)

    def start_server(self, name: str) -> None:
        """Start (or start again, as the supervisor or systemd does) a graph server; under the sentinels it
        takes the role they give it (graph_store.server.start_role)."""
        self._spawn(name)
        self.servers[name].wait_ready(self.processes[name], timeout=60)

    def client(self, name: str) -> redis.Redis:
        server = self.servers[name]
        return redis.Redis(host=server.host, port=server.port, password=self.password, socket_timeout=5)

    def primary(self) -> str:
        """The server the sentinels name as primary."""
        address = next(filter(None, (s.primary_address() for s in self.sentinels.values())))
        return next(name for name, server in self.servers.items() if server.port == address[1])

    def replica(self) -> str:
        return next(name for name in self.servers if name != self.primary())

    def wait_replicated(self, timeout: float = 60.0) -> None:
        """Until the current primary has a replica past its initial sync (only then does WAIT count it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in self.servers:
                if name not in self.processes:
                    continue
                try:
                    with self.client(name) as client:
                        if client.info("replication")["role"] == "master" and replicas_in_sync(client) >= 1:
                            return
                except redis.RedisError:
                    pass
            time.sleep(0.05)
        raise TimeoutError("no replica in sync with the graph's primary")

    def wait_sentinels_agree(self, timeout: float = 60.0) -> None:
        """Until each sentinel knows the other two and the replica (a fail-over needs both)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(_knows(sentinel) for sentinel in self.sentinels.values()):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the sentinels did not find each other and the replica")

    def kill(self, name: str) -> None:
        """SIGKILL the process and the server under it, as a crash of the machine's process would."""
        process = self.processes.pop(name)
        for pid in descendants(process.pid) | {process.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(15)

    def wait_promoted(self, away_from: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            addresses = {s.primary_address() for s in self.sentinels.values()} - {None}
            if len(addresses) == 1 and addresses.pop()[1] != self.servers[away_from].port:
                return self.primary()
            time.sleep(0.1)
        raise TimeoutError(f"the sentinels did not promote a replica in place of {away_from}")

    def stop(self) -> None:
        for name in list(self.processes):
            terminate(self.processes.pop(name))


def _knows(sentinel: SentinelServer) -> bool:
    with sentinel.client() as client:
        state = client.sentinel_master("sysops-graph")
        return int(state["num-other-sentinels"]) >= 2 and int(state["num-slaves"]) >= 1
