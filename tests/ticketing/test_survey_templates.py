"""Survey templates in versions (issue 29): a manager's change applies to tickets closed after it, a
survey waiting since before keeps its version, an answer keeps the version it was given under, and the
score the experts are ranked by is the mean of the score answers. Service layer, in memory."""
from __future__ import annotations

import pytest

from fragments.ticketing.domain.survey_forms import BUILT_IN, InvalidSurvey, Question, SurveyTemplate, in_force
from fragments.ticketing.services.surveys import SurveyClosed, TemplateChanged

from .test_services import raise_, world  # noqa: F401  (the fixture)

NEW_QUESTIONS = (["How satisfied are you with the expert's visit?", "Was it fixed on the first visit?",
                  "Anything to add?"], ["score", "score", "text"])


def closed(store, ticketing, clock):
    """A ticket raised, accepted and closed now."""
    ticket = raise_(ticketing)
    expert_id = next(a["expert_id"] for a in store.get(ticket["id"])["allocations"])
    ticketing.assignment.accept(ticket["id"], expert_id, "expert")
    ticketing.orchestrator.close(ticket["id"], expert_id, "expert", "Fixed it")
    return store.get(ticket["id"]), expert_id


def test_until_a_manager_changes_it_the_survey_asks_the_first_version(world):  # noqa: F811
    store, _, clock, ticketing = world
    ticket, expert_id = closed(store, ticketing, clock)
    surveys = ticketing.surveys
    assert surveys.template_for(ticket) == BUILT_IN and surveys.versions() == [BUILT_IN]
    surveys.answer(ticket, {"answer-1": "2", "answer-2": "  Late  "})
    survey = store.surveys[ticket.id]
    assert (survey["template"], survey["template_version"], survey["score"], survey["comment"]) == (
        "post-visit", 1, 2, "Late")
    assert survey["answers"] == [{"position": 1, "score": 2}, {"position": 2, "text": "Late"}]
    assert store.experts[expert_id]["score"] == 2
    with pytest.raises(SurveyClosed):
        surveys.answer(ticket, {"answer-1": "5"})


def test_a_change_applies_to_tickets_closed_after_it_and_old_surveys_keep_their_version(world):  # noqa: F811
    store, _, clock, ticketing = world
    surveys = ticketing.surveys
    before, _ = closed(store, ticketing, clock)
    clock.advance(minutes=5)
    published = surveys.publish(1, *NEW_QUESTIONS, by="manager")
    assert (published.version, published.source, published.published_by) == (2, "manager", "manager")
    assert [v.version for v in surveys.versions()] == [1, 2]  # the first version is kept as it was asked
    clock.advance(minutes=5)
    after, expert_id = closed(store, ticketing, clock)
    assert surveys.template_for(before).version == 1  # waiting since before the change: its own questions
    assert surveys.template_for(after).version == 2
    with pytest.raises(InvalidSurvey) as missing:
        surveys.answer(after, {"answer-1": "5"})
    assert missing.value.errors == {"answer-2": "choose a score from 1 to 5"}
    assert after.id not in store.surveys  # a refused answer stores nothing
    surveys.answer(after, {"answer-1": "5", "answer-2": "4", "answer-3": ""})
    surveys.answer(before, {"answer-1": "3"})
    assert store.surveys[after.id]["score"] == 4.5 and store.surveys[after.id]["template_version"] == 2
    assert store.surveys[before.id]["template_version"] == 1
    assert surveys.answer_counts() == {1: 1, 2: 1}


def test_a_change_based_on_an_old_version_or_changing_nothing_is_refused(world):  # noqa: F811
    _, _, clock, ticketing = world
    surveys = ticketing.surveys
    surveys.publish(1, *NEW_QUESTIONS, by="manager")
    with pytest.raises(TemplateChanged):  # a second manager, working from version 1
        surveys.publish(1, ["Were you happy?"], ["score"], by="manager2")
    with pytest.raises(InvalidSurvey) as same:
        surveys.publish(2, *NEW_QUESTIONS, by="manager2")
    assert "nothing changed" in same.value.errors["questions"]
    assert [v.version for v in surveys.versions()] == [1, 2]


@pytest.mark.parametrize("texts, kinds, field", [
    ([], [], "questions"),
    (["", "  "], ["score", "text"], "questions"),
    (["Anything to add?"], ["text"], "questions"),  # nothing to rank the experts by
    (["ok"], ["score"], "text-1"),
    (["How was it?", "How was it?"], ["score", "score"], "text-2"),
    (["How was it?"], ["stars"], "kind-1"),
    ([f"Question {n}?" for n in range(11)], ["score"] * 11, "questions"),
])
def test_questions_that_break_the_rules_are_refused_with_the_field(world, texts, kinds, field):  # noqa: F811
    _, _, _, ticketing = world
    with pytest.raises(InvalidSurvey) as refused:
        ticketing.surveys.publish(1, texts, kinds, by="manager")
    assert field in refused.value.errors
    assert ticketing.surveys.versions() == [BUILT_IN]


def test_a_legacy_survey_sent_before_the_migration_is_answered_to_its_own_questions(world):  # noqa: F811
    store, _, clock, ticketing = world
    ticket, _ = closed(store, ticketing, clock)
    legacy = {"key": "legacy-1", "version": 1, "name": "Post-visit satisfaction", "in_force_from": None,
              "source": "legacy", "published_by": None,
              "questions": [{"position": 1, "text": "Were you satisfied?", "kind": "score"},
                            {"position": 2, "text": "Fixed first time?", "kind": "score"}]}
    store.publish(legacy)
    store.tickets[ticket.id].update(survey_template="legacy-1", survey_template_version=1)
    template = ticketing.surveys.template_for(ticket)
    assert (template.key, [q.text for q in template.questions]) == ("legacy-1", ["Were you satisfied?",
                                                                                "Fixed first time?"])
    ticketing.surveys.answer(ticket, {"answer-1": "4", "answer-2": "3"})
    assert store.surveys[ticket.id]["template"] == "legacy-1" and store.surveys[ticket.id]["score"] == 3.5


def test_the_version_in_force_at_a_closing():
    def version(n, since):
        return SurveyTemplate("post-visit", n, "s", (Question(1, "q?", "score"),), since, "manager")
    versions = [version(3, "2026-11-20T10:00:00"), version(1, None), version(2, "2026-11-10T10:00:00")]
    assert in_force(versions, "2026-11-01T00:00:00").version == 1
    assert in_force(versions, "2026-11-10T10:00:00").version == 2  # closed as it was published: the new one
    assert in_force(versions, "2026-11-25T00:00:00").version == 3
    assert in_force(versions, None).version == 3
    assert in_force([], "2026-11-25T00:00:00") == BUILT_IN
