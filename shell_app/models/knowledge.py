"""The knowledge base experts consult: articles with tags and keywords."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .catalog import Product

article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)
article_keywords = Table(
    "article_keywords",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id"), primary_key=True),
    Column("keyword_id", ForeignKey("keywords.id"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Keyword(Base):
    __tablename__ = "keywords"
    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(60), unique=True)


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Set when the knowledge service took its copy (then legacy edits are refused: the graph is master;
    # the service writes each published version back here for old readers) and when it was marked.
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    migrated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    product: Mapped[Product | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
    keywords: Mapped[list[Keyword]] = relationship(secondary=article_keywords, order_by=Keyword.word)
