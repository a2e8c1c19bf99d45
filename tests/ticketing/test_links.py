"""Links in messages, over in-memory stores with the run's real keys: a customer confirms, asks for
another slot or cancels; an expert accepts or refuses. Probes: tampered, expired, replayed, someone
else's, another visit's, a bad slot choice (which does not spend the link)."""
from __future__ import annotations

import datetime as dt

import pytest

from foundation import keys
from foundation.links import LinkSigner, LinkVerifier
from fragments.ticketing.services.management import RaiseRequest
from fragments.ticketing.wiring import build
from tests.support.fake_customers import FakeCustomers
from tests.support.fake_notifier import FakeNotifier
from tests.support.keys import KEYS_DIR

from .test_services import PRINTER, THU_MORNING, sent
from .test_services import world as services_world  # noqa: F401  (the fixture the world below builds on)


@pytest.fixture
def world(services_world):  # noqa: F811
    store, bridge, clock, _ = services_world
    ticketing = build(store.ports(), bridge, notifier=FakeNotifier(), customers=FakeCustomers(bridge), clock=clock,
                      offer_timeout=dt.timedelta(minutes=10), public_url="https://support.example.com",
                      link_signer=LinkSigner.from_folder(keys.own_folder(KEYS_DIR, "ticketing"), "ticketing",
                                                         now=lambda: clock().timestamp()),
                      link_checker=LinkVerifier.from_file(keys.public_file(KEYS_DIR), "ticketing",
                                                          now=lambda: clock().timestamp()))
    return store, clock, ticketing


def booked(ticketing) -> dict:
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, PRINTER, "Printer jams", [THU_MORNING], "phone",
                                                              "callcentre"))
    expert = ticket["allocations"][0]["expert_id"]
    assert ticketing.assignment.accept(ticket["id"], expert, f"expert{expert}")
    return ticketing.management.get(ticket["id"])


def flip(text: str, at: int) -> str:
    """The text with one character changed (a character in the middle carries six bits of the data)."""
    return text[:at] + ("B" if text[at] == "A" else "A") + text[at + 1:]


def token(url: str) -> str:
    assert url.startswith("https://support.example.com/links/")
    return url.rsplit("/", 1)[1]


def test_the_offer_message_carries_accept_and_refuse_links_and_accept_books_it(world):
    _, _, ticketing = world
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, PRINTER, "Printer jams", [THU_MORNING], "phone",
                                                              "callcentre"))
    offer = next(m for k, m in sent(ticketing).items() if k.startswith("offer:"))
    accept_url = next(line.split(": ", 1)[1] for line in offer["body"].splitlines() if line.startswith("Accept: "))
    page = ticketing.links.open(token(accept_url))
    assert page.status == 200 and page.act == "accept"
    done = ticketing.links.use(token(accept_url), [])
    assert done.done and ticketing.management.get(ticket["id"]).status == "assigned"
    again = ticketing.links.use(token(accept_url), [])
    assert again.status == 409 and "already used" in again.title


def test_confirm_then_the_same_link_again_changes_nothing(world):
    _, _, ticketing = world
    ticket = booked(ticketing)
    links = ticketing.links.for_customer(ticket, ticket.booking().slot)
    opened = ticketing.links.open(token(links["confirm"]))
    assert opened.status == 200 and opened.ticket.id == ticket.id  # opening changes nothing
    assert "visit_confirmed_at" not in ticketing.management.get(ticket.id).extra
    assert ticketing.links.use(token(links["confirm"]), []).done
    assert ticketing.management.get(ticket.id).extra["visit_confirmed_at"]
    replay = ticketing.links.use(token(links["confirm"]), [])
    assert (replay.status, replay.done) == (409, False)


