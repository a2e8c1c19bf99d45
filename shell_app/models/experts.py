"""Field experts: skills per product, locales served, weekly availability, time off."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foundation.vocabulary import PERIODS as PERIODS  # re-exported: the models package names them
from foundation.vocabulary import SLOT_HOURS as SLOT_HOURS

from .base import Base
from .catalog import Locale, Product

SKILL_LEVELS = ("junior", "senior", "master")


class Expert(Base):
    __tablename__ = "experts"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(16), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    hired_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool]

    skills: Mapped[list["ExpertSkill"]] = relationship(order_by="ExpertSkill.product_id")
    locales: Mapped[list["ExpertLocale"]] = relationship(order_by="ExpertLocale.locale_id")
    weekly_availability: Mapped[list["ExpertAvailability"]] = relationship(
        order_by="(ExpertAvailability.weekday, ExpertAvailability.period)"
    )
    time_off: Mapped[list["ExpertTimeOff"]] = relationship(order_by="ExpertTimeOff.start_date")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ExpertSkill(Base):
    __tablename__ = "expert_skills"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)
    level: Mapped[str] = mapped_column(String(8))
    product: Mapped[Product] = relationship()


class ExpertLocale(Base):
    __tablename__ = "expert_locales"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), primary_key=True)
    locale_id: Mapped[int] = mapped_column(ForeignKey("locales.id"), primary_key=True, index=True)
    locale: Mapped[Locale] = relationship()


class ExpertAvailability(Base):
    """A recurring weekly window (weekday 0=Monday, period in PERIODS) the expert works."""

    __tablename__ = "expert_availability"
    __table_args__ = (UniqueConstraint("expert_id", "weekday", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    weekday: Mapped[int]
    period: Mapped[str] = mapped_column(String(10))


class ExpertTimeOff(Base):
    __tablename__ = "expert_time_off"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(80))
