"""The legacy ticket tables: what the new ticketing services will migrate from."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .catalog import Product
from .customers import Contract, Customer
from .experts import Expert
from .surveys import Survey

TICKET_STATUSES = ("open", "assigned", "in_progress", "closed", "cancelled")
CHANNELS = ("web", "phone")


class LegacyTicket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    assigned_expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), index=True)
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    # Set when the new ticketing takes its copy (the freeze): from then on every legacy write to
    # this ticket is refused, so the copy holds every write that was ever answered "saved".
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    # Set once the copy is in the graph store: from then on the graph copy is the master.
    migrated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)

    customer: Mapped[Customer] = relationship()
    contract: Mapped[Contract] = relationship()
    product: Mapped[Product] = relationship()
    assigned_expert: Mapped[Expert | None] = relationship()
    slots: Mapped[list["TicketSlot"]] = relationship(order_by="TicketSlot.starts_at")
    history: Mapped[list["TicketHistory"]] = relationship(order_by="(TicketHistory.at, TicketHistory.id)")
    survey: Mapped["Survey | None"] = relationship(viewonly=True)


class TicketSlot(Base):
    """One of the 1-3 appointment windows the customer chose."""

    __tablename__ = "ticket_slots"
    __table_args__ = (UniqueConstraint("ticket_id", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TicketHistory(Base):
    __tablename__ = "ticket_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
