"""What the business sells and where: locales, products, support plans."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Handover


class Locale(Handover, Base):
    __tablename__ = "locales"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))


class Product(Handover, Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60))
    manufacturer: Mapped[str] = mapped_column(String(60))


plan_products = Table(
    "plan_products",
    Base.metadata,
    Column("plan_id", ForeignKey("plans.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)


class Plan(Handover, Base):
    """A support plan; it lists the products it may cover."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    monthly_price_cents: Mapped[int]
    max_open_tickets: Mapped[int]
    products: Mapped[list[Product]] = relationship(secondary=plan_products, order_by=Product.id)
