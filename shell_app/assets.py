"""Vendored front-end assets (see static/vendor/VENDORED.md), and the shell's asset URLs."""
import hashlib
from pathlib import Path

HTMX_VERSION = "2.0.11"
HTMX_FILE = f"vendor/htmx-{HTMX_VERSION}.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


_VERSIONS: dict[tuple[str, str], str] = {}  # (folder, file) -> hash: each file read once per process


def versioned(static_folder: str, filename: str) -> str:
    """`filename` with a short hash of its content (`?v=`), so browsers may keep the shell's own assets
    for a year and a changed file is a new URL. Read once per process."""
    key = (static_folder, filename)
    if key not in _VERSIONS:
        _VERSIONS[key] = hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]
    return _VERSIONS[key]
