"""Survey templates and the surveys of legacy tickets leave the monolith (issue 29), over the real bridge
on SQLite and PostgreSQL: a legacy template is copied on its first read or by the operator's take-over,
once, and reconciles to nothing; a legacy ticket's answered survey keeps its template and each answer;
one sent and not answered is answered here to the legacy template's questions; a rollback gives the
templates back to the monolith. Each test puts its own template, expert, customer and tickets in."""
from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from fragments.ticketing.adapters.survey_templates import (
    reconcile_templates,
    release_templates,
    take_legacy_templates,
)
from fragments.ticketing.adapters.surveys import GraphSurveys
from fragments.ticketing.adapters.tickets import GraphTickets
from shell_app.db import make_engine, make_session_factory
from shell_app.models import Expert, LegacyTicket, Survey, SurveyQuestion, SurveyResponse, SurveyTemplate, TicketSlot
from tests.support.legacy_customers import add_customers

from .conftest import own_legacy_system

_graphs = itertools.count()
CLOSED = dt.datetime(2026, 10, 20, 15, 0)
QUESTIONS = [("Did the expert arrive on time?", "score"), ("Was it fixed?", "score"), ("Tell us more", "text")]


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request, falkor_server, fresh_database_url):
    url = fresh_database_url(request.param)
    with own_legacy_system(falkor_server, url, seed=43, service="ticketing") as (backend, bridge, _):
        yield url, backend, bridge


def add_template_and_surveys(url: str) -> dict:
    """A template of our own, and two closed legacy tickets of a customer of our own: one survey answered
    under the template, one sent and not answered."""
    customer = add_customers(url, 1)[0]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            template = SurveyTemplate(name=f"Test survey {next(_graphs)}")
            session.add(template)
            session.flush()
            questions = [SurveyQuestion(template_id=template.id, position=n, text=text, kind=kind)
                         for n, (text, kind) in enumerate(QUESTIONS, 1)]
            number = (session.scalar(select(func.max(Expert.id))) or 0) + 1
            expert = Expert(employee_number=f"T{number:06d}", first_name="Test", last_name="Expert", email="t@x.test",
                            phone="+44 7700 900000", hired_on=dt.date(2020, 1, 1), active=True)
            session.add_all([*questions, expert])
            session.flush()
            tickets = []
            for n in range(2):
                next_id = (session.scalar(select(func.max(LegacyTicket.id))) or 0) + 1
                ticket = LegacyTicket(id=next_id, reference=f"TS{next_id}", customer_id=customer["id"],
                                      contract_id=customer["contract_id"], product_id=customer["product_ids"][0],
                                      description="Printer jams", status="closed", channel="phone",
                                      assigned_expert_id=expert.id, created_at=CLOSED - dt.timedelta(days=2),
                                      updated_at=CLOSED, closed_at=CLOSED, resolution="Cleaned the rollers")
                session.add(ticket)
                session.flush()
                session.add(TicketSlot(ticket_id=ticket.id, starts_at=CLOSED - dt.timedelta(hours=3)))
                survey = Survey(ticket_id=ticket.id, template_id=template.id, sent_at=CLOSED + dt.timedelta(hours=1),
                                answered_at=CLOSED + dt.timedelta(days=1) if n == 0 else None)
                session.add(survey)
                session.flush()
                if n == 0:
                    session.add_all([SurveyResponse(survey_id=survey.id, question_id=questions[0].id, score=5),
                                     SurveyResponse(survey_id=survey.id, question_id=questions[1].id, score=2),
                                     SurveyResponse(survey_id=survey.id, question_id=questions[2].id, text="Polite")])
                tickets.append(ticket.id)
            session.commit()
            return {"template_id": template.id, "answered": tickets[0], "sent": tickets[1], "expert_id": expert.id}
    finally:
        engine.dispose()


def test_a_legacy_template_is_copied_once_by_first_reads_and_the_take_over_and_reconciles(legacy):
    url, backend, bridge = legacy
    made = add_template_and_surveys(url)
    key = f"legacy-{made['template_id']}"
    surveys = GraphSurveys(backend, bridge)
    with ThreadPoolExecutor(4) as pool:  # customers opening their survey at once, and the operator's take-over
        found = list(pool.map(lambda _: surveys.version(key, 1), range(4)))
        taken = pool.submit(take_legacy_templates, backend, bridge).result()
    assert all(f is not None and [q["text"] for q in f["questions"]] == [t for t, _ in QUESTIONS] for f in found)
    assert found[0]["source"] == "legacy" and found[0]["in_force_from"] is None
    assert backend.read("MATCH (t:SurveyTemplate {key: $key}) RETURN count(t) AS n", {"key": key})[0]["n"] == 1
    take_legacy_templates(backend, bridge)  # every other legacy template too; again: nothing more
    assert take_legacy_templates(backend, bridge) == 0 and taken >= 0
    stats = bridge.handover_stats("survey-templates")
    assert stats["migrated"] == stats["total"] == stats["frozen"]
    result = reconcile_templates(backend, bridge)
    assert result.ok and result.matching == stats["total"] and not result.findings
    assert surveys.version("legacy-999999", 1) is None  # no such template: nothing copied, no error


def test_legacy_surveys_keep_their_template_and_answers_and_a_waiting_one_asks_the_legacy_questions(legacy):
    url, backend, bridge = legacy
    made = add_template_and_surveys(url)
    key = f"legacy-{made['template_id']}"
    tickets, surveys = GraphTickets(backend, bridge), GraphSurveys(backend, bridge)
    for ticket_id in (made["answered"], made["sent"]):
        tickets.get(ticket_id)  # moved into the graph on its first read
    answered = surveys.find(made["answered"])
    assert (answered["template"], answered["template_version"], answered["score"]) == (key, 1, 3.5)
    assert answered["answers"] == [{"position": 1, "score": 5, "text": None}, {"position": 2, "score": 2, "text": None},
                                   {"position": 3, "score": None, "text": "Polite"}]
    assert surveys.answer_counts(key) == {1: 1}
    assert surveys.find(made["sent"]) is None and surveys.sent_with(made["sent"]) == (key, 1)
    template = surveys.version(*surveys.sent_with(made["sent"]))  # copied on this first read
    assert [q["text"] for q in template["questions"]] == [t for t, _ in QUESTIONS]


def test_a_rollback_gives_the_templates_back_and_a_new_take_over_finds_them_copied(legacy):
    url, backend, bridge = legacy
    add_template_and_surveys(url)
    take_legacy_templates(backend, bridge)
    total = bridge.handover_stats("survey-templates")["total"]
    assert release_templates(backend, bridge) == total
    assert bridge.handover_stats("survey-templates") == {"total": total, "frozen": 0, "migrated": 0}
    assert take_legacy_templates(backend, bridge) == 0  # the copies stayed (surveys name them): only marked again
    assert bridge.handover_stats("survey-templates")["migrated"] == total
    assert reconcile_templates(backend, bridge).ok
