"""Monthly bills for contracts and the payments against them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Handover


class Bill(Base, Handover):
    """Once the customers service has taken its copy (frozen_at), the monolith no longer edits it or its
    payments."""

    __tablename__ = "bills"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int]
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id")


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    paid_at: Mapped[dt.datetime] = mapped_column(DateTime)
    amount_cents: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))
