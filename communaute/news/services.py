"""The rules of news: explicit inputs, a DomainError when refused, no commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from communaute import uploads
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.news.models import NewsPost


class NewsError(DomainError):
    pass


@dataclass
class NewsData:
    title: str
    title_en: str | None
    body: str
    body_en: str | None
    picture_alt: str | None
    picture_alt_en: str | None
    #: None: a draft; else when it appears (now, or later: scheduled).
    published_at: datetime | None


def save_post(
    post: NewsPost, data: NewsData, *, actor, picture=None, remove_picture: bool = False
) -> NewsPost:
    """Fills ``post`` from ``data``. A picture is checked by Pillow and needs its text
    alternative; ``remove_picture`` drops the stored one."""
    new_picture = None
    if picture is not None and getattr(picture, "filename", ""):
        new_picture = uploads.check_picture(picture, field="picture")
    has_picture = new_picture is not None or (bool(post.picture_name) and not remove_picture)
    if has_picture and not data.picture_alt:
        raise NewsError(
            _l("Describe the picture for people who do not see it."), field="picture_alt"
        )
    for key, value in vars(data).items():
        setattr(post, key, value or None if key != "body" else value)
    if post.author_id is None:
        post.author_id = actor.id
    if new_picture is not None or remove_picture:
        uploads.remove(post.picture_name)
        post.picture_name = None
    if new_picture is not None:
        post.picture_name = uploads.store(*new_picture)
    if not has_picture:
        post.picture_alt = post.picture_alt_en = None
    return post


def published_query(now=None):
    """Published posts, newest first: published by ``now`` (a time, or a parameter)."""
    return (
        select(NewsPost)
        .where(
            NewsPost.published_at.is_not(None),
            NewsPost.published_at <= (utcnow() if now is None else now),
        )
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
    )


@cache
def _latest_statement():
    return published_query(bindparam("now")).limit(bindparam("how_many"))


def latest(n: int = 3) -> list[NewsPost]:
    """The ``n`` newest published posts (``published_query``'s first, from a statement built
    once)."""
    return list(db.session.scalars(_latest_statement(), {"now": utcnow(), "how_many": n}))


def delete_post(post: NewsPost) -> None:
    uploads.remove(post.picture_name)
    db.session.delete(post)


def export_posts(user) -> list[dict]:
    """The posts a coordinator wrote (their name is on them)."""
    rows = db.session.scalars(select(NewsPost).where(NewsPost.author_id == user.id))
    return [{"title": p.title, "created_at": p.created_at.isoformat()} for p in rows]


def erase_author(user) -> None:
    """The posts stay (they are the community's); the author's name leaves them."""
    db.session.execute(
        db.update(NewsPost).where(NewsPost.author_id == user.id).values(author_id=None)
    )