def test_another_slot_frees_the_booking_and_assignment_runs_again(world):
    store, clock, ticketing = world
    ticket = booked(ticketing)
    before = ticket.booking()
    link = token(ticketing.links.for_customer(ticket, before.slot)["reschedule"])
    page = ticketing.links.open(link)
    choices = [value for value, _ in page.choices]
    bad = ticketing.links.use(link, ["2031-01-01 morning"])
    assert bad.status == 422 and bad.errors == {"slots": "choose one to three of the slots listed"}
    assert ticketing.management.get(ticket.id).status == "assigned"  # nothing changed, the link not spent
    thursday_afternoon = next(c for c in choices if c == "2026-11-26 afternoon")
    done = ticketing.links.use(link, [thursday_afternoon])
    assert done.done, done.message
    after = ticketing.management.get(ticket.id)
    assert after.slots == ["2026-11-26T12:00:00"] and f"{before.expert_id}@{before.slot}" not in store.bookings
    assert after.status in ("offered", "unassigned") and after.booking() is None
    assert ticketing.links.use(link, [thursday_afternoon]).status == 409


def test_cancel(world):
    _, _, ticketing = world
    ticket = booked(ticketing)
    assert ticketing.links.use(token(ticketing.links.for_customer(ticket, ticket.booking().slot)["cancel"]), []).done
    assert ticketing.management.get(ticket.id).status == "cancelled"


def test_a_tampered_link_is_refused_with_a_clear_page(world):
    _, _, ticketing = world
    ticket = booked(ticketing)
    good = token(ticketing.links.for_customer(ticket, ticket.booking().slot)["cancel"])
    head, body, signature = good.split(".")
    for forged in (f"{head}.{body}.{flip(signature, 10)}", f"{head}.{flip(body, 12)}.{signature}", "not-a-link", ""):
        page = ticketing.links.use(forged, [])
        assert page.status == 400 and page.title == "This link does not work" and "Nothing was changed" in page.message
    # Signed by another service's key (a service token is never a link, nor a link another service's):
    other = LinkSigner.from_folder(keys.own_folder(KEYS_DIR, "experts"), "experts",
                                   now=lambda: dt.datetime(2026, 11, 25, 9).timestamp()).sign(
        "cancel", {"tid": ticket.id, "who": "customer:7", "slot": ticket.booking().slot},
        dt.datetime(2026, 11, 26).timestamp())
    assert ticketing.links.use(other, []).status == 400
    assert ticketing.management.get(ticket.id).status == "assigned"


def test_an_expired_link_is_refused(world):
    _, clock, ticketing = world
    ticket = booked(ticketing)
    link = token(ticketing.links.for_customer(ticket, ticket.booking().slot)["cancel"])
    clock.now = dt.datetime(2026, 11, 26, 8, 0, 1)  # the visit has started: its links are over
    page = ticketing.links.use(link, [])
    assert (page.status, page.title) == (410, "This link has expired")
    assert ticketing.management.get(ticket.id).status == "assigned"


def test_someone_elses_link_and_another_visits_link_change_nothing(world):
    _, _, ticketing = world
    ticket = booked(ticketing)
    signer = ticketing.links.signer
    slot = ticket.booking().slot
    for who, act, why in (("customer:8", "cancel", "sent to someone else"),
                          (f"expert:{ticket.booking().expert_id + 1}", "accept", "no longer open to you"),
                          ("customer:7", "cancel", "has changed since")):
        claims = {"tid": ticket.id, "who": who, "slot": slot if why != "has changed since" else "2026-11-27T08:00:00"}
        page = ticketing.links.use(signer.sign(act, claims, dt.datetime(2026, 11, 26).timestamp()), [])
        assert page.status == 409 and why in page.message, (who, page.message)
    assert ticketing.management.get(ticket.id).status == "assigned"


def test_a_refused_offer_link_sends_it_to_the_next_expert(world):
    _, _, ticketing = world
    ticket = ticketing.orchestrator.raise_ticket(RaiseRequest(7, PRINTER, "Printer jams", [THU_MORNING], "phone",
                                                              "callcentre"))
    first = ticket["allocations"][0]["expert_id"]
    offer = sent(ticketing)[f"offer:{ticket['id']}:{first}:2026-11-26T08:00:00"]
    refuse_url = next(line.split(": ", 1)[1] for line in offer["body"].splitlines() if line.startswith("Refuse: "))
    assert ticketing.links.use(token(refuse_url), []).done
    offered = [a.expert_id for a in ticketing.management.get(ticket["id"]).open_offers()]
    assert offered and first not in offered

