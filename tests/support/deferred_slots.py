"""The slots a composed page's first paint left to the browser (templates/shell/_fragment_slot.html,
"lazy": htmx loads each after the page), for clients that run no htmx: the journeys and the benchmarks
ask for them as htmx does. tests/test_composition.py checks this against the template's markup."""
from __future__ import annotations

import html
import re

_DEFERRED = re.compile(r'data-fragment-slot="[^"]*" hx-get="([^"]+)" hx-trigger="load"')


def deferred_slots(page: str) -> list[str]:
    """Each deferred slot's URL (as the page gives it: same origin, usually a path), in page order."""
    return [html.unescape(url) for url in _DEFERRED.findall(page)]
