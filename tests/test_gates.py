"""The lint and type gates, part of `make test`: ruff over the whole tree, mypy strict over every
fragment's domain/ and services/ (the rules and the use cases, which know no framework or store)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("fragments/*/domain")) + sorted(
    str(p.relative_to(ROOT)) for p in ROOT.glob("fragments/*/services"))


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_fragment_has_a_domain_and_services_under_the_strict_gate():
    assert len(STRICT) == 2 * len(list(ROOT.glob("fragments/*/wiring.py")))


def test_mypy_strict_finds_nothing_in_the_domains_and_use_cases():
    result = _run("mypy", "--strict", *STRICT)
    assert result.returncode == 0, result.stdout + result.stderr
