"""systemd units for production, one per process of `sysops run`'s list (launcher.process_specs), so
the list is declared once: `sysops systemd-units --out DIR` (ADR 0014).

Each unit starts its service alone: the same command line as `make run`, restarted always (systemd's
start limit stands in for the supervisor's crash-loop rule), its whole control group killed on stop
(no orphan keeps a port), and its own user: `sysops-<name>`, so the file system also keeps every
fragment to its own key folder (give `private/<service>/` to that user, `public.json` read-only to all).
Settings every process shares come from /etc/sysops/sysops.env; the monolith's units also read
/etc/sysops/monolith.env (SYSOPS_KEYS_DIR, SYSOPS_SESSION_KEY if supplied), which no other unit reads.
"""
from __future__ import annotations

import shlex
from pathlib import Path

from foundation.config import Settings

from . import launcher
from .supervisor import ProcessSpec, python_module

SHARED_ENV = "/etc/sysops/sysops.env"
GRAPH_DATA = Path("/var/lib/sysops")
MONOLITH_ENV = "/etc/sysops/monolith.env"
STARTS_FIRST = ("graph-server", "graph-1", "graph-2", "mail-sink")


def unit(spec: ProcessSpec, working_dir: Path) -> str:
    monolith = spec.name in launcher.MONOLITH_PROCESSES and not spec.withhold  # not the composition shell
    after = " ".join(f"sysops-{name}.service" for name in STARTS_FIRST if name != spec.name)
    environment = "".join(f"Environment={shlex.quote(f'{key}={value}')}\n" for key, value in sorted(spec.env.items())
                          if key not in spec.withhold)
    return (f"[Unit]\nDescription=Sysops Squad: {spec.name}\nAfter=network-online.target {after}\n"
            "StartLimitIntervalSec=60\nStartLimitBurst=5\n\n"
            f"[Service]\nType=simple\nUser=sysops-{spec.name}\nWorkingDirectory={working_dir}\n"
            f"EnvironmentFile={SHARED_ENV}\n" + (f"EnvironmentFile={MONOLITH_ENV}\n" if monolith else "")
            + environment
            + f"ExecStart={shlex.join(spec.argv)}\nRestart=always\nRestartSec=1\nKillMode=control-group\n"
              "TimeoutStopSec=15\n\n[Install]\nWantedBy=multi-user.target\n")


def graph_ha_specs(servers: list[tuple[str, int]], sentinels: list[tuple[str, int]],
                   data: Path = GRAPH_DATA) -> list[ProcessSpec]:
    """The graph for fail-over (ADR 0017): the first server starts as primary, the others as its
    replicas, each asking the sentinels who the primary is whenever it (re)starts; a sentinel each.
    SYSOPS_GRAPH_PASSWORD comes from the shared environment file, as the services' SYSOPS_GRAPH_URL."""
    asked = ",".join(f"{host}:{port}" for host, port in sentinels)
    (first_host, first_port), specs = servers[0], []
    for n, (host, port) in enumerate(servers):
        argv = python_module("sysops.cli", "graph-server", "--data", str(data / f"graph-{n + 1}"), "--port", str(port),
                             "--bind", host)
        if n:
            argv += ["--replica-of", f"{first_host}:{first_port}"]
        specs.append(ProcessSpec(f"graph-{n + 1}", argv, env={"SYSOPS_GRAPH_SENTINELS": asked}))
    for n, (host, port) in enumerate(sentinels):
        specs.append(ProcessSpec(f"graph-sentinel-{n + 1}", python_module(
            "sysops.cli", "graph-sentinel", "--data", str(data / f"sentinel-{n + 1}"), "--port", str(port),
            "--bind", host, "--primary", f"{first_host}:{first_port}")))
    return specs


def write_units(settings: Settings, directory: Path, working_dir: Path,
                graph_ha: list[ProcessSpec] = ()) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in [*launcher.process_specs(settings), *graph_ha]:
        path = directory / f"sysops-{spec.name}.service"
        path.write_text(unit(spec, working_dir))
        written.append(path)
    return written
