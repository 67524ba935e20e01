"""The rules of pages, and the footer's list of them (kept a minute in each process)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.pages.models import Page

#: How long a process keeps the footer's list before reading it again.
FOOTER_SECONDS = 60


class PageError(DomainError):
    pass


@dataclass(frozen=True)
class FooterLink:
    slug: str
    title: str
    title_en: str | None


def save_page(page: Page, values: dict) -> Page:
    """Fills ``page``; the address must be free (and not the tools' own, "manage")."""
    if values["slug"] == "manage":
        raise PageError(_l("This address is reserved. Choose another."), field="slug")
    taken = db.session.scalar(
        select(Page.id).where(Page.slug == values["slug"], Page.id != (page.id or 0))
    )
    if taken:
        raise PageError(_l("Another page has this address."), field="slug")
    for key, value in values.items():
        setattr(page, key, value if value != "" else None)
    page.position = page.position or 0
    db.session.add(page)
    forget_footer()
    return page


def delete_page(page: Page) -> None:
    db.session.delete(page)
    forget_footer()


def published_query():
    return select(Page).where(Page.published.is_(True)).order_by(Page.position, Page.title)


def footer_links() -> list[FooterLink]:
    """The published pages for the footer of every page, without a query on most pages:
    read once a minute per process (and at once in the process that changed one)."""
    memo = current_app.extensions.setdefault("pages_footer", {})
    if memo.get("until", 0) > time.monotonic():
        return memo["links"]
    try:
        rows = db.session.scalars(published_query()).all()
    except SQLAlchemyError:
        # The error page of a database that does not answer has a footer too.
        db.session.rollback()
        return memo.get("links", [])
    links = [FooterLink(p.slug, p.title, p.title_en) for p in rows]
    memo.update(links=links, until=time.monotonic() + FOOTER_SECONDS)
    return links


def forget_footer() -> None:
    current_app.extensions.setdefault("pages_footer", {})["until"] = 0
