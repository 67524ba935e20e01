"""Deliverables: a summary, sections, recommendations, who wrote them, a date, a document."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from communaute.db import utcnow
from communaute.extensions import db

TITLE_MAX = 300
TEXT_MAX = 100_000


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Publication(db.Model):
    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    title_en: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    #: The date the community adopted or released it.
    issued_on: Mapped[date] = mapped_column(index=True)
    #: Markdown: the executive summary.
    summary: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    #: Markdown: the sections, each starting with a "## " heading.
    sections: Mapped[str] = mapped_column(Text, default="")
    sections_en: Mapped[str | None] = mapped_column(Text)
    #: One recommendation a line.
    recommendations: Mapped[str] = mapped_column(Text, default="")
    recommendations_en: Mapped[str | None] = mapped_column(Text)
    #: One name a line ("Name, role").
    authors: Mapped[str] = mapped_column(Text, default="")
    contributors: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    @property
    def author_list(self) -> list[str]:
        return _lines(self.authors)

    @property
    def contributor_list(self) -> list[str]:
        return _lines(self.contributors)


def lines(text: str | None) -> list[str]:
    return _lines(text)
