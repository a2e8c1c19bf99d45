"""How the embedded graph server keeps its data: durable at every acknowledged write, and quick to
restart at any size (ADR 0015).

- Every write is appended to the append-only file and fsynced before it is answered
  (`appendfsync always`): "received" means on disk.
- Restart time is what the server must read back: a snapshot (the AOF's RDB base, loaded at disk
  speed) plus the commands written since (replayed one by one, each a Cypher query: about a thousand
  times slower per byte). So the replayed tail is kept small in absolute terms: when it passes
  `MAX_TAIL_BYTES`, the keeper asks for a rewrite (BGREWRITEAOF: a new RDB base, in a forked child,
  writes go on). Redis's own trigger is relative to the base size, which at 100x would let the tail
  grow to hundreds of megabytes; it stays on as a second line.
- Backups are RDB snapshots (BGSAVE, then the file copied); a restore puts one back while the server
  is stopped: started once without AOF it loads the snapshot, then switching the AOF on writes that
  data as the new AOF's base (Redis's documented way from RDB to AOF).
"""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import redis

from foundation.loops import keep_running

log = logging.getLogger(__name__)

MAX_TAIL_BYTES = 8 * 1024 * 1024
AOF_DIR = "appendonlydir"
SNAPSHOT = "dump.rdb"
ARGS = ["--appendonly", "yes", "--appendfsync", "always", "--appenddirname", AOF_DIR,
        "--aof-use-rdb-preamble", "yes", "--auto-aof-rewrite-percentage", "100",
        "--auto-aof-rewrite-min-size", "64mb", "--dbfilename", SNAPSHOT, "--save", ""]


def info(client: redis.Redis) -> dict[str, Any]:
    return client.info("persistence")


def loading(client: redis.Redis) -> bool:
    """True while the server reads its data back at start (it answers INFO, not queries)."""
    try:
        return bool(info(client).get("loading"))
    except redis.RedisError:
        return False


def tail_bytes(state: dict[str, Any]) -> int:
    return max(0, int(state.get("aof_current_size", 0)) - int(state.get("aof_base_size", 0)))


def compact_if_needed(client: redis.Redis, max_tail: int = MAX_TAIL_BYTES) -> bool:
    """Start a rewrite when the replayed tail passed `max_tail`; True when one was started."""
    state = info(client)
    if not state.get("aof_enabled") or state.get("loading") or state.get("aof_rewrite_in_progress") \
            or state.get("aof_rewrite_scheduled") or state.get("rdb_bgsave_in_progress"):
        return False
    if tail_bytes(state) <= max_tail:
        return False
    client.bgrewriteaof()
    log.info("graph AOF tail %.1f MB over %.1f MB: rewriting it as a snapshot", tail_bytes(state) / 2**20,
             max_tail / 2**20)
    return True


def wait_idle(client: redis.Redis, timeout: float = 600.0) -> None:
    """Until no rewrite or snapshot is running (or scheduled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = info(client)
        if not (state.get("aof_rewrite_in_progress") or state.get("aof_rewrite_scheduled")
                or state.get("rdb_bgsave_in_progress")):
            return
        time.sleep(0.1)
    raise TimeoutError("the graph server is still writing a snapshot")


def backup(client: redis.Redis, data_dir: Path, destination: Path, timeout: float = 600.0) -> Path:
    """A consistent snapshot of the running server, copied to `destination` (a file)."""
    wait_idle(client, timeout)
    before = int(info(client).get("rdb_last_save_time", 0))
    client.bgsave()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = info(client)
        if not state.get("rdb_bgsave_in_progress") and int(state.get("rdb_last_save_time", 0)) >= before \
                and state.get("rdb_last_bgsave_status") == "ok" and (data_dir / SNAPSHOT).exists():
            break
        time.sleep(0.1)
    else:
        raise TimeoutError("the snapshot did not finish")
    if state.get("rdb_last_bgsave_status") != "ok":
        raise RuntimeError("the graph server could not write its snapshot")
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".tmp")
    shutil.copyfile(data_dir / SNAPSHOT, tmp)
    tmp.replace(destination)
    return destination


def place_snapshot(snapshot: Path, data_dir: Path) -> None:
    """First half of a restore (server stopped): the snapshot becomes the data dir's RDB file; the
    current AOF is kept aside (appendonlydir.before-restore-<time>), never deleted."""
    if not snapshot.is_file():
        raise FileNotFoundError(snapshot)
    data_dir.mkdir(parents=True, exist_ok=True)
    current = data_dir / AOF_DIR
    if current.exists():
        current.rename(data_dir / f"{AOF_DIR}.before-restore-{int(time.time())}")
    shutil.copyfile(snapshot, data_dir / SNAPSHOT)


def adopt_snapshot(client: redis.Redis, timeout: float = 600.0) -> None:
    """Second half, on a server started without AOF (so it loaded the RDB file): switch the AOF on,
    which writes the loaded data as the new AOF's base, and wait until that is on disk."""
    client.config_set("appendonly", "yes")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = info(client)
        if state.get("aof_enabled") and not state.get("aof_rewrite_in_progress") \
                and not state.get("aof_rewrite_scheduled") and state.get("aof_last_bgrewrite_status") == "ok" \
                and int(state.get("aof_base_size", 0)) > 0:
            return
        time.sleep(0.1)
    raise TimeoutError("the restored snapshot was not written as the new AOF")


def keep(client: redis.Redis, should_stop: Callable[[], bool], *, interval: float = 5.0,
         max_tail: int = MAX_TAIL_BYTES) -> None:
    """The keeper loop beside the server: compact whenever the tail passes `max_tail`. A server that is
    starting, loading or restarting is waited out (the client reconnects by itself)."""
    def step() -> bool:
        compact_if_needed(client, max_tail)
        return False  # look again after `interval`

    keep_running(step, should_stop, transient=(redis.RedisError,), log=log, idle=interval, max_backoff=interval)
