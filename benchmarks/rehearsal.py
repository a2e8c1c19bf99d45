"""The whole strangler fig rehearsed under live traffic (issue 29): from the monolith alone with its demo
data to the monolith decommissioned, while staff, customers, experts and managers keep working.

    .venv/bin/python -m benchmarks.rehearsal [--preset small|100x] [--seconds 6]

1. The monolith holds every part (nothing taken over at start); every role works through its front door.
2. Each part is switched on in the roadmap's order with `sysops cutover PART` while they work: tickets,
   knowledge, notifications, customers, accounts (everyone signs in once more, at the identity service),
   surveys, billing; one part (surveys) is rolled back and switched on again; the long tail of tickets is
   backfilled (`sysops backfill`) and reconciled; the month is billed and customers pay.
3. The monolith is retired, its bridge alone watched for readers, and decommissioned.
4. With the monolith stopped, every role's journeys again.

It checks that every acknowledged write of the whole run is in the new stores once: each raise (its
ticket, and the confirmation message to the customer), each offer the expert accepted, each note they
added and each ticket they closed, each survey the customer answered, each contact change (the customer's
details as last saved), each payment; and prints the figures per part. Sign-ins are part of the traffic
(every phase signs everyone in again) but are not writes anyone is told were saved."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.local_system import System

STEPS = ("tickets", "knowledge", "notifications", "customers", "accounts", "surveys", "billing")


@dataclass
class Writes:
    """What was acknowledged, per part."""

    raises: list[int] = field(default_factory=list)
    contacts: dict[int, str] = field(default_factory=dict)  # customer -> the phone last saved
    contact_saves: int = 0
    payments: list[str] = field(default_factory=list)  # payment keys answered "Paid"
    accepts: list[int] = field(default_factory=list)  # tickets whose offer the expert was told "the slot is yours"
    notes: list[tuple[int, str]] = field(default_factory=list)  # (ticket, text) answered "Note added."
    closes: list[int] = field(default_factory=list)  # tickets answered "Closed."
    surveys: list[int] = field(default_factory=list)  # tickets whose survey answer was "recorded"
    asked: set[int] = field(default_factory=set)  # closed tickets whose survey the customer looked at
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Figures:
    steps: list[tuple[str, float, int]] = field(default_factory=list)  # (step, seconds, exit code)
    actions: dict[str, tuple[int, int]] = field(default_factory=dict)  # phase -> (tried, succeeded)
    parts: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # part -> (acknowledged, present, twice)
    failures: dict[str, list[str]] = field(default_factory=dict)  # phase -> why actions failed
    journeys_after: tuple[int, int] = (0, 0)

    def lines(self) -> list[str]:
        out = ["step                         seconds  exit"]
        out += [f"{name:<28} {seconds:7.1f}  {code}" for name, seconds, code in self.steps]
        out += ["", "phase                        actions  succeeded"]
        out += [f"{phase:<28} {tried:7d}  {ok:9d} ({100 * ok / tried if tried else 0:.1f}%)"
                for phase, (tried, ok) in self.actions.items()]
        out += [f"  {phase}: {why}" for phase, whys in self.failures.items() for why in whys]
        out += ["", "writes acknowledged per part   acknowledged  present  twice  lost"]
        out += [f"{part:<30} {ack:12d} {present:8d} {twice:6d} {ack - present:5d}"
                for part, (ack, present, twice) in self.parts.items()]
        tried, ok = self.journeys_after
        out += ["", f"journeys with the monolith stopped: {ok} of {tried} actions succeeded"]
        return out


def sysops(system: System, *args: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "sysops.cli", *args], env=system.env, capture_output=True,
                          text=True, timeout=3 * 3600)  # at 100x the long tail's backfill under traffic takes over 30 min
    return done.returncode, (done.stdout + done.stderr)[-2000:]


class Customer:
    """A customer of the rehearsal's own at the front door: their contact details and their bills."""

    def __init__(self, base: str, username: str, password: str, customer_id: int):
        from tests.system.conftest import StaffBrowser

        self.base, self.id = base, customer_id
        self.browser = StaffBrowser(base, username, password)

    def change_phone(self, writes: Writes, n: int) -> tuple[bool, str]:
        page = self.browser.http.get(f"{self.base}/fragments/customers/customers/{self.id}",
                                     headers={"HX-Request": "true"}, timeout=30).text
        version = re.search(r'name="version" value="(\d+)"', page)
        fields = {name: (re.search(rf'id="cu-{name}" name="{name}" type="[^"]+" value="([^"]*)"', page) or [None, ""])[1]
                  for name in ("email", "address_line", "city", "postcode")}
        if not version:
            return False, "no contact form"
        phone = f"07700 9{n % 100000:05d}"
        answer = self.browser.http.post(f"{self.base}/fragments/customers/customers/{self.id}/contact", timeout=30,
                                        data={**fields, "phone": phone, "version": version.group(1)},
                                        headers={"HX-Request": "true", "X-CSRF-Token": self.browser.csrf})
        if answer.status_code == 200 and "Saved." in answer.text:
            with writes.lock:
                writes.contacts[self.id] = phone
                writes.contact_saves += 1
            return True, ""
        return False, f"contact answered {answer.status_code}"

    def pay_all(self, writes: Writes) -> int:
        """A card added, then every bill that is owed paid once; how many were paid."""
        base = f"{self.base}/fragments/customers/customers/{self.id}/billing"
        headers = {"HX-Request": "true", "X-CSRF-Token": self.browser.csrf}
        page = self.browser.http.post(f"{base}/cards", data={"number": "4242 4242 4242 4242", "expiry": "08/40"},
                                      headers=headers, timeout=30).text
        paid = 0
        for key, payment_key in re.findall(r'/bills/([0-9]+(?::|%3A)[0-9-]+)/pay".*?name="payment_key" value="([^"]+)"',
                                           page, re.S):
            method = re.search(r'<option value="([0-9a-f]{32})">', page).group(1)
            answer = self.browser.http.post(f"{base}/bills/{key}/pay", data={"method": method, "payment_key": payment_key},
                                            headers=headers, timeout=30)
            if answer.status_code == 200 and "Paid. Thank you." in answer.text:
                with writes.lock:
                    writes.payments.append(payment_key)
                paid += 1
        return paid

    def answer_surveys(self, writes: Writes) -> tuple[bool, str]:
        """The survey of each closed ticket not asked yet, answered if it is this customer's (another
        customer's ticket is not theirs to see)."""
        with writes.lock:
            waiting = [t for t in writes.closes if t not in writes.asked]
            writes.asked.update(waiting)
        for ticket_id in waiting:
            url = f"{self.base}/fragments/ticketing/surveys/{ticket_id}"
            page = self.browser.http.get(url, headers={"HX-Request": "true"}, timeout=30)
            if page.status_code in (403, 404):
                continue
            if page.status_code != 200 or "Send my answer" not in page.text:
                return False, f"survey page answered {page.status_code}"
            answers = {name: max(values) for name, values in _choices(page.text).items()}
            answers.update({name: "On time and friendly." for name in re.findall(r'<textarea id="[^"]+" name="([^"]+)"',
                                                                                   page.text)})
            answer = self.browser.http.post(url, data=answers, timeout=30,
                                            headers={"HX-Request": "true", "X-CSRF-Token": self.browser.csrf})
            if answer.status_code != 200 or "your answer is recorded" not in answer.text:
                return False, f"survey answered {answer.status_code}"
            with writes.lock:
                writes.surveys.append(ticket_id)
        return True, ""


