"""The first paint of a legacy page carries its fragments (ADR 0018).

While a shell template renders, each fragment slot it places sends its request at once, from the
request's own thread over kept-alive connections (slot_requests.py, ADR 0045), so the fragments work on
every slot of the page concurrently and beside the rest of the rendering. The slot leaves a marker in
the page; once the page is rendered the markers are replaced by what arrived within the first-paint
budget:

- the fragment's HTML, inlined (htmx processes it with the page, so it is live at once);
- the slot's fallback with Retry, if the fragment failed (5xx, refused, past the slot's time-out)
  before the budget ran out: the same fallback the proxy gives, within the slot's time-out;
- otherwise the lazy loader of before: htmx asks the proxy for the slot after the page has loaded,
  with the same time-out, fallback and Retry. A slow fragment so never holds the page longer than
  the budget (`SYSOPS_FIRST_PAINT_BUDGET_MS`, default 400).

The page is sent in two parts (ADR 0043): everything before its first slot at once, so the browser
takes the head (styles, scripts) and the header while the fragments answer, then the rest once every
slot has arrived or ended.
"""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import TimeoutError as Pending
from dataclasses import dataclass

from flask import current_app, g, render_template, request, stream_with_context
from markupsafe import Markup

from .outgoing import on_behalf
from .registry import FragmentUnavailable, registry
from .slot_requests import Connections, SlotRequest
from .slots import fragment_url

DEFAULT_BUDGET_MS = 400
log = logging.getLogger(__name__)
# A slot as first painted with its fragment's answer in it: every slot of every page, so not worth a
# template's render (0.4 ms of the shell's 3.5 ms of CPU per customer page, measured in process); its
# other two forms, the fallback and the lazy loader, are in templates/shell/_fragment_slot.html.
INLINED = Markup('<div class="legacy-fragment-slot" data-fragment-slot="{name}/{slot}" data-fragment-inlined>{content}</div>')
_CONNECTIONS = Connections()  # this process's kept-alive connections to the fragments, for slots


@dataclass
class _Slot:
    marker: str
    name: str
    slot: str
    url: str
    fallback: str
    path: str
    request: SlotRequest
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


def _fetch(name: str, url: str) -> tuple[str, SlotRequest, float]:
    fragments = registry()
    path, _, query = url[len(fragments.prefix(name)):].partition("?")
    headers = {"HX-Request": "true", "HX-Current-URL": request.url, "Accept": "text/html", **on_behalf(name)}
    timeout = fragments.timeout_for(name, path)
    budget = current_app.config.get("FIRST_PAINT_BUDGET_MS", DEFAULT_BUDGET_MS) / 1000
    # Wait for the answer, however it ends, within the budget: a slot whose time-out is inside the budget
    # ends by then (answer or failure) and is painted as it ended; one slower than the budget is left to
    # htmx after the page.
    wait_until = time.monotonic() + budget
    sent = SlotRequest(_CONNECTIONS, name, fragments.bases[name] + path + (f"?{query}" if query else ""), headers,
                       timeout)
    return path, sent, wait_until


def fill(response):
    """after_request: the page up to its first slot is sent at once, the rest once every slot is placed."""
    for _, unused, _ in g.pop("inline_prefetched", {}).values():  # prefetched for a slot the page did not place
        unused.abandon()
    slots: list[_Slot] | None = g.pop("inline_slots", None)
    if not slots:
        return response
    html = response.get_data(as_text=True)
    parts: list[str] = []
    placed: list[_Slot] = []
    for slot in slots:
        before, found, html = html.partition(slot.marker)
        if not found:  # the macro's output was not part of the page: nothing to put in its place
            html = before
            slot.request.abandon()
            continue
        parts.append(before)
        placed.append(slot)
    if not placed:
        return response
    response.response = stream_with_context(_streamed(parts, placed, html))
    response.headers.pop("Content-Length", None)
    response.headers["X-Accel-Buffering"] = "no"  # nginx passes each part on as it comes
    return response


def _streamed(parts: list[str], slots: list[_Slot], rest: str) -> Iterator[bytes]:
    """The page up to its first slot at once; then the rest in one piece once every slot is placed
    (slots answer together, in parallel: a write each would cost more than it shows sooner)."""
    try:
        yield parts[0].encode("utf-8")
        placed = [_placed(slot) for slot in slots]
        yield "".join(piece for pair in zip(placed, [*parts[1:], rest]) for piece in pair).encode("utf-8")
    finally:  # the browser went away after the first part: the answers are not read
        for slot in slots:
            slot.request.abandon()


def _placed(slot: _Slot) -> str:
    try:
        answer = slot.request.result(budget_ends=slot.wait_until)
    except Pending:
        return render_template("shell/_fragment_slot.html", slot=slot, mode="lazy")
    except FragmentUnavailable:
        return render_template("shell/_fragment_slot.html", slot=slot, mode="fallback", message=slot.fallback)
    except Exception:  # the page's head is already sent: a slot that breaks shows its fallback, never a cut page
        log.exception("fragment slot %s/%s failed", slot.name, slot.slot)
        return render_template("shell/_fragment_slot.html", slot=slot, mode="fallback", message=slot.fallback)
    if answer.status != 200 or not answer.headers.get("Content-Type", "").startswith("text/html"):
        return render_template("shell/_fragment_slot.html", slot=slot, mode="lazy")  # as the proxy would show it
    content = Markup(answer.body.decode("utf-8", "replace"))  # HTML our own fragment escaped
    return INLINED.format(name=slot.name, slot=slot.slot, content=content)

