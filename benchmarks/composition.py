"""The composed legacy customer page (ticketing fragment embedded) vs the monolith's own page, ticket
creation through the fragment vs the legacy create path, and signing in through the identity service vs
the monolith's own login (issue 28's target: p50 at most 1.0x), on the same data in one run. The
fragment's raise is sent as from the customer's panel (its raise area: "received" and the new row come
back, the list in view is not sent again); from the form's own page (the whole panel answered) too.

    .venv/bin/python -m benchmarks.composition [--preset small --rounds 5 --loads 10 --threads 4 --requests 20]

Prints: time until every fragment has rendered in headless Chromium (p50/p99; the legacy page, the
composed page and, with nginx, the composed page through it taking turns load by load), requests/s and
p50/p99 of the page (composed = the page plus its fragment request) under concurrent load,
tickets/s raised through each path with the time until "received", and the time until the
received panel shows the offered expert (following the page's own polling schedule); the raise again
with the monolith's bridge SIGSTOPped (no bridge call on its path: issue 27's target, p50 at most 0.7
of the legacy raise path until shown, in the same run), measured two ways: over HTTP by four clients
at once (the server's work, the two cores saturated), and by a person in Chromium, from pressing
"Raise ticket" until the answer is on screen (timed by the page). With nginx installed, the composed
page and the raise (also with the bridge frozen) again through it (the production routing). Every
measure runs once per round, the rounds alternating all of them (see `alternating`), each after the
work the previous one left behind is done (see `settled`).
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator

import requests

from tests.support.deferred_slots import deferred_slots
from tests.support.local_system import System
from tests.support.nginx_front import NGINX, NginxFront

from .harness import Figures, run_concurrently

RENDERED = """() => !document.querySelector('.fragment-loading') &&
    [...document.querySelectorAll('[data-fragment-slot][hx-get], [data-fragment-slot][data-fragment-inlined]')].every(
        slot => slot.querySelector('[data-fragment], [data-fragment-fallback]'))"""
# In every page the browser loads: ms from the start of its navigation (the legacy form's POST, whose
# redirect is part of it) until the frame after its load event.
TIME_LOADED = """addEventListener('load', () => requestAnimationFrame(() => {
    window.sysopsLoadedAfter = performance.now(); }));"""
# In the page: ms from the click on "Raise ticket" until the frame after "received" is in the panel.
TIME_RECEIVED = """() => {
    window.sysopsReceivedAfter = 0;
    let clicked = 0;
    const received = () => [...document.querySelectorAll(
        '[data-fragment-slot="ticketing/customer-tickets"] .tk-received')].some(r => r.textContent.includes('received'));
    document.addEventListener('click', () => { clicked = performance.now(); }, {capture: true, once: true});
    const watch = new MutationObserver(() => {
        if (clicked && received()) {
            watch.disconnect();
            requestAnimationFrame(() => { window.sysopsReceivedAfter = performance.now() - clicked; });
        }
    });
    watch.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


class Session:
    def __init__(self, base: str, username: str = "callcentre"):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.http.post(f"{base}/login", data={"username": username, "password": "sysops-demo", "csrf_token": token})
        self.csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', self.http.get(f"{base}/").text).group(1)

    def get(self, path: str, **headers) -> requests.Response:
        response = self.http.get(self.base + path, headers=headers, timeout=30)
        response.raise_for_status()
        return response


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium (closed on leaving)."""
    from playwright.sync_api import sync_playwright

    from tests.support.chromium import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser: Any, base: str) -> Any:
    """A page of its own browser context in `browser`, signed in as the call centre at `base`."""
    page = browser.new_context().new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "callcentre")
    page.fill("#password", "sysops-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


@contextmanager
def signed_in_page(base: str) -> Iterator[Any]:
    """A headless Chromium page, signed in as the call centre (closed on leaving)."""
    with chromium_browser() as browser:
        yield signed_in(browser, base)


def rendered_ms(page: Any, url: str) -> float:
    """ms from asking `page` for `url` until every fragment has rendered. The same single check on every
    page (one round trip to the browser each): every slot holds its fragment's root or a fallback and
    nothing is left loading (a legacy page has no fragment slot: its regions are the legacy content)."""
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_function(RENDERED)
    return (time.perf_counter() - started) * 1000


def chromium_pages(base: str, paths: list[str], name: str) -> Figures:
    """Each path opened in turn in one signed-in Chromium page, timed until every fragment has rendered."""
    with signed_in_page(base) as page:
        started_all = time.perf_counter()
        timings = [rendered_ms(page, f"{base}{path}") for path in paths]
        elapsed = time.perf_counter() - started_all
    return Figures(name, len(timings), elapsed, timings)


def taking_turns(sides: list[str], load: int) -> list[str]:
    """The order in which the sides open their page at load number `load`: each side first in turn."""
    first = load % len(sides)
    return sides[first:] + sides[:first]


def chromium_in_turns(sides: dict[str, str], paths: list[str]) -> dict[str, Figures]:
    """Each path opened on every side (the figures' name -> the side's base URL), load by load, each side
    in its own signed-in page of one Chromium, the side that goes first rotating with each load
    (`taking_turns`); each load timed as `chromium_pages` times it.

    Why not one side's loads after the other's: on this shared 2-core machine the load from elsewhere
    moves within a minute, and a headless page grows slower with every navigation. Measured in blocks,
    the staff's home page, which composes no fragment, came out anywhere from x0.93 to x1.11 of its
    legacy page across runs. Within one pair, the page opened second measured about 3.5% faster than
    the first on the probe system, so the order rotates rather than staying put."""
    names = list(sides)
    timings: dict[str, list[float]] = {name: [] for name in names}
    with chromium_browser() as browser:
        pages = {name: signed_in(browser, base) for name, base in sides.items()}
        for load, path in enumerate(paths):
            for name in taking_turns(names, load):
                timings[name].append(rendered_ms(pages[name], f"{sides[name]}{path}"))
    return {name: Figures(name, len(ms), sum(ms) / 1000, ms) for name, ms in timings.items()}


def chromium_render(base: str, customer_ids: list[int], composed: bool) -> Figures:
    return chromium_pages(base, [f"/customers/{c}" for c in customer_ids],
                          "composed page, Chromium until rendered" if composed else "legacy page, Chromium until rendered")


def chromium_raise(base: str, targets: list[tuple[int, int, int]], composed: bool, count: int,
                   around: Callable[[], ContextManager[None]] = nullcontext, name: str = "") -> Figures:
    """As staff raise a ticket in Chromium: from pressing "Raise ticket" until the person sees the answer,
    timed by the page itself (the driver's own round trips left out), each until the first animation
    frame after the answer is in the document: the fragment's "received" in the customer's panel, from
    the click; the legacy path's ticket page loaded after its redirect, from the start of the navigation
    (the POST). The form is filled before the clock starts; `around` is entered for each raise only (the
    bridge frozen while it is sent and shown)."""
    import datetime as dt

    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    timings = []
    with signed_in_page(base) as page:
        page.add_init_script(TIME_LOADED)
        started_all = time.perf_counter()
        for n in range(count):
            customer_id, contract_id, product_id = targets[n % len(targets)]
            if composed:
                page.goto(f"{base}/customers/{customer_id}", wait_until="load")
                panel = page.locator('[data-fragment-slot="ticketing/customer-tickets"]')
                panel.get_by_role("link", name="Raise a ticket").click()
                panel.get_by_label("Product").select_option(str(product_id))
                panel.get_by_label("What is wrong?").fill("Benchmark: it stopped working")
                panel.get_by_label("Choice 1").select_option(index=5)
                page.evaluate(TIME_RECEIVED)
                with around():
                    panel.get_by_role("button", name="Raise ticket").click()
                    timings.append(page.wait_for_function("() => window.sysopsReceivedAfter").json_value())
            else:
                page.goto(f"{base}/customers/{customer_id}/tickets/new", wait_until="load")
                page.select_option("#contract_id", str(contract_id))
                page.select_option("#product_id", str(product_id))
                page.fill("#description", "Benchmark: it stopped working")
                page.fill("#slot_date_1", day)
                page.get_by_role("button", name="Raise ticket").click()
                page.wait_for_url(re.compile(r"/tickets/\d+$"))
                timings.append(page.wait_for_function("() => window.sysopsLoadedAfter").json_value())
        elapsed = time.perf_counter() - started_all
    name = name or ("raise in Chromium, bridge frozen, until received" if composed
                    else "raise in Chromium, legacy path until shown")
    return Figures(name, len(timings), elapsed, timings)


def http_pages(base: str, paths: list[str], threads: int, per_thread: int, name: str,
               late: list[int] | None = None) -> Figures:
    """The paths loaded by `threads` signed-in clients at once; a slot not in a page's first paint is
    fetched after it, as the browser does (counted in `late[0]` if given)."""
    def worker(index: int):
        session = Session(base)

        def one(n: int) -> None:
            page = session.get(paths[(index * per_thread + n) % len(paths)]).text
            slots = deferred_slots(page)
            if late is not None:
                late[0] += len(slots)
            for url in slots:
                session.get(url, **{"HX-Request": "true"})
        return one

    return run_concurrently(name, worker, threads, per_thread)


def page_load(base: str, customer_ids: list[int], composed: bool, threads: int, per_thread: int) -> Figures:
    lazy = [0]
    name = "composed page (+ late slots), HTTP" if composed else "legacy page, HTTP"
    figures = http_pages(base, [f"/customers/{c}" for c in customer_ids], threads, per_thread, name, lazy)
    if composed:
        print(f"  slots not in the first paint under load: {lazy[0]} of {figures.count}", flush=True)
    return figures


STAFF = ("callcentre", "callcentre2", "manager", "admin")


def log_in(base: str, threads: int, per_thread: int, name: str) -> Figures:
    """Signing in as a person does: the sign-in page, then the form sent, until its answer (the redirect
    to the page asked for); a new browser each time. Demo staff accounts, each signed in once before
    (an old hash is upgraded at the first sign-in; the throttle clears at each success)."""
    def worker(index: int):
        def one(n: int) -> None:
            http = requests.Session()
            username = STAFF[(index + n) % len(STAFF)]
            token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(f"{base}/login", timeout=30).text).group(1)
            answer = http.post(f"{base}/login", data={"username": username, "password": "sysops-demo",
                                                      "csrf_token": token}, allow_redirects=False, timeout=30)
            assert answer.status_code == 302 and "/login" not in answer.headers["Location"], answer.text[:300]
        return one

    return run_concurrently(name, worker, threads, per_thread)


def raise_tickets(base: str, targets: list[tuple[int, int, int]], composed: bool, threads: int,
                  per_thread: int, until_shown: bool = False, inline: bool = True,
                  around: Callable[[], ContextManager[None]] = nullcontext) -> Figures:
    """targets: (customer, contract, product) that the plan covers. The legacy path answers a raise with a
    redirect to the new ticket's page: `until_shown` follows it, the time until staff see the ticket
    (the fragment's answer is already the panel that shows it)."""
    import datetime as dt

    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()

    def worker(index: int):
        session = Session(base)

        def one(n: int) -> None:
            customer_id, contract_id, product_id = targets[(index * per_thread + n) % len(targets)]
            if composed:
                fragment_raise(session, customer_id, product_id, [f"{day} morning", f"{day} afternoon"], inline)
            else:
                response = session.http.post(
                    f"{base}/customers/{customer_id}/tickets/new", timeout=60, allow_redirects=until_shown,
                    data={"contract_id": contract_id, "product_id": product_id, "csrf_token": session.csrf,
                          "description": "Benchmark: it stopped working", "slot_date_1": day,
                          "slot_period_1": "morning", "slot_date_2": day, "slot_period_2": "afternoon"})
                if until_shown:
                    assert response.status_code == 200 and "/tickets/" in response.url, response.text[:300]
                else:
                    assert response.status_code == 302, response.text[:300]
        return one

    name = ("raise ticket via fragment (until received)" if composed else
            "raise ticket, legacy path until shown" if until_shown else "raise ticket, legacy path (302)")
    return run_concurrently(name, worker, threads, per_thread, around)


def fragment_raise(session: "Session", customer_id: int, product_id: int, slots: list[str],
                   inline: bool = True) -> requests.Response:
    """The raise form of the ticketing fragment sent as htmx sends it, answered 201 "received": `inline`,
    from the raise area of the customer's panel (answered there, with the new row for the list in view);
    else from the form's own page (answered with the whole panel)."""
    headers = {"HX-Request": "true", "X-CSRF-Token": session.csrf}
    if inline:
        headers["HX-Target"] = f"tk-raise-{customer_id}"
    response = session.http.post(
        f"{session.base}/fragments/ticketing/customers/{customer_id}/tickets", timeout=60,
        data={"product_id": product_id, "description": "Benchmark: it stopped working", "slots": slots},
        headers=headers)
    assert response.status_code == 201, response.text[:300]
    return response


POLL = re.compile(r'hx-get="([^"]*received-status[^"]*)"\s+hx-trigger="load delay:(\d+)(ms|s)"')


def offer_shown(session: "Session", raised: requests.Response, started: float) -> float:
    """Follow the received panel as the page does (each answer says when to ask again) until it shows
    the offered expert (or the unassigned queue): ms from the raise being sent."""
    text = raised.text
    while (found := POLL.search(text)) is not None:
        url, amount, unit = found.group(1).replace("&amp;", "&"), int(found.group(2)), found.group(3)
        time.sleep(amount / 1000 if unit == "ms" else amount)
        text = session.get(url, **{"HX-Request": "true"}).text
    assert "offered to" in text or "unassigned queue" in text, text[:300]
    return (time.perf_counter() - started) * 1000


def raise_until_offer_shown(base: str, targets: list[tuple[int, int, int]], threads: int, per_thread: int) -> Figures:
    """As staff see it: from sending the raise form until the panel shows who it was offered to."""
    import datetime as dt

    day = (dt.date.today() + dt.timedelta(days=4)).isoformat()
    shown: list[float] = []

    def worker(index: int):
        session = Session(base)

        def one(n: int) -> None:
            customer_id, _, product_id = targets[(index * per_thread + n) % len(targets)]
            started = time.perf_counter()
            response = fragment_raise(session, customer_id, product_id, [f"{day} morning", f"{day} evening"])
            shown.append(offer_shown(session, response, started))
        return one

    figures = run_concurrently("raise until the offered expert is shown", worker, threads, per_thread)
    return Figures(figures.name, figures.count, figures.seconds, shown)


@contextmanager
def bridge_frozen(system: System) -> Iterator[None]:
    """The monolith's data side (its bridge process) stopped by SIGSTOP: it accepts connections and never
    answers, so a raise that asked it anything would wait for its time-out or fail."""
    group = system.processes["bridge"].pid
    os.killpg(group, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(group, signal.SIGCONT)


def raise_with_bridge_frozen(base: str, system: System, targets: list[tuple[int, int, int]], threads: int,
                             per_thread: int, name: str = "raise via fragment, bridge frozen",
                             inline: bool = True) -> Figures:
    """The raise until "received" with the bridge frozen throughout: every raise answered 201 says none
    of them called it. The clients sign in first: sign-in is still the monolith's (iteration 5), and a
    bridge stopped while it holds the legacy database's write lock would keep the shell waiting on it."""
    figures = raise_tickets(base, targets, True, threads, per_thread, inline=inline,
                            around=lambda: bridge_frozen(system))
    return Figures(name, figures.count, figures.seconds, figures.latencies_ms)


@contextmanager
def nginx_routing(system: System, root: Path) -> Iterator[str | None]:
    """Debian's nginx with the production routing (sysops nginx-conf) in front of the same processes:
    pages from the shell, fragment requests straight to the fragments after the shell's auth check.
    None when nginx is not installed."""
    if not NGINX.exists():
        yield None
        return
    (root / "nginx").mkdir(exist_ok=True)
    if system.front_door == "shell":  # the auth subrequest goes to the identity service (sysops.nginx.AUTH)
        names = ("ticketing", "experts", "reports", "knowledge", "notifications", "customers", "identity")
        front = NginxFront(root / "nginx", [f"127.0.0.1:{system.shell_port}"],
                           {name: [f"127.0.0.1:{getattr(system, f'{name}_port')}"] for name in names}, auth="identity")
    else:
        front = NginxFront(root / "nginx", [f"127.0.0.1:{system.shell_port}"], {
            "ticketing": [f"127.0.0.1:{system.ticketing_port}"], "experts": [f"127.0.0.1:{system.experts_port}"],
            "reports": [f"127.0.0.1:{system.reports_port}"]})
    front.start()
    try:
        yield front.base
    finally:
        front.stop()


# What the system still has to do after a measure: tickets raised and not yet dispatched by the worker
# (a frozen bridge holds them back until it is thawed), messages not yet handed to their channel.
UNFINISHED = ("MATCH (t:Ticket {status: 'new'}) RETURN count(t) AS n",
              "MATCH (m:Message {state: 'queued'}) WHERE m.due <= $now RETURN count(m) AS n")


def settled(system: System, limit_s: float = 120.0) -> None:
    """Wait until the work a measure left behind is done (the worker's dispatch of the raised tickets
    and their messages), so it is not charged to the next measure; checked, not slept on."""
    deadline = time.monotonic() + limit_s
    with system.graph_store() as store:
        while any(store.backend.read(query, {"now": time.time()})[0]["n"] for query in UNFINISHED):
            if time.monotonic() > deadline:
                print(f"  (work still unfinished after {limit_s:.0f} s: measuring anyway)", flush=True)
                return
            time.sleep(0.2)


def alternating(measures: dict[str, Callable[[], Figures | dict[str, Figures]]], rounds: int,
                between: Callable[[], None] = lambda: None) -> dict[str, Figures]:
    """Each measure `rounds` times, all of them in every round and the order rotated each round, merged
    per measure: on a shared machine the load from elsewhere changes by the minute, and a baseline
    measured minutes before its comparison would carry that change into the ratio. Each round also
    opens new client connections, and gunicorn keeps a kept-alive connection on the worker process
    that accepted it: how 4 clients fall on 2 workers changes per round, so rounds also average that.
    `between` runs before each measure (waiting until the work the last one left behind is done). A
    measure gives its figures, or several sides' figures by name (`chromium_in_turns`), each merged
    under its own name."""
    parts: dict[str, list[Figures]] = {}
    names = list(measures)
    for round_ in range(rounds):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            between()
            got = measures[name]()
            for part_name, figures in (got.items() if isinstance(got, dict) else [(name, got)]):
                parts.setdefault(part_name, []).append(figures)
    return {name: Figures(name, sum(f.count for f in got), sum(f.seconds for f in got),
                          [ms for f in got for ms in f.latencies_ms]) for name, got in parts.items()}


def covered_targets(system: System, limit: int = 40) -> list[tuple[int, int, int]]:
    from sqlalchemy import text

    from shell_app.db import make_engine

    engine = make_engine(system.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT c.customer_id, c.id, cp.product_id FROM contracts c "
                "JOIN contract_products cp ON cp.contract_id = c.id WHERE c.status = 'active' "
                "AND c.start_date <= CURRENT_DATE AND (c.end_date IS NULL OR c.end_date >= CURRENT_DATE) "
                "ORDER BY c.customer_id LIMIT :limit"), {"limit": limit}).all()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--loads", type=int, default=10, help="page loads per page kind in Chromium, per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20, help="page loads per thread under HTTP load, per round")
    parser.add_argument("--raises", type=int, default=8, help="tickets raised per thread per path, per round")
    parser.add_argument("--logins", type=int, default=5, help="sign-ins per thread per path, per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each measure once per round, order rotated")
    parser.add_argument("--front-door", choices=("monolith", "shell"), default="monolith",
                        help="what answers at the shell's port (SYSOPS_FRONT_DOOR): the monolith's screens with the "
                             "fragments in them, or the composition shell (ADR 0033)")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="sysops-bench-composition-"))
    print(f"Setting up the {args.preset} preset in {root} (front door: {args.front_door}) ...", flush=True)
    system = System(root, preset=args.preset, front_door=args.front_door).start()
    try:
        legacy = system.start_legacy_shell()
        targets = covered_targets(system)
        customers = sorted({t[0] for t in targets})
        pages = (customers * 3)[:args.loads]
        with nginx_routing(system, root) as routed:
            for base in (legacy, system.shell, routed):  # warm every path once
                if base:
                    chromium_render(base, customers[:3], base != legacy)
                    log_in(base, 1, len(STAFF), "warm-up")
            shell, threads, requests_, raises = system.shell, args.threads, args.requests, args.raises
            paths = [f"/customers/{c}" for c in pages]
            in_turns = {"legacy page, Chromium until rendered": legacy, "composed page, Chromium until rendered": shell,
                        **({"via nginx: page, Chromium until rendered": routed} if routed else {})}
            measures: dict[str, Callable[[], Figures | dict[str, Figures]]] = {
                "the page in Chromium, sides taking turns": lambda: chromium_in_turns(in_turns, paths),
                "login, legacy (HTTP)": lambda: log_in(legacy, threads, args.logins, "login, legacy (HTTP)"),
                "login via the identity service (HTTP)": lambda: log_in(
                    shell, threads, args.logins, "login via the identity service (HTTP)"),
                "legacy page, HTTP": lambda: page_load(legacy, customers, False, threads, requests_),
                "composed page (+ late slots), HTTP": lambda: page_load(shell, customers, True, threads, requests_),
                "raise, legacy path (302)": lambda: raise_tickets(legacy, targets, False, threads, raises),
                "raise, legacy path until shown": lambda: raise_tickets(legacy, targets, False, threads, raises,
                                                                        until_shown=True),
                "raise via fragment (until received)": lambda: raise_tickets(shell, targets, True, threads, raises),
                "raise via fragment, bridge frozen": lambda: raise_with_bridge_frozen(shell, system, targets, threads,
                                                                                      raises),
                "raise from its own page, bridge frozen": lambda: raise_with_bridge_frozen(
                    shell, system, targets, threads, raises, "raise from its own page, bridge frozen", inline=False),
                "raise in Chromium, legacy path until shown": lambda: chromium_raise(legacy, targets, False, args.loads),
                "raise in Chromium, bridge frozen, until received": lambda: chromium_raise(
                    shell, targets, True, args.loads, around=lambda: bridge_frozen(system)),
            }
            if routed:
                measures.update({
                    "via nginx: page (+ late slots), HTTP": lambda: page_load(routed, customers, True, threads,
                                                                              requests_),
                    "via nginx: raise (until received)": lambda: raise_tickets(routed, targets, True, threads,
                                                                               raises),
                    "via nginx: raise, bridge frozen": lambda: raise_with_bridge_frozen(
                        routed, system, targets, threads, raises, "via nginx: raise, bridge frozen"),
                    "via nginx: raise in Chromium, bridge frozen": lambda: chromium_raise(
                        routed, targets, True, args.loads, around=lambda: bridge_frozen(system),
                        name="via nginx: raise in Chromium, bridge frozen")})
            results = alternating(measures, args.rounds, between=lambda: settled(system))
        offers = raise_until_offer_shown(system.shell, targets, args.threads, args.raises)
        print(f"\n{'measure':<44} {'rate':>11}  {'latency':>14}  {'':>14}")
        for row in [*results.values(), offers]:
            print(row.row())
        comparisons = [("login, legacy (HTTP)", "login via the identity service (HTTP)"),
                       ("legacy page, Chromium until rendered", "composed page, Chromium until rendered"),
                       ("legacy page, HTTP", "composed page (+ late slots), HTTP"),
                       ("raise, legacy path (302)", "raise via fragment (until received)"),
                       ("raise, legacy path until shown", "raise via fragment (until received)"),
                       ("raise, legacy path (302)", "raise via fragment, bridge frozen"),
                       ("raise, legacy path until shown", "raise via fragment, bridge frozen"),
                       ("raise, legacy path until shown", "raise from its own page, bridge frozen"),
                       ("legacy page, Chromium until rendered", "via nginx: page, Chromium until rendered"),
                       ("legacy page, HTTP", "via nginx: page (+ late slots), HTTP"),
                       ("raise, legacy path (302)", "via nginx: raise (until received)"),
                       ("raise, legacy path until shown", "via nginx: raise (until received)"),
                       ("raise, legacy path until shown", "via nginx: raise, bridge frozen"),
                       ("raise in Chromium, legacy path until shown", "raise in Chromium, bridge frozen, until received"),
                       ("raise in Chromium, legacy path until shown", "via nginx: raise in Chromium, bridge frozen")]
        for base_name, new_name in comparisons:
            if new_name not in results:
                continue
            base, new = results[base_name], results[new_name]
            print(f"  {new_name}: p50 x{new.percentile(50) / base.percentile(50):.2f}, "
                  f"p99 x{new.percentile(99) / base.percentile(99):.2f} of {base_name}, "
                  f"rate x{new.per_second / base.per_second:.2f}")
        signed_in, legacy_login = results["login via the identity service (HTTP)"], results["login, legacy (HTTP)"]
        print(f"\nLogin through the identity service, HTTP, {threads} clients ({signed_in.count} sign-ins): p50 "
              f"{signed_in.percentile(50):.0f} ms = x{signed_in.percentile(50) / legacy_login.percentile(50):.2f} of the "
              f"legacy login (target <= 1.0)")
        for legacy_name, route, name in (
                ("raise, legacy path until shown", "the shell's own proxy, HTTP, 4 clients",
                 "raise via fragment, bridge frozen"),
                ("raise, legacy path until shown", "nginx (the production routing), HTTP, 4 clients",
                 "via nginx: raise, bridge frozen"),
                ("raise in Chromium, legacy path until shown", "the shell's own proxy, in Chromium until shown",
                 "raise in Chromium, bridge frozen, until received"),
                ("raise in Chromium, legacy path until shown", "nginx, in Chromium until shown",
                 "via nginx: raise in Chromium, bridge frozen")):
            if name in results:
                frozen, legacy_raise = results[name], results[legacy_name]
                print(f"\nThe raise with no bridge call on its path through {route} (the bridge SIGSTOPped, "
                      f"{frozen.count} raises received): p50 {frozen.percentile(50):.0f} ms = "
                      f"x{frozen.percentile(50) / legacy_raise.percentile(50):.2f} of the legacy raise path until shown "
                      f"(target <= 0.70)")
    finally:
        system.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
