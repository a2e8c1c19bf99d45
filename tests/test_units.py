"""Production units come from the same process list as `make run` (sysops/units.py): one unit per
process, the same command line, each fragment's unit with only its own key folder and user."""
from __future__ import annotations

import shlex
import subprocess
import sys

from foundation.config import load_settings
from sysops import launcher

FRAGMENT_PROCESSES = {"ticketing", "ticketing-worker", "experts", "reports", "reports-worker"}


def _read(path) -> dict[str, list[str]]:
    """A unit's [Service] section, repeated keys kept (Environment=, EnvironmentFile=)."""
    values: dict[str, list[str]] = {}
    section = None
    for line in path.read_text().splitlines():
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_one_unit_per_process_with_the_same_command_and_confined_keys(tmp_path):
    env = {"SYSOPS_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-m", "sysops.cli", "systemd-units", "--out", str(tmp_path / "units"),
                           "--working-dir", str(tmp_path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    specs = launcher.process_specs(load_settings(env))
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == sorted(
        f"sysops-{spec.name}.service" for spec in specs)
    for spec in specs:
        service = _read(tmp_path / "units" / f"sysops-{spec.name}.service")
        assert shlex.split(service["ExecStart"][0]) == spec.argv
        assert service["User"] == [f"sysops-{spec.name}"] and service["Restart"] == ["always"]
        assert service["KillMode"] == ["control-group"]
        environment = " ".join(service.get("Environment", []))
        monolith = any("monolith.env" in f for f in service["EnvironmentFile"])
        assert monolith == (spec.name in launcher.MONOLITH_PROCESSES)
        if spec.name in FRAGMENT_PROCESSES:
            assert "SYSOPS_OWN_KEYS=" in environment and "SYSOPS_PUBLIC_KEYS=" in environment
            assert "SYSOPS_KEYS_DIR" not in environment and "SYSOPS_SESSION_KEY" not in environment


def test_the_graph_for_fail_over_gets_a_unit_per_server_and_sentinel(tmp_path):
    """The units run exactly what tests/support/graph_ha.py starts in the fail-over tests."""
    from sysops.units import graph_ha_specs

    env = {"SYSOPS_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin"}
    servers, sentinels = "10.0.0.1:6380,10.0.0.2:6380", "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379"
    argv = [sys.executable, "-m", "sysops.cli", "systemd-units", "--out", str(tmp_path / "units"),
            "--working-dir", str(tmp_path), "--graph-servers", servers, "--graph-sentinels", sentinels]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    specs = graph_ha_specs([("10.0.0.1", 6380), ("10.0.0.2", 6380)],
                           [("10.0.0.1", 26379), ("10.0.0.2", 26379), ("10.0.0.3", 26379)])
    assert [s.name for s in specs] == ["graph-1", "graph-2", "graph-sentinel-1", "graph-sentinel-2", "graph-sentinel-3"]
    for spec in specs:
        service = _read(tmp_path / "units" / f"sysops-{spec.name}.service")
        assert shlex.split(service["ExecStart"][0]) == spec.argv and service["Restart"] == ["always"]
    replica = _read(tmp_path / "units" / "sysops-graph-2.service")
    assert "--replica-of" in replica["ExecStart"][0] and f"SYSOPS_GRAPH_SENTINELS={sentinels}" in replica["Environment"]
    alone = subprocess.run(argv[:-2], env=env, capture_output=True, text=True, timeout=60)
    assert alone.returncode == 2 and "go together" in alone.stderr


def test_the_composition_shell_is_given_the_shells_own_key_folder_alone(tmp_path):
    """At the front door the composition shell holds nothing of the monolith (ADR 0033): not the keys
    folder, not the session key, not the monolith's environment file; its own folder (its key and its
    cookie key) and the public keys. The monolith's screens at the front door keep what they had."""
    from sysops.units import unit

    for mode in ({"SYSOPS_FRONT_DOOR": "shell"}, {"SYSOPS_MONOLITH": "retired"}):
        settings = load_settings({"SYSOPS_DATA_DIR": str(tmp_path / "var"), **mode})
        front = {spec.name: spec for spec in launcher.process_specs(settings)}["shell_app"]
        assert front.env["SYSOPS_OWN_KEYS"].endswith("/private/shell") and "SYSOPS_PUBLIC_KEYS" in front.env
        assert "SYSOPS_KEYS_DIR" not in front.env and {"SYSOPS_KEYS_DIR", "SYSOPS_SESSION_KEY"} <= set(front.withhold)
        assert "monolith.env" not in unit(front, tmp_path) and "SYSOPS_KEYS_DIR" not in unit(front, tmp_path)
    screens = {spec.name: spec for spec in launcher.process_specs(load_settings({"SYSOPS_DATA_DIR": str(tmp_path)}))}
    assert screens["shell_app"].env["SYSOPS_KEYS_DIR"] and "monolith.env" in unit(screens["shell_app"], tmp_path)
