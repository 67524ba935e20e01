"""News posts: French with optional English, Markdown, a picture with its text alternative."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db

TITLE_MAX = 200
BODY_MAX = 30_000
ALT_MAX = 300


class NewsPost(db.Model):
    __tablename__ = "news_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    title_en: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    #: Markdown (communaute.content.render_markdown).
    body: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    #: None: a draft. In the future: scheduled. Past: published.
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    picture_name: Mapped[str | None] = mapped_column(String(64))
    picture_alt: Mapped[str | None] = mapped_column(String(ALT_MAX))
    picture_alt_en: Mapped[str | None] = mapped_column(String(ALT_MAX))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    author: Mapped[User | None] = relationship()

    def is_published(self, now: datetime | None = None) -> bool:
        return self.published_at is not None and self.published_at <= (now or utcnow())

    def state(self, now: datetime | None = None) -> str:
        """ "draft", "scheduled" or "published"."""
        if self.published_at is None:
            return "draft"
        return "published" if self.is_published(now) else "scheduled"
