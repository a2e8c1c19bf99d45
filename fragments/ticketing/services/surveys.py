"""The satisfaction survey: the customer of a closed ticket answers once, the questions of the template
version that ticket is asked (domain/survey_forms.py); the answer feeds the score of the expert who
closed it, which assignment ranks by. Managers change the questions by publishing a new version."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from foundation.vocabulary import iso

from ..domain.states import State
from ..domain.survey_forms import BUILT_IN, CURRENT, InvalidSurvey, SurveyTemplate, answers_from, in_force, questions_from
from ..domain.ticket import Ticket
from .ports import Clock
from .ports import Surveys as SurveyStore


class SurveyClosed(Exception):
    """There is no survey to answer for this ticket (not closed, or answered already)."""


class TemplateChanged(Exception):
    """Another manager published a version since this one was read: nothing was published."""


class Surveys:
    def __init__(self, store: SurveyStore, clock: Clock):
        self.store = store
        self.clock = clock

    def open_for(self, ticket: Ticket) -> bool:
        return (ticket.status == State.CLOSED and ticket.closing_expert() is not None
                and self.store.find(ticket.id) is None)

    def template_for(self, ticket: Ticket) -> SurveyTemplate:
        """The questions this ticket's customer is asked: those of the legacy template its survey was sent
        with, else the current template's version in force when the ticket closed."""
        sent = self.store.sent_with(ticket.id)
        if sent is not None:
            found = self.store.version(*sent)
            if found is not None:
                return SurveyTemplate.from_record(found)
        return in_force(self.versions(), ticket.closed_at)

    def answer(self, ticket: Ticket, form: Mapping[str, Any]) -> SurveyTemplate:
        """Records the customer's answers (raises InvalidSurvey naming each field, or SurveyClosed)."""
        expert_id = ticket.closing_expert()
        if expert_id is None or not self.open_for(ticket):
            raise SurveyClosed("this ticket has no survey waiting for an answer")
        template = self.template_for(ticket)
        answers = answers_from(template, form)
        if not self.store.record(ticket_id=ticket.id, expert_id=expert_id, customer_id=ticket.customer_id,
                                 score=answers.score, comment=answers.comment, now=self.clock(),
                                 template=template.key, version=template.version, answers=list(answers.answers)):
            raise SurveyClosed("this survey was answered already")
        return template

    # The manager's side.
    def versions(self) -> list[SurveyTemplate]:
        """The current template's versions, oldest first (the built-in first version until one is published)."""
        return [SurveyTemplate.from_record(v) for v in self.store.versions(CURRENT)] or [BUILT_IN]

    def current(self) -> SurveyTemplate:
        return self.versions()[-1]

    def answer_counts(self) -> dict[int, int]:
        return self.store.answer_counts(CURRENT)

    def publish(self, based_on: int, texts: Sequence[str], kinds: Sequence[str], by: str) -> SurveyTemplate:
        """The next version, in force from now, if `based_on` is still the latest (else TemplateChanged).
        Raises InvalidSurvey for questions that break the rules; publishing the same questions again is
        refused too, as a change that changes nothing."""
        questions = questions_from(texts, kinds)
        versions = self.versions()
        latest = versions[-1]
        if based_on != latest.version:
            raise TemplateChanged(f"version {latest.version} was published since you opened version {based_on}")
        if questions == latest.questions:
            raise InvalidSurvey({"questions": "these are the questions asked already: nothing changed"})
        if latest.source == "built-in" and not self.store.versions(CURRENT):
            self.store.publish(_record(latest))  # the first version, as it was asked, before the change
        new = SurveyTemplate(CURRENT, latest.version + 1, latest.name, questions, iso(self.clock()), "manager", by)
        if not self.store.publish(_record(new)):
            raise TemplateChanged(f"version {new.version} was published by someone else a moment ago")
        return new


def _record(template: SurveyTemplate) -> dict[str, Any]:
    return {"key": template.key, "version": template.version, "name": template.name,
            "questions": [q.as_record() for q in template.questions], "in_force_from": template.in_force_from,
            "source": template.source, "published_by": template.published_by}
