"""Satisfaction surveys sent after a ticket is closed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Handover

QUESTION_KINDS = ("score", "text")


class SurveyTemplate(Base, Handover):
    """Once the ticketing service has taken its copy (frozen_at), the monolith no longer edits it."""

    __tablename__ = "survey_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    questions: Mapped[list["SurveyQuestion"]] = relationship(order_by="SurveyQuestion.position")


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_templates.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8))


class Survey(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_templates.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    template: Mapped[SurveyTemplate] = relationship()
    responses: Mapped[list["SurveyResponse"]] = relationship(order_by="SurveyResponse.question_id")


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"))
    score: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
