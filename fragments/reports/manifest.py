"""What the shell reads to embed this fragment."""
from __future__ import annotations

from typing import Any

from . import VERSION


def manifest() -> dict[str, Any]:
    return {"name": "reports", "version": VERSION, "manifest_version": 1,
            "slots": {"dashboard": {"path": "/", "timeout_ms": 8000}},
            "assets": {"css": ["/static/reports.css"]}}
