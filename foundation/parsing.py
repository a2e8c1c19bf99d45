"""Parsing what clients send: only ASCII digits are numbers ('²' and '٣' pass str.isdigit()), and only
as many of them as the databases' integer columns hold; only same-site paths are places to go next."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

MAX_ID_DIGITS = 9  # below 2**31: every id column of both databases holds it


def parse_digits(raw: Any, max_digits: int = MAX_ID_DIGITS) -> int | None:
    """`raw` as an int (0 included) if it is a string of 1..max_digits ASCII digits, else None."""
    if not isinstance(raw, str) or not raw or len(raw) > max_digits or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def json_id(value: Any) -> int | None:
    """A JSON value as a positive 32-bit id, else None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        return None
    return value


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths, so `next=` cannot send a user to another host."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default  # CR/LF would split the Location header; no control character belongs in a path
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target

