"""The layers of docs/architecture.md, enforced: import contracts checked by import-linter over the
real source, and a check that the checker really sees our imports (a reversed floor must break)."""
from __future__ import annotations

import ast
import logging
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("foundation", "bridge_client", "shell_app", "bridge_api", "graph_store", "fragments", "sysops")


def _lint(config: Path) -> int:
    """import-linter in this process; its CLI configures logging anew (every logger made before it
    disabled), which would silence the loggers of the tests that run after this one: put back as it was."""
    loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    kept = [(logger, logger.disabled, logger.level, list(logger.handlers), logger.propagate) for logger in loggers]
    try:
        return lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    finally:
        for logger, disabled, level, handlers, propagate in kept:
            logger.disabled, logger.propagate, logger.handlers[:] = disabled, propagate, handlers
            logger.setLevel(level)


def test_every_import_contract_is_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert _lint(ROOT / "pyproject.toml") == 0


def test_the_checker_sees_real_imports_a_floor_swapped_with_the_one_above_is_broken(tmp_path, monkeypatch):
    """bridge_api stands on shell_app; swapped, the layers contract must fail."""
    text = (ROOT / "pyproject.toml").read_text()
    swapped = text.replace('    "bridge_api",\n    "shell_app",\n', '    "shell_app",\n    "bridge_api",\n')
    assert swapped != text
    config = tmp_path / "pyproject.toml"
    config.write_text(swapped)
    monkeypatch.chdir(ROOT)
    assert _lint(config) == 1


def test_the_foundation_imports_nothing_of_ours():
    for path in (ROOT / "foundation").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            assert not [n for n in names if n.split(".")[0] in PACKAGES[1:]], f"{path.name} imports {names}"


def test_imports_stand_at_the_top_of_modules_unless_a_comment_says_why():
    """An import inside a function hides a dependency; the few that must be late say why on the line
    before (a cycle, an optional driver, a tool only one command needs)."""
    late = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations/versions" in str(path):
                continue
            lines = path.read_text().splitlines()
            for node in ast.walk(ast.parse("\n".join(lines))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for inner in ast.walk(node):
                        if isinstance(inner, (ast.Import, ast.ImportFrom)):
                            before = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
                            if not re.match(r"#\s*(late import|imported here)", before, re.I):
                                late.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert not late, "imports inside functions without a reason: " + ", ".join(late)


def test_the_contracts_name_every_top_level_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert set(config["root_packages"]) == set(PACKAGES)
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert on_disk == set(PACKAGES), f"a package outside the contracts: {on_disk ^ set(PACKAGES)}"


def _lint_a_copy_with(tmp_path: Path, planted: dict[str, str]) -> subprocess.CompletedProcess:
    """import-linter over a copy of the source with `planted` lines added to some modules."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.html"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for module, line in planted.items():
        path = tmp_path / module
        path.write_text(path.read_text() + f"\n{line}\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_the_checker_sees_a_fragment_reading_another_fragments_data_code(tmp_path):
    """Reports may read tickets through ticketing's published module only; its adapters are refused."""
    clean = _lint_a_copy_with(tmp_path / "clean", {})
    assert clean.returncode == 0, clean.stdout
    planted = _lint_a_copy_with(tmp_path / "planted", {
        "fragments/reports/adapters/graph.py": "from fragments.ticketing.adapters.tickets import GraphTickets  # noqa"})
    assert planted.returncode == 1
    assert "fragments.reports.adapters.graph -> fragments.ticketing.adapters.tickets" in planted.stdout


def test_the_checker_sees_a_published_module_reaching_into_its_service(tmp_path):
    planted = _lint_a_copy_with(tmp_path, {
        "fragments/experts/published/profiles_v1.py": "from fragments.experts.adapters import profiles  # noqa"})
    assert planted.returncode == 1 and "published query module" in planted.stdout
