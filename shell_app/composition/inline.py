"""The first paint of a legacy page carries its fragments (ADR 0018).

While a shell template renders, each fragment slot it places starts its fetch at once, on a shared
pool of threads over the registry's keep-alive connections, so every slot of the page is fetched
concurrently and beside the rest of the rendering. The slot leaves a marker in the page; once the
page is rendered the markers are replaced by what arrived within the first-paint budget:

- the fragment's HTML, inlined (htmx processes it with the page, so it is live at once);
- the slot's fallback with Retry, if the fragment failed (5xx, refused, past the slot's time-out)
  before the budget ran out: the same fallback the proxy gives, within the slot's time-out;
- otherwise the lazy loader of before: htmx asks the proxy for the slot after the page has loaded,
  with the same time-out, fallback and Retry. A slow fragment so never holds the page longer than
  the budget (`SYSOPS_FIRST_PAINT_BUDGET_MS`, default 400).
"""
from __future__ import annotations

import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Pending
from dataclasses import dataclass

from flask import current_app, g, render_template, request
from markupsafe import Markup

from .outgoing import on_behalf
from .registry import FragmentUnavailable, registry
from .slots import fragment_url

DEFAULT_BUDGET_MS = 400
_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="slot-fetch")


@dataclass
class _Slot:
    marker: str
    name: str
    slot: str
    url: str
    fallback: str
    path: str
    future: Future
    wait_until: float


def prefetch(name: str, slot: str, params: dict | None = None) -> None:
    """Start a slot's fetch before the page's own work (a view calls it first thing), so the fragment
    answers while the legacy data is read; the macro then uses this fetch."""
    url = fragment_url(name, slot, params)
    if url:
        g.setdefault("inline_prefetched", {})[(name, url)] = _fetch(name, url)


def start(name: str, slot: str, url: str, fallback: str) -> Markup:
    """Called by the `fragment_slot` macro: start fetching `url` (same-origin slot URL) for the user (or
    take the prefetched fetch), and leave a marker where it goes."""
    slots: list[_Slot] = g.setdefault("inline_slots", [])
    nonce = g.setdefault("inline_nonce", secrets.token_hex(8))  # a fragment cannot forge another slot's marker
    marker = f"<!--sysops-slot:{nonce}:{len(slots)}-->"
    started = g.get("inline_prefetched", {}).pop((name, url), None) or _fetch(name, url)
    slots.append(_Slot(marker, name, slot, url, fallback, *started))
    return Markup(marker)


def _fetch(name: str, url: str) -> tuple[str, Future, float]:
    fragments = registry()
    path, _, query = url[len(fragments.prefix(name)):].partition("?")
    headers = {"HX-Request": "true", "HX-Current-URL": request.url, "Accept": "text/html", **on_behalf(name)}
    timeout = fragments.timeout_for(name, path)
    budget = current_app.config.get("FIRST_PAINT_BUDGET_MS", DEFAULT_BUDGET_MS) / 1000
    # Wait for the fetch to end, however it ends, within the budget: a slot whose time-out is inside the
    # budget ends by then (answer or failure) and is painted as it ended, even when a busy machine runs
    # the fetch's thread late; one slower than the budget is left to htmx after the page.
    wait_until = time.monotonic() + budget
    future = _POOL.submit(fragments.fetch, name, "GET", path, query=query.encode("latin-1"), headers=headers,
                          body=b"", timeout=timeout)
    return path, future, wait_until


def fill(response):
    """after_request: put what arrived in place of the markers."""
    slots: list[_Slot] | None = g.pop("inline_slots", None)
    if not slots:
        return response
    html = response.get_data(as_text=True)
    for slot in slots:
        html = html.replace(slot.marker, _placed(slot), 1)
    response.set_data(html)
    return response


def _placed(slot: _Slot) -> str:
    try:
        answer = slot.future.result(timeout=max(0.0, slot.wait_until - time.monotonic()))
    except Pending:
        return render_template("shell/_fragment_slot.html", slot=slot, mode="lazy")
    except FragmentUnavailable:
        return render_template("shell/_fragment_slot.html", slot=slot, mode="fallback", message=slot.fallback)
    if answer.status != 200 or not answer.headers.get("Content-Type", "").startswith("text/html"):
        return render_template("shell/_fragment_slot.html", slot=slot, mode="lazy")  # as the proxy would show it
    content = Markup(answer.body.decode("utf-8", "replace"))  # HTML our own fragment escaped
    return render_template("shell/_fragment_slot.html", slot=slot, mode="inline", content=content)

