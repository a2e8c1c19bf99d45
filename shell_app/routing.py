"""URL converters shared by the monolith's screens and the bridge."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """`<int:...>` limited to the database's id range, so a huge number is a 404, not a driver overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)
