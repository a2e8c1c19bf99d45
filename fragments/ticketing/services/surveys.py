"""The satisfaction survey: the customer of a closed ticket answers once; the answer feeds the score of
the expert who closed it, which assignment ranks by."""
from __future__ import annotations

from foundation.parsing import parse_digits

from ..domain.states import State
from ..domain.ticket import Ticket
from .management import InvalidTicket
from .ports import Clock
from .ports import Surveys as SurveyStore

QUESTION = "How satisfied are you with the expert's visit?"
SCORES = {1: "Very unhappy", 2: "Unhappy", 3: "Neutral", 4: "Happy", 5: "Very happy"}


class SurveyClosed(Exception):
    """There is no survey to answer for this ticket (not closed, or answered already)."""


class Surveys:
    def __init__(self, store: SurveyStore, clock: Clock):
        self.store = store
        self.clock = clock

    def open_for(self, ticket: Ticket) -> bool:
        return (ticket.status == State.CLOSED and ticket.closing_expert() is not None
                and self.store.find(ticket.id) is None)

    def answer(self, ticket: Ticket, score: str | int | None, comment: str | None) -> None:
        expert_id = ticket.closing_expert()
        if expert_id is None or not self.open_for(ticket):
            raise SurveyClosed("this ticket has no survey waiting for an answer")
        value = score if isinstance(score, int) and not isinstance(score, bool) else parse_digits(score, max_digits=1)
        if value not in SCORES:
            raise InvalidTicket({"score": "choose a score from 1 to 5"})
        text = (comment or "").replace("\x00", "").strip()
        if len(text) > 2000:
            raise InvalidTicket({"comment": "keep the comment under 2000 characters"})
        if not self.store.record(ticket_id=ticket.id, expert_id=expert_id, customer_id=ticket.customer_id,
                                 score=value, comment=text, now=self.clock()):
            raise SurveyClosed("this survey was answered already")
