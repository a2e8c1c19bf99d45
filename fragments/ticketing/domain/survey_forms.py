"""The satisfaction survey's questions: a template in versions, and a customer's answers to one.

A manager changes the questions by publishing the template's next version; it is in force from that
moment, so a ticket closed from then on is asked the new questions while one closed before keeps the
version in force at its closing (its survey may still be waiting for an answer). An answer keeps the
template and version it was given under. A legacy survey keeps the legacy template it was sent with.

The survey's score (what expert ranking and the reports read) is the mean of its score answers, as the
legacy system counted it; its comment is what the customer wrote, text answers one per line."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from foundation.invalid import InvalidFields

KINDS = {"score": "A score from 1 to 5", "text": "Words (optional for the customer)"}
SCORES = {1: "Very unhappy", 2: "Unhappy", 3: "Neutral", 4: "Happy", 5: "Very happy"}
CURRENT = "post-visit"  # the template every ticket closed here is asked
MAX_QUESTIONS = 10
QUESTION_LENGTH = (3, 300)
ANSWER_LENGTH = 2000


class InvalidSurvey(InvalidFields):
    """A template or an answer that breaks the rules; nothing was stored."""


@dataclass(frozen=True)
class Question:
    position: int
    text: str
    kind: str

    def field(self) -> str:
        """The answer's form field."""
        return f"answer-{self.position}"

    def as_record(self) -> dict[str, Any]:
        return {"position": self.position, "text": self.text, "kind": self.kind}


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    version: int
    name: str
    questions: tuple[Question, ...]
    in_force_from: str | None  # ISO time; None: since always (the first version, a legacy template)
    source: str  # "built-in", "manager" or "legacy"
    published_by: str | None = None

    @staticmethod
    def from_record(record: Mapping[str, Any]) -> SurveyTemplate:
        return SurveyTemplate(record["key"], record["version"], record["name"],
                              tuple(Question(q["position"], q["text"], q["kind"]) for q in record["questions"]),
                              record.get("in_force_from"), record.get("source", "manager"), record.get("published_by"))


# What the ticketing service asked from its first day: version 1 of the current template.
BUILT_IN = SurveyTemplate(CURRENT, 1, "Post-visit survey", (
    Question(1, "How satisfied are you with the expert's visit?", "score"),
    Question(2, "Anything to add?", "text"),
), None, "built-in")


def legacy_key(template_id: int) -> str:
    return f"legacy-{template_id}"


def in_force(versions: Sequence[SurveyTemplate], closed_at: str | None) -> SurveyTemplate:
    """The version a ticket closed at `closed_at` is asked: the latest in force by then (the first one if
    the ticket closed before any was; the latest if it has no closing time)."""
    ordered = sorted(versions, key=lambda v: v.version)
    if not ordered:
        return BUILT_IN
    chosen = ordered[0]
    for version in ordered[1:]:
        if closed_at is None or version.in_force_from is None or version.in_force_from <= closed_at:
            chosen = version
    return chosen


def questions_from(texts: Sequence[str], kinds: Sequence[str]) -> tuple[Question, ...]:
    """A manager's rows (text and kind, in order; a row left empty is dropped) as the next version's
    questions. At least one score question: it is what ranks the experts."""
    errors: dict[str, str] = {}
    questions: list[Question] = []
    seen: set[str] = set()
    for row, (raw, kind) in enumerate(zip(texts, kinds), 1):
        text = " ".join((raw or "").replace("\x00", "").split())
        if not text:
            continue
        if not QUESTION_LENGTH[0] <= len(text) <= QUESTION_LENGTH[1]:
            errors[f"text-{row}"] = f"a question is {QUESTION_LENGTH[0]} to {QUESTION_LENGTH[1]} characters"
        elif text.lower() in seen:
            errors[f"text-{row}"] = "this question is asked already"
        if kind not in KINDS:
            errors[f"kind-{row}"] = "choose a score or words"
        seen.add(text.lower())
        questions.append(Question(len(questions) + 1, text, kind))
    if not questions:
        errors["questions"] = "ask at least one question"
    elif len(questions) > MAX_QUESTIONS:
        errors["questions"] = f"ask at most {MAX_QUESTIONS} questions"
    elif not any(q.kind == "score" for q in questions) and not errors:
        errors["questions"] = "ask at least one question answered by a score: it is what ranks the experts"
    if errors:
        raise InvalidSurvey(errors)
    return tuple(questions)


@dataclass(frozen=True)
class Answers:
    template: SurveyTemplate
    answers: tuple[dict[str, Any], ...]  # per question: position, and score or text

    @property
    def score(self) -> float:
        scores = [float(a["score"]) for a in self.answers if a.get("score") is not None]
        return round(sum(scores) / len(scores), 2)

    @property
    def comment(self) -> str:
        return "\n".join(a["text"] for a in self.answers if a.get("text"))


def answers_from(template: SurveyTemplate, form: Mapping[str, Any]) -> Answers:
    """The customer's answers to each of the template's questions: every score question needs a score
    from 1 to 5; a text question may be left empty."""
    errors: dict[str, str] = {}
    answers: list[dict[str, Any]] = []
    for question in template.questions:
        raw = form.get(question.field())
        if question.kind == "score":
            value = raw if isinstance(raw, int) and not isinstance(raw, bool) else _digit(raw)
            if value not in SCORES:
                errors[question.field()] = "choose a score from 1 to 5"
            answers.append({"position": question.position, "score": value})
        else:
            text = (raw if isinstance(raw, str) else "").replace("\x00", "").strip()
            if len(text) > ANSWER_LENGTH:
                errors[question.field()] = f"keep the answer under {ANSWER_LENGTH} characters"
            answers.append({"position": question.position, "text": text})
    if errors:
        raise InvalidSurvey(errors)
    return Answers(template, tuple(answers))


def _digit(raw: Any) -> int | None:
    text = raw.strip() if isinstance(raw, str) else ""
    return int(text) if len(text) == 1 and text.isdigit() else None
