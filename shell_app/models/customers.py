"""Customers, their contracts and the products each contract covers."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Handover
from .catalog import Locale, Plan, Product

NOTIFICATION_PREFERENCES = ("email", "sms")
CONTRACT_STATUSES = ("active", "cancelled", "expired")


class Customer(Handover, Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), index=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(40), index=True)
    address_line: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(16), index=True)
    locale_id: Mapped[int] = mapped_column(ForeignKey("locales.id"), index=True)
    notification_preference: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    locale: Mapped[Locale] = relationship()
    contracts: Mapped[list["Contract"]] = relationship(
        back_populates="customer", order_by="Contract.start_date.desc()"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


contract_products = Table(
    "contract_products",
    Base.metadata,
    Column("contract_id", ForeignKey("contracts.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)


class Contract(Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))

    customer: Mapped[Customer] = relationship(back_populates="contracts")
    plan: Mapped[Plan] = relationship()
    products: Mapped[list[Product]] = relationship(secondary=contract_products, order_by=Product.id)

    def covers(self, product_id: int, on: dt.date) -> bool:
        return (
            self.status == "active"
            and self.start_date <= on
            and (self.end_date is None or on <= self.end_date)
            and any(p.id == product_id for p in self.products)
        )
