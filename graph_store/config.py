"""Which graph database to use, from the environment (read at bootstrap, never at import)."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bridge_client import HttpBridgeClient
from bridge_client.retired import RetiredMonolith
from foundation.tokens import Principal, TokenSigner

from . import GraphConnection
from .backends import GraphBackend
from .backends.bolt_backend import BoltBackend
from .backends.falkordb_backend import SERVICE, FalkorBackend


def graph_socket(data_dir: Path) -> Path:
    return data_dir / "graph" / "falkordb.sock"


def open_backend(data_dir: Path, env: dict[str, str] | None = None) -> GraphBackend:
    """SYSOPS_GRAPH_URL: unset -> the embedded FalkorDB's unix socket; `unix:///path/to.sock`;
    `falkordb://[:password@]host:port`; `falkordb+sentinel://[:password@]host:port,host:port,.../service`
    (the sentinels of a primary with replicas, docs/adr/0017: a write is acknowledged once
    SYSOPS_GRAPH_REPLICAS replicas have it, default 1);
    `bolt://` or `neo4j://` URIs (with SYSOPS_GRAPH_USER / SYSOPS_GRAPH_PASSWORD) -> the Bolt backend."""
    env = dict(os.environ if env is None else env)
    url = env.get("SYSOPS_GRAPH_URL", "")
    graph = env.get("SYSOPS_GRAPH_NAME", "sysops")
    if url.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://")):
        return BoltBackend(url, env.get("SYSOPS_GRAPH_USER", "neo4j"), env.get("SYSOPS_GRAPH_PASSWORD", ""),
                           database=env.get("SYSOPS_GRAPH_DATABASE") or None,
                           dialect=env.get("SYSOPS_GRAPH_DIALECT", "neo4j"))
    if url.startswith("unix://"):
        return FalkorBackend(graph=graph, unix_socket_path=url[len("unix://"):])
    if url.startswith("falkordb+sentinel://"):
        password, sentinels, service = sentinel_url(url)
        return FalkorBackend(graph=graph, sentinels=sentinels, service=service, password=password,
                             replicas=int(env.get("SYSOPS_GRAPH_REPLICAS", "1")))
    if url.startswith("falkordb://"):
        parts = urlsplit(url)
        return FalkorBackend(graph=graph, host=parts.hostname, port=parts.port or 6379, password=parts.password)
    return FalkorBackend(graph=graph, unix_socket_path=str(graph_socket(data_dir)))


def sentinel_url(url: str) -> tuple[str | None, list[tuple[str, int]], str]:
    """`scheme://[:password@]host:port,host:port/service` -> (password, sentinels, service)."""
    rest = url.split("://", 1)[1]
    auth, _, hosts = rest.rpartition("@")
    hosts, _, service = hosts.partition("/")
    password = unquote(auth.partition(":")[2]) if auth else None
    return password or None, [host_port(item) for item in hosts.split(",")], service or SERVICE


def host_port(text: str) -> tuple[str, int]:
    """`host:port` -> (host, port); ValueError for anything else."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def limits_storage(data_dir: Path, env: dict[str, str] | None = None) -> str:
    """Where processes share counts with a time window (the login throttle, `limits` storage URI):
    SYSOPS_LIMITS_STORAGE, else the graph server's Redis protocol (the same server, another keyspace),
    else each process's memory (a graph engine that speaks no Redis)."""
    env = dict(os.environ if env is None else env)
    if env.get("SYSOPS_LIMITS_STORAGE"):
        return env["SYSOPS_LIMITS_STORAGE"]
    url = env.get("SYSOPS_GRAPH_URL", "")
    if not url:
        return f"redis+unix://{graph_socket(data_dir)}"
    if url.startswith("unix://"):
        return f"redis+unix://{url[len('unix://'):]}"
    if url.startswith("falkordb://"):
        return "redis://" + url[len("falkordb://"):]
    if url.startswith("falkordb+sentinel://"):  # the same sentinels, the same primary (`limits` follows it)
        return "redis+sentinel://" + url[len("falkordb+sentinel://"):]
    return "memory://"


# How long a process waits for the monolith's answer: a person's request path, unless the caller says otherwise.
READ_TIMEOUT_S = 5.0


def bridge_for(settings, service: str, read_timeout: float = READ_TIMEOUT_S):
    """The bridge client a service process uses: base URL from SYSOPS_BRIDGE_URL (default: the local
    monolith's bridge process, apart from the one serving screens so that a screen waiting on a
    fragment never holds the threads the fragment needs to call back), service tokens signed with
    that service's own key. Once the monolith is retired (ADR 0036) nothing is asked of it: the client
    that stands for it answers from no network."""
    if settings.monolith == "retired":
        return RetiredMonolith()
    base = os.environ.get("SYSOPS_BRIDGE_URL", f"http://{settings.host}:{settings.bridge_port}")
    signer = TokenSigner.from_folder(settings.signing_folder(service), service)
    return HttpBridgeClient(base, lambda: signer.mint(Principal("service", service), "bridge"), read_timeout=read_timeout)


def open_store(settings, service: str, env: dict[str, str] | None = None,
               bridge_read_timeout: float = READ_TIMEOUT_S) -> GraphConnection:
    """The graph as `service`; `env` (default the process environment) says which graph server;
    `bridge_read_timeout`: how long the monolith's answers are waited for."""
    return GraphConnection(open_backend(settings.data_dir, env), bridge_for(settings, service, bridge_read_timeout))