def _choices(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="radio" id="[^"]+" name="([^"]+)" value="(\d+)"', page):
        found.setdefault(name, []).append(value)
    return found


class Expert:
    """The rehearsal's expert on their phone: every offer accepted, then each ticket noted and closed."""

    def __init__(self, base: str, username: str, password: str):
        from tests.system.conftest import ExpertBrowser

        self.browser = ExpertBrowser(base, username, password)
        self.booked: list[int] = []  # accepted here, not closed yet

    def work(self, writes: Writes, n: int) -> tuple[bool, str]:
        home = self.browser.page("/")
        if home.status_code != 200:
            return False, f"home answered {home.status_code}"
        for ticket_id in dict.fromkeys(int(i) for i in re.findall(r"/offers/(\d+)/accept", home.text)):
            answer = self.browser.act(f"/offers/{ticket_id}/accept")
            if answer.status_code == 200 and "the slot is yours" in answer.text:
                with writes.lock:
                    writes.accepts.append(ticket_id)
                self.booked.append(ticket_id)
            elif answer.status_code != 409:  # 409: the offer ran out meanwhile, and went to no one else
                return False, f"accept answered {answer.status_code}"
        for ticket_id in list(self.booked):
            note = f"Rehearsal visit {n}: checked the wiring of N-{ticket_id}"
            noted = self.browser.act(f"/tickets/{ticket_id}/notes", {"note": note})
            if noted.status_code != 200 or "Note added." not in noted.text:
                return False, f"note answered {noted.status_code}"
            with writes.lock:
                writes.notes.append((ticket_id, note))
            closed = self.browser.act(f"/tickets/{ticket_id}/close", {"resolution": "Reseated the cable; works again."})
            if closed.status_code == 409:  # refused (most likely closed by an earlier try whose answer was
                self.booked.remove(ticket_id)  # lost): the expert moves on, as a person would, not noting it again
                return False, "close answered 409"
            if closed.status_code != 200 or "Closed." not in closed.text:
                return False, f"close answered {closed.status_code}"
            with writes.lock:
                writes.closes.append(ticket_id)
            self.booked.remove(ticket_id)
        return True, ""


class Traffic:
    """Every role at work on a thread each, until stopped."""

    def __init__(self, system: System, people, writes: Writes):
        from tests.system.journeys import Tally, journeys

        self.tally = Tally()
        self.stop_event = threading.Event()
        self.roles = journeys(system, self.tally, people)
        self.writes = writes
        self.customer = Customer(system.shell, people.customer, PASSWORD, people.customers[0]["id"])
        self.expert = Expert(system.shell, people.expert, PASSWORD)
        turn, visits = iter(range(10**9)), iter(range(10**9))
        self.roles["customer"].append(("change my phone", lambda: self.customer.change_phone(writes, next(turn))))
        self.roles["customer"].append(("answer my surveys", lambda: self.customer.answer_surveys(writes)))
        self.roles["expert"].append(("accept, note and close", lambda: self.expert.work(writes, next(visits))))
        self.threads = [threading.Thread(target=self._work, args=(actions,), daemon=True) for actions in self.roles.values()]

    def _work(self, actions) -> None:
        from tests.system.journeys import work

        work(actions, self.tally, self.stop_event)

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(120)
        with self.writes.lock:
            self.writes.raises.extend(self.tally.acknowledged)

    def failures(self) -> list[str]:
        """Why actions failed (the first twenty), and how many of each failed."""
        return [*self.tally.why, *(f"{name}: {n} failed" for name, n in self.tally.failed.items())]

    def figures(self) -> tuple[int, int]:
        done = sum(self.tally.done.values())
        return done + sum(self.tally.failed.values()), done


PASSWORD = "identity-test-password"


def rehearse(root: Path, preset: str = "tiny", seconds: float = 6.0, out=print) -> Figures:
    from foundation.config import load_settings
    from fragments.customers.domain.billing import Month
    from sysops.decommission import decommission
    from tests.support.processes import ServedMonolith
    from tests.system.journeys import Tally, enrol, journeys, keep_working

    figures, writes = Figures(), Writes()
    system = System(root, preset=preset, sign_in="legacy", front_door="monolith", take_over=False).start()
    legacy_url = system.env["DATABASE_URL"]  # the retirement makes the system's own address unusable
    try:
        people = enrol(system, own_product=True)  # every raise offered to the expert at work here first

        def step(name: str, *args: str) -> None:
            started = time.perf_counter()
            code, said = sysops(system, *args)
            figures.steps.append((name, time.perf_counter() - started, code))
            out(f"  {name}: exit {code}")
            if code != 0:
                raise AssertionError(f"{name} failed: {said}")

        phase = "the monolith alone"
        with Traffic(system, people, writes) as traffic:
            time.sleep(seconds)
            for part in STEPS:
                if part == "accounts":  # everyone signs in once more at the identity service
                    figures.actions[phase] = traffic.figures()
                    figures.failures[phase] = traffic.failures()
                    break
                step(f"cutover {part}", "cutover", part)
                time.sleep(seconds)
        step("cutover accounts", "cutover", "accounts")
        time.sleep(6)  # every shell reads the owner of sign-in again within 5 s (ADR 0032)
        phase = "sign-in at the identity service"
        with Traffic(system, people, writes) as traffic:
            for part in ("surveys", "billing"):
                step(f"cutover {part}", "cutover", part)
                time.sleep(seconds)
            step("rollback surveys", "rollback", "surveys", "--yes")
            time.sleep(seconds)
            step("cutover surveys again", "cutover", "surveys")
            step("backfill the long tail", "backfill")
            step("reconcile tickets", "reconcile")
            month = str(Month.of(dt.date.today()).previous())
            step(f"billing-run {month}", "billing-run", "--month", month)
            paid = traffic.customer.pay_all(writes)
            out(f"  payments: {paid}")
            time.sleep(seconds)
        figures.actions[phase] = traffic.figures()
        figures.failures[phase] = traffic.failures()
        code, said = sysops(system, "parts")
        out(said)

        started = time.perf_counter()
        system.retire_monolith()
        figures.steps.append(("monolith-retire and restart", time.perf_counter() - started, 0))
        token = system.env["SYSOPS_METRICS_TOKEN"]
        settings = dataclasses.replace(load_settings(system.env), database_url=legacy_url, metrics_token=token)
        # The bridge alone, watched (make run MONOLITH=retired WATCH_BRIDGE=1), for the quiet window.
        with ServedMonolith(legacy_url, "rehearsal", workers=1, env={"SYSOPS_METRICS_TOKEN": token}) as bridge, \
                system.graph_store() as store:
            started = time.perf_counter()
            done, checks, record = decommission(settings, store.backend, bridge, root / "archive", quiet_s=seconds)
            figures.steps.append(("decommission", time.perf_counter() - started, 0 if done else 1))
            for check in checks:
                out(check.line())
            assert done, [c.line() for c in checks]

        after = Tally()
        keep_working(journeys(system, after, people), after, seconds)
        figures.journeys_after = (sum(after.done.values()) + sum(after.failed.values()), sum(after.done.values()))
        with system.graph_store() as store:
            read = checked_reads(store.backend)
            raises = sorted(writes.raises)
            present = read("MATCH (t:Ticket) WHERE t.id IN $ids RETURN count(t) AS n", {"ids": raises})[0]["n"]
            figures.parts["tickets (raises)"] = (len(raises), present, len(raises) - len(set(raises)))
            keys = [f"received:{i}" for i in raises]
            messages = read("MATCH (m:Message) WHERE m.key IN $keys RETURN m.key AS key", {"keys": keys})
            figures.parts["notifications (confirmations)"] = _counted(keys, [row["key"] for row in messages])
            held = {row["id"]: row["phone"] for row in read(
                "MATCH (c:Customer) WHERE c.id IN $ids RETURN c.id AS id, c.phone AS phone", {"ids": list(writes.contacts)})}
            # Each save is the customer's next version: all are held when the last one is.
            last_held = all(held.get(customer) == phone for customer, phone in writes.contacts.items())
            figures.parts["customers (contact changes)"] = (writes.contact_saves,
                                                            writes.contact_saves if last_held else 0, 0)
            paid = read("MATCH (p:Payment) WHERE p.key IN $keys RETURN p.key AS key", {"keys": writes.payments})
            figures.parts["billing (payments)"] = _counted(writes.payments, [row["key"] for row in paid])
            figures.parts.update(expert_work(read, writes, people.expert_id))
        return figures
    finally:
        system.stop()


def _counted(acknowledged: list, found: list) -> tuple[int, int, int]:
    """(acknowledged, of them present, present more than once)."""
    wanted = set(acknowledged)
    return len(acknowledged), len(wanted & set(found)), len(found) - len(set(found))


def checked_reads(backend):
    """The end's reads of the graph, each asked again after a pause when the graph did not answer in time
    (at 100x it may be writing its snapshot, or still busy with the last batches): the check is read-only."""
    from graph_store.backends import GraphUnavailable
    from graph_store.backfill import retried

    def read(query: str, params: dict) -> list[dict]:
        return retried(lambda: backend.read(query, params), (GraphUnavailable,))

    return read


def expert_work(read, writes: Writes, expert_id: int) -> dict[str, tuple[int, int, int]]:
    """The expert's accepts, notes and closes and the customer's survey answers, as the graph holds them.
    Each looks tickets up by `IN` a list inside its multi-hop pattern: run 5 at 100x timed out on a form
    that matched a map's field (`n.id`) there, which FalkorDB 1.4.1 plans without the index (a plain
    `UNWIND $ids AS id MATCH (t:Ticket {id: id})` does use it)."""
    accepted = read("MATCH (:Expert {id: $expert})-[a:ALLOCATED {state: 'accepted'}]->(t:Ticket) WHERE t.id IN $ids "
                       "RETURN t.id AS id", {"ids": sorted(set(writes.accepts)), "expert": expert_id})
    wanted = set(writes.notes)
    events = read("MATCH (t:Ticket)-[:HAS_EVENT]->(e:Event {action: 'note'}) WHERE t.id IN $ids "
                     "RETURN t.id AS id, e.detail AS text", {"ids": sorted({t for t, _ in wanted})})
    notes = [row["text"] for row in events if (row["id"], row["text"]) in wanted]
    closed = read("MATCH (t:Ticket {status: 'closed'})-[:HAS_EVENT]->(:Event {action: 'closed'}) WHERE t.id IN $ids "
                     "RETURN t.id AS id", {"ids": sorted(set(writes.closes))})
    answered = read("MATCH (s:Survey) WHERE s.ticket_id IN $ids AND s.answered_at IS NOT NULL "
                       "RETURN s.ticket_id AS id", {"ids": sorted(set(writes.surveys))})
    return {"tickets (accepts)": _counted(writes.accepts, [r["id"] for r in accepted]),
            "tickets (notes)": _counted([text for _, text in writes.notes], notes),
            "tickets (closes)": _counted(writes.closes, [r["id"] for r in closed]),
            "surveys (answers)": _counted(writes.surveys, [r["id"] for r in answered])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seconds", type=float, default=6.0, help="work between the steps")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="sysops-rehearsal-"))
    print(f"Rehearsing on the {args.preset} preset in {root} ...", flush=True)
    figures = rehearse(root, args.preset, args.seconds)
    print("\n".join(figures.lines()))
    lost = sum(ack - present for ack, present, _ in figures.parts.values())
    twice = sum(t for _, _, t in figures.parts.values())
    return 0 if lost == 0 and twice == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
