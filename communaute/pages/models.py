"""Pages about the community."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from communaute.db import utcnow
from communaute.extensions import db

SLUG_MAX = 60
TITLE_MAX = 120
BODY_MAX = 60_000


class Page(db.Model):
    __tablename__ = "site_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: The page's address: /pages/<slug>.
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    title_en: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    #: Order in the footer (smallest first).
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
